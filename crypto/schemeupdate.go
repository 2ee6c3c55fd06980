package crypto

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrSchemeChain means a scheme update does not follow the scheme it is
// applied to: a sequence number that is not the next one, previous roots
// or threshold that are not the current ones, or an update that contradicts
// one already applied or pinned in the scheme file's history.
var ErrSchemeChain = errors.New("scheme update does not follow the current scheme")

// MaxSchemeUpdates bounds the root rotations a scheme file's history may
// carry.
const MaxSchemeUpdates = 64

// SchemeUpdate replaces the scheme's root keys and threshold (a root
// rotation ceremony). It is signed by at least PrevThreshold of PrevRoots
// (the roots it replaces) and by at least Threshold of Roots (the new ones,
// proving they are held). Seq is 1 for the first rotation of a scheme and
// one more for each after it.
type SchemeUpdate struct {
	Seq           uint64
	PrevRoots     []ed25519.PublicKey
	PrevThreshold int
	Roots         []ed25519.PublicKey
	Threshold     int
	Issued        time.Time
}

type schemeUpdateBody struct {
	Seq           uint64   `cbor:"seq"`
	PrevRoots     [][]byte `cbor:"prev"`
	PrevThreshold uint64   `cbor:"pk"`
	Roots         [][]byte `cbor:"roots"`
	Threshold     uint64   `cbor:"k"`
	Issued        int64    `cbor:"iat"`
}

// rootSet checks a list of root keys and a threshold.
func rootSet(what string, keys [][]byte, k uint64) ([]ed25519.PublicKey, error) {
	if len(keys) == 0 || len(keys) > MaxRoots {
		return nil, fmt.Errorf("%w: %d %s roots, want 1 to %d", ErrMalformed, len(keys), what, MaxRoots)
	}
	if k < 1 || k > uint64(len(keys)) {
		return nil, fmt.Errorf("%w: %s threshold %d with %d roots", ErrMalformed, what, k, len(keys))
	}
	out := make([]ed25519.PublicKey, 0, len(keys))
	seen := make(map[[8]byte]bool, len(keys))
	for _, b := range keys {
		if len(b) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: %s root of %d bytes", ErrMalformed, what, len(b))
		}
		if seen[KeyID(b)] {
			return nil, fmt.Errorf("%w: duplicate %s root", ErrMalformed, what)
		}
		seen[KeyID(b)] = true
		out = append(out, ed25519.PublicKey(b))
	}
	return out, nil
}

func (b *schemeUpdateBody) update() (*SchemeUpdate, error) {
	if b.Seq == 0 {
		return nil, fmt.Errorf("%w: scheme update sequence number 0", ErrMalformed)
	}
	prev, err := rootSet("previous", b.PrevRoots, b.PrevThreshold)
	if err != nil {
		return nil, err
	}
	roots, err := rootSet("new", b.Roots, b.Threshold)
	if err != nil {
		return nil, err
	}
	return &SchemeUpdate{Seq: b.Seq, PrevRoots: prev, PrevThreshold: int(b.PrevThreshold),
		Roots: roots, Threshold: int(b.Threshold), Issued: unix(b.Issued)}, nil
}

func (u *SchemeUpdate) body() (*schemeUpdateBody, error) {
	b := &schemeUpdateBody{Seq: u.Seq, Issued: u.Issued.Unix()}
	if u.PrevThreshold > 0 {
		b.PrevThreshold = uint64(u.PrevThreshold)
	}
	if u.Threshold > 0 {
		b.Threshold = uint64(u.Threshold)
	}
	for _, k := range u.PrevRoots {
		b.PrevRoots = append(b.PrevRoots, []byte(k))
	}
	for _, k := range u.Roots {
		b.Roots = append(b.Roots, []byte(k))
	}
	if _, err := b.update(); err != nil {
		return nil, err
	}
	return b, nil
}

// withUpdate returns the scheme after the update: s's name, periods and
// log key with the update's roots and threshold, and the update appended
// to the history. The caller checks that u follows s (VerifyUpdate).
func (s *Scheme) withUpdate(u *SchemeUpdate, raw []byte) *Scheme {
	c := *s
	c.Roots = make([]string, len(u.Roots))
	for i, k := range u.Roots {
		c.Roots[i] = EncodePublicKey(k)
	}
	c.Threshold = u.Threshold
	c.History = append(slices.Clone(s.History), base64.StdEncoding.EncodeToString(raw))
	return &c
}

// SignSchemeUpdate encodes u and signs it with the old roots (at least the
// current threshold of them) and the new roots (at least the new threshold
// of them). A root kept across the rotation signs once. Together they may
// carry at most MaxSignatures signatures.
func SignSchemeUpdate(u *SchemeUpdate, oldRoots, newRoots []ed25519.PrivateKey) ([]byte, error) {
	b, err := u.body()
	if err != nil {
		return nil, fmt.Errorf("sign scheme update %d: %w", u.Seq, err)
	}
	keys := slices.Clone(oldRoots)
	for _, k := range newRoots {
		if !slices.ContainsFunc(keys, func(o ed25519.PrivateKey) bool { return o.Equal(k) }) {
			keys = append(keys, k)
		}
	}
	out, err := signObject(TypeSchemeUpdate, b, keys)
	if err != nil {
		return nil, fmt.Errorf("sign scheme update %d: %w", u.Seq, err)
	}
	return out, nil
}

// ParseSchemeUpdate decodes a scheme update WITHOUT verifying it. Never act
// on its result unverified: Scheme.VerifyUpdate and Directory.Add verify.
func ParseSchemeUpdate(b []byte) (*SchemeUpdate, *Signed, error) {
	sd, err := ParseSigned(b, TypeSchemeUpdate)
	if err != nil {
		return nil, nil, fmt.Errorf("parse scheme update: %w", err)
	}
	var body schemeUpdateBody
	if err := unmarshal(sd.Body, &body); err != nil {
		return nil, nil, fmt.Errorf("parse scheme update: %w", err)
	}
	u, err := body.update()
	if err != nil {
		return nil, nil, fmt.Errorf("parse scheme update: %w", err)
	}
	return u, sd, nil
}

// sameRoots reports whether keys are exactly the roots of s, in any order.
func sameRoots(s *Scheme, keys []ed25519.PublicKey) bool {
	have, err := s.rootKeys()
	if err != nil || len(have) != len(keys) {
		return false
	}
	for _, k := range keys {
		if !slices.ContainsFunc(have, func(h ed25519.PublicKey) bool { return h.Equal(k) }) {
			return false
		}
	}
	return true
}

// VerifyUpdate checks that b is the next scheme update of s (the current
// scheme, whose History holds the updates applied so far): sequence number
// len(s.History)+1, previous roots and threshold equal to s's, signed by
// s's threshold of its roots and by the new threshold of the new roots.
// It returns the update and the scheme after it.
func (s *Scheme) VerifyUpdate(b []byte) (*SchemeUpdate, *Scheme, error) {
	u, sd, err := ParseSchemeUpdate(b)
	if err != nil {
		return nil, nil, err
	}
	if want := uint64(len(s.History)) + 1; u.Seq != want {
		return nil, nil, fmt.Errorf("verify scheme update %d: %w: the next update is %d", u.Seq, ErrSchemeChain, want)
	}
	if u.PrevThreshold != s.Threshold || !sameRoots(s, u.PrevRoots) {
		return nil, nil, fmt.Errorf("verify scheme update %d: %w: it replaces other roots than the current ones", u.Seq, ErrSchemeChain)
	}
	if err := s.verifyThreshold(sd); err != nil {
		return nil, nil, fmt.Errorf("verify scheme update %d: current roots: %w", u.Seq, err)
	}
	next := s.withUpdate(u, b)
	if err := next.verifyThreshold(sd); err != nil {
		return nil, nil, fmt.Errorf("verify scheme update %d: new roots: %w", u.Seq, err)
	}
	return u, next, nil
}

// Origin returns the scheme as it was before the first update in its
// History (s itself when there is none), after checking the history chain
// backwards from s's roots: each update must produce the roots and
// threshold after it and carry their threshold of signatures, and the
// previous roots' threshold too. A scheme file handed to a new member
// after a root rotation pins the new roots (its fingerprint) and carries the
// history, so that the directory log can be verified from its first entry.
func (s *Scheme) Origin() (*Scheme, error) {
	if len(s.History) == 0 {
		c := *s
		c.Roots = slices.Clone(s.Roots)
		return &c, nil
	}
	if len(s.History) > MaxSchemeUpdates {
		return nil, fmt.Errorf("%w: %d scheme updates in the history, at most %d", ErrMalformed, len(s.History), MaxSchemeUpdates)
	}
	cur := *s
	cur.Roots = slices.Clone(s.Roots)
	for i := len(s.History) - 1; i >= 0; i-- {
		raw, err := base64.StdEncoding.Strict().DecodeString(s.History[i])
		if err != nil {
			return nil, fmt.Errorf("scheme history %d: %w: %v", i+1, ErrMalformed, err)
		}
		u, sd, err := ParseSchemeUpdate(raw)
		if err != nil {
			return nil, fmt.Errorf("scheme history %d: %w", i+1, err)
		}
		if u.Seq != uint64(i+1) {
			return nil, fmt.Errorf("scheme history %d: %w: holds update %d", i+1, ErrSchemeChain, u.Seq)
		}
		if u.Threshold != cur.Threshold || !sameRoots(&cur, u.Roots) {
			return nil, fmt.Errorf("scheme history %d: %w: does not produce the roots after it", i+1, ErrSchemeChain)
		}
		if err := cur.verifyThreshold(sd); err != nil {
			return nil, fmt.Errorf("scheme history %d: new roots: %w", i+1, err)
		}
		prev := cur
		prev.Roots = make([]string, len(u.PrevRoots))
		for j, k := range u.PrevRoots {
			prev.Roots[j] = EncodePublicKey(k)
		}
		prev.Threshold = u.PrevThreshold
		prev.History = s.History[:i:i]
		if err := prev.verifyThreshold(sd); err != nil {
			return nil, fmt.Errorf("scheme history %d: previous roots: %w", i+1, err)
		}
		cur = prev
	}
	cur.History = nil
	return &cur, nil
}

// historyObject returns the raw scheme update number seq (from 1) pinned
// in s's history, or nil.
func (s *Scheme) historyObject(seq uint64) []byte {
	if seq == 0 || seq > uint64(len(s.History)) {
		return nil
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s.History[seq-1])
	if err != nil {
		return nil
	}
	return b
}
