package crypto

import (
	stdcrypto "crypto"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
)

// TypeWitnessSet is the scheme's witness set (WitnessSet), signed by the
// roots.
const TypeWitnessSet = "witness-set"

// Witness-set limits and defaults.
const (
	// MaxWitnesses bounds the witnesses a scheme names, so that a
	// checkpoint with every cosignature stays under the checkpoint size cap.
	MaxWitnesses = 5
	// DefaultFreshness is how old the newest quorum of cosignatures may be
	// before an ordinary send warns that the view is stale.
	DefaultFreshness = 24 * time.Hour
	// DefaultReleaseFreshness is how old it may be before releasing a
	// household's details or sealing to a device for the first time.
	DefaultReleaseFreshness = time.Hour
)

// ErrWitnessKey means a witness verifier key is not a C2SP
// tlog-cosignature/v1 Ed25519 key (note verifier key text whose
// algorithm byte is 0x04).
var ErrWitnessKey = errors.New("not a tlog-cosignature/v1 witness key")

// Witness is one witness the scheme names: the name it signs with and its
// note verifier key text ("name+hash+base64", algorithm 0x04, as
// litewitness prints it at start).
type Witness struct {
	Name string
	Key  string
}

// WitnessSet is the scheme's list of witnesses and the rules a device
// applies to their cosignatures: at least Quorum of Witnesses must have
// cosigned a checkpoint, the Quorum-th newest of those cosignatures no
// older than Freshness (ReleaseFreshness before releasing household details
// or sealing to a device for the first time). Seq is 1 for the set given at
// scheme init and one more for each change; a set is signed by the roots'
// threshold.
type WitnessSet struct {
	Seq uint64
	// LogKey is the relay's transparency-log verifier key (note verifier
	// key text) the witnesses witness: signed here with them, so that
	// devices and admin tools take it from the roots, never from the relay.
	LogKey           string
	Witnesses        []Witness
	Quorum           int
	Freshness        time.Duration
	ReleaseFreshness time.Duration
	Issued           time.Time
}

type witnessSetBody struct {
	Seq     uint64   `cbor:"seq"`
	LogKey  string   `cbor:"log"`
	Names   []string `cbor:"names"`
	Keys    []string `cbor:"keys"`
	Quorum  uint64   `cbor:"k"`
	Fresh   int64    `cbor:"fresh"`   // seconds
	Release int64    `cbor:"release"` // seconds
	Issued  int64    `cbor:"iat"`
}

// ParseWitnessKey parses a witness's note verifier key text and returns a
// verifier of its timestamped cosignatures (torchwood's
// CosignatureVerifier), checking the key hash.
func ParseWitnessKey(vkey string) (note.Verifier, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return nil, fmt.Errorf("witness key %q: %w", vkey, ErrWitnessKey)
	}
	name, hash16, key64 := parts[0], parts[1], parts[2]
	hash, err := strconv.ParseUint(hash16, 16, 32)
	if err != nil || len(hash16) != 8 {
		return nil, fmt.Errorf("witness key %q: %w: bad key hash", vkey, ErrWitnessKey)
	}
	key, err := base64.StdEncoding.Strict().DecodeString(key64)
	if err != nil || len(key) != 1+ed25519.PublicKeySize || key[0] != 0x04 {
		return nil, fmt.Errorf("witness key %q: %w", vkey, ErrWitnessKey)
	}
	// torchwood builds the verifier from a signer; one that holds only the
	// public key verifies and never signs.
	s, err := torchwood.NewCosignatureSigner(name, publicOnly(key[1:]))
	if err != nil {
		return nil, fmt.Errorf("witness key %q: %w: %v", vkey, ErrWitnessKey, err)
	}
	v := s.Verifier()
	if v.KeyHash() != uint32(hash) || v.String() != vkey {
		return nil, fmt.Errorf("witness key %q: %w: key hash does not match", vkey, ErrWitnessKey)
	}
	return v, nil
}

// publicOnly is a crypto.Signer that knows only an Ed25519 public key.
type publicOnly ed25519.PublicKey

// Public returns the public key.
func (p publicOnly) Public() stdcrypto.PublicKey { return ed25519.PublicKey(p) }

// Sign always fails: only the witness holds its private key.
func (p publicOnly) Sign(_ io.Reader, _ []byte, _ stdcrypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("witness verifier cannot sign")
}

func (b *witnessSetBody) set() (*WitnessSet, error) {
	if b.Seq == 0 {
		return nil, fmt.Errorf("%w: witness set sequence number 0", ErrMalformed)
	}
	if len(b.Names) != len(b.Keys) || len(b.Keys) == 0 || len(b.Keys) > MaxWitnesses {
		return nil, fmt.Errorf("%w: %d witnesses, want 1 to %d", ErrMalformed, len(b.Keys), MaxWitnesses)
	}
	if b.Quorum < 1 || b.Quorum > uint64(len(b.Keys)) {
		return nil, fmt.Errorf("%w: witness quorum %d of %d", ErrMalformed, b.Quorum, len(b.Keys))
	}
	if b.Fresh <= 0 || b.Release <= 0 || b.Release > b.Fresh || b.Fresh > 30*86400 {
		return nil, fmt.Errorf("%w: freshness windows %ds and %ds", ErrMalformed, b.Fresh, b.Release)
	}
	if _, err := note.NewVerifier(b.LogKey); err != nil {
		return nil, fmt.Errorf("%w: witness set log key: %v", ErrMalformed, err)
	}
	ws := &WitnessSet{Seq: b.Seq, LogKey: b.LogKey, Quorum: int(b.Quorum), Freshness: time.Duration(b.Fresh) * time.Second,
		ReleaseFreshness: time.Duration(b.Release) * time.Second, Issued: unix(b.Issued)}
	seen := make(map[string]bool)
	for i, k := range b.Keys {
		v, err := ParseWitnessKey(k)
		if err != nil {
			return nil, err
		}
		if v.Name() != b.Names[i] {
			return nil, fmt.Errorf("%w: witness %q has a key named %q", ErrMalformed, b.Names[i], v.Name())
		}
		if seen[v.Name()] {
			return nil, fmt.Errorf("%w: witness %q named twice", ErrMalformed, v.Name())
		}
		seen[v.Name()] = true
		ws.Witnesses = append(ws.Witnesses, Witness{Name: b.Names[i], Key: k})
	}
	return ws, nil
}

func (ws *WitnessSet) body() (*witnessSetBody, error) {
	b := &witnessSetBody{Seq: ws.Seq, LogKey: ws.LogKey, Fresh: int64(ws.Freshness / time.Second),
		Release: int64(ws.ReleaseFreshness / time.Second), Issued: ws.Issued.Unix()}
	if ws.Quorum > 0 {
		b.Quorum = uint64(ws.Quorum)
	}
	for _, w := range ws.Witnesses {
		b.Names = append(b.Names, w.Name)
		b.Keys = append(b.Keys, w.Key)
	}
	if _, err := b.set(); err != nil {
		return nil, err
	}
	return b, nil
}

// NewWitness returns the witness whose verifier key text is vkey (its
// name is the key's name).
func NewWitness(vkey string) (Witness, error) {
	v, err := ParseWitnessKey(strings.TrimSpace(vkey))
	if err != nil {
		return Witness{}, err
	}
	return Witness{Name: v.Name(), Key: strings.TrimSpace(vkey)}, nil
}

// SignWitnessSet encodes ws (zero windows take the defaults) and signs it
// with the root keys (at least the scheme's threshold of them).
func SignWitnessSet(ws *WitnessSet, roots []ed25519.PrivateKey) ([]byte, error) {
	c := *ws
	if c.Freshness == 0 {
		c.Freshness = DefaultFreshness
	}
	if c.ReleaseFreshness == 0 {
		c.ReleaseFreshness = min(DefaultReleaseFreshness, c.Freshness)
	}
	b, err := c.body()
	if err != nil {
		return nil, fmt.Errorf("sign witness set %d: %w", ws.Seq, err)
	}
	out, err := signObject(TypeWitnessSet, b, roots)
	if err != nil {
		return nil, fmt.Errorf("sign witness set %d: %w", ws.Seq, err)
	}
	return out, nil
}

// VerifyWitnessSet decodes a witness set and checks it carries the
// threshold of s's root signatures.
func (s *Scheme) VerifyWitnessSet(b []byte) (*WitnessSet, error) {
	sd, err := ParseSigned(b, TypeWitnessSet)
	if err != nil {
		return nil, fmt.Errorf("verify witness set: %w", err)
	}
	var body witnessSetBody
	if err := unmarshal(sd.Body, &body); err != nil {
		return nil, fmt.Errorf("verify witness set: %w", err)
	}
	ws, err := body.set()
	if err != nil {
		return nil, fmt.Errorf("verify witness set: %w", err)
	}
	if err := s.verifyThreshold(sd); err != nil {
		return nil, fmt.Errorf("verify witness set %d: %w", ws.Seq, err)
	}
	return ws, nil
}

// WitnessSet returns the scheme's verified witness set, or nil if the
// scheme names no witnesses (Scheme.Witnesses is empty).
func (s *Scheme) WitnessSet() (*WitnessSet, error) {
	if s.Witnesses == "" {
		return nil, nil
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(s.Witnesses)
	if err != nil {
		return nil, fmt.Errorf("scheme witnesses: %w: %v", ErrMalformed, err)
	}
	ws, err := s.VerifyWitnessSet(raw)
	if err != nil && len(s.History) > 0 {
		// Signed before a root rotation: the roots it was signed by are
		// the scheme's first ones, pinned by the verified history.
		if o, oerr := s.Origin(); oerr == nil {
			if ows, oerr := o.VerifyWitnessSet(raw); oerr == nil {
				return ows, nil
			}
		}
	}
	return ws, err
}

// SetWitnesses puts a signed witness set (SignWitnessSet) into the scheme
// after verifying it against the scheme's roots; its Seq must be above the
// current set's.
func (s *Scheme) SetWitnesses(signed []byte) error {
	ws, err := s.VerifyWitnessSet(signed)
	if err != nil {
		return err
	}
	cur, err := s.WitnessSet()
	if err != nil {
		return err
	}
	if cur != nil && ws.Seq <= cur.Seq {
		return fmt.Errorf("set witnesses: %w: witness set %d does not follow %d", ErrSchemeChain, ws.Seq, cur.Seq)
	}
	s.Witnesses = base64.StdEncoding.EncodeToString(signed)
	return nil
}
