package admin

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/translog"
)

// ErrBadWitnesses means a witness key, quorum or freshness window that
// cannot be used.
var ErrBadWitnesses = errors.New("bad witness set")

// WitnessOptions names the scheme's witnesses: each one's cosignature
// verifier key (as litewitness prints it at start: "name+hash+base64"),
// how many must cosign, the freshness windows (zero: 24 hours and 1 hour),
// and the relay's log verifier key they witness.
type WitnessOptions struct {
	LogKey           string
	Witnesses        []string
	Quorum           int
	Freshness        time.Duration
	ReleaseFreshness time.Duration
}

// GenerateRelayLogKey creates the relay's transparency-log signing key for
// scheme s in a new file path (mode 0600; the relay operator's secret:
// hand it over like a private key, for saferef-server --log-key) and
// returns its verifier key text, for the witness set.
func GenerateRelayLogKey(s *crypto.Scheme, path string) (string, error) {
	skey, vkey, err := translog.GenerateKey(rand.Reader, translog.Origin(s))
	if err != nil {
		return "", err
	}
	if err := WriteNew(path, []byte(skey+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write relay log key: %w", err)
	}
	return vkey, nil
}

// SetWitnesses signs a witness set with the root keys (the scheme's
// threshold of them) and writes it into DIR/scheme.json: the first set
// (Seq 1) or a change to it (the next Seq). It returns the new scheme.
// Devices and admin tools verify the set against the roots.
func SetWitnesses(dir string, o WitnessOptions, roots []ed25519.PrivateKey) (*crypto.Scheme, error) {
	s, err := ReadScheme(dir)
	if err != nil {
		return nil, err
	}
	if _, err := translog.ParseVerifierKey(o.LogKey); err != nil {
		return nil, markf(ErrBadWitnesses, "relay log key: %w", err)
	}
	ws := &crypto.WitnessSet{Seq: 1, LogKey: o.LogKey, Quorum: o.Quorum, Freshness: o.Freshness,
		ReleaseFreshness: o.ReleaseFreshness, Issued: time.Now()}
	if cur, err := s.WitnessSet(); err != nil {
		return nil, err
	} else if cur != nil {
		ws.Seq = cur.Seq + 1
	}
	for _, k := range o.Witnesses {
		w, err := crypto.NewWitness(k)
		if err != nil {
			return nil, markf(ErrBadWitnesses, "witness: %w", err)
		}
		ws.Witnesses = append(ws.Witnesses, w)
	}
	signed, err := crypto.SignWitnessSet(ws, roots)
	if err != nil {
		return nil, markf(ErrBadWitnesses, "%w", err)
	}
	if err := s.SetWitnesses(signed); err != nil {
		return nil, markf(ErrBadWitnesses, "%w", err)
	}
	b, err := s.Marshal()
	if err != nil {
		return nil, err
	}
	tmp := SchemePath(dir) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return nil, fmt.Errorf("write scheme: %w", err)
	}
	if err := os.Rename(tmp, SchemePath(dir)); err != nil {
		return nil, fmt.Errorf("write scheme: %w", err)
	}
	return s, nil
}
