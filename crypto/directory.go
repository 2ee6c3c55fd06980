package crypto

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// DeviceEntry is a verified device in the Directory. Entries are immutable
// snapshots: the Directory replaces an entry rather than changing it, so a
// caller may keep one, but must not modify it.
type DeviceEntry struct {
	Cert      *DeviceCert
	Recipient string      // newest verified encryption key (age1pq1...)
	KeySeq    uint64      // sequence number of Recipient; 0 is the certificate's own
	Revoked   *Revocation // nil while the device is current
	Raw       []byte      // the certificate bytes as received
}

// OrgEntry is a verified organisation in the Directory; immutable like
// DeviceEntry.
type OrgEntry struct {
	Cert    *OrgCert
	Revoked *Revocation // nil while the organisation is current
	Raw     []byte      // the certificate bytes as received
	Policy  *OrgPolicy  // newest verified policy, nil if none
}

// Directory is the verified in-memory view of the scheme's keys, used by the
// relay (to authenticate and route) and by clients (to encrypt and to verify
// senders). Every object is verified before it is applied. It is safe for
// concurrent use.
type Directory struct {
	anchor *Scheme // the scheme given to NewDirectory; immutable

	mu sync.RWMutex // guards scheme, orgs, devices and byOrg
	// scheme is the current scheme: the anchor's origin (Scheme.Origin)
	// with every scheme update applied so far in its History.
	scheme *Scheme
	// orgs and devices map ids to their current (immutable) entries.
	orgs    map[OrgID]*OrgEntry
	devices map[DeviceID]*DeviceEntry
	// byOrg lists each organisation's device ids, in order of addition.
	byOrg map[OrgID][]DeviceID
	// witnesses is the newest verified witness set: the scheme file's, or
	// a later one (higher Seq) published to the log; nil if none.
	witnesses *WitnessSet
}

// NewDirectory returns an empty directory that trusts the roots of s. The
// scheme must have been validated by ParseScheme.
//
// A scheme whose History records root rotations starts from the roots
// before the first of them (its Origin), and the directory follows the
// rotations as their scheme updates arrive in the log, accepting only the
// very updates the history pins. A history that does not verify leaves the
// directory trusting only s's own roots.
func NewDirectory(s *Scheme) *Directory {
	anchor := *s
	anchor.Roots = slices.Clone(s.Roots)
	anchor.History = slices.Clone(s.History)
	start, err := anchor.Origin()
	if err != nil {
		start = &Scheme{}
		*start = anchor
		start.Roots = slices.Clone(anchor.Roots)
		start.History = nil
		anchor.History = nil
	}
	ws, _ := anchor.WitnessSet() // ParseScheme verified it
	return &Directory{
		anchor:    &anchor,
		scheme:    start,
		orgs:      make(map[OrgID]*OrgEntry),
		devices:   make(map[DeviceID]*DeviceEntry),
		byOrg:     make(map[OrgID][]DeviceID),
		witnesses: ws,
	}
}

// WitnessSet returns the newest verified witness set (the scheme file's,
// or a later one from the log), or nil if the scheme names none.
func (d *Directory) WitnessSet() *WitnessSet {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.witnesses
}

// addWitnessSet applies a witness-set change published to the log: it
// must carry the current roots' threshold of signatures and a Seq above
// the current set's; an older or equal one is ignored.
func (d *Directory) addWitnessSet(raw []byte) error {
	ws, err := d.scheme.VerifyWitnessSet(raw)
	if err != nil {
		return err
	}
	if d.witnesses != nil && ws.Seq <= d.witnesses.Seq {
		return nil
	}
	d.witnesses = ws
	return nil
}

// Scheme returns a copy of the directory's current scheme: after a root
// rotation its Roots and Threshold are the new ones and its History holds
// the scheme updates applied, so its Marshal is the scheme file to hand to
// new members.
func (d *Directory) Scheme() *Scheme {
	d.mu.RLock()
	defer d.mu.RUnlock()
	c := *d.scheme
	c.Roots = slices.Clone(d.scheme.Roots)
	c.History = slices.Clone(d.scheme.History)
	return &c
}

// Policy returns the organisation's newest verified policy, or nil.
func (d *Directory) Policy(org OrgID) *OrgPolicy {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if o := d.orgs[org]; o != nil {
		return o.Policy
	}
	return nil
}

// Add verifies and applies one signed object of kind "org-cert",
// "device-cert", "revocation", "key-update", "scheme-update" or
// "org-policy" or "witness-set" (Signed.Type tells which) and returns the
// kind. Adding an
// identical object again is a no-op. Rules:
//
//   - an org cert must be signed by Threshold roots of the current scheme
//     and valid at now; one for an organisation already present replaces
//     it only if it was issued later (renewal, admin key change), otherwise
//     it is ignored. A re-issue signed instead by a current admin key of the
//     organisation (and by each new admin key) replaces it if only the admin
//     keys changed (VerifyOrgCertByAdmin);
//   - a scheme update must be the next one (Scheme.VerifyUpdate), and one
//     the anchor scheme's History pins must be that very object; from then
//     on org certs and org revocations are checked against the new roots.
//     Org certs signed by the old roots stay valid until they expire or are
//     re-issued. An update already applied is ignored; a different one with
//     a sequence number already used is ErrSchemeChain;
//   - an org policy needs its organisation present and not revoked and
//     must be signed by one of its admin keys; one whose Seq is not above
//     the current one is ignored;
//   - a device cert needs its organisation present and not revoked, must be
//     signed by one of its admin keys and valid at now; a later-issued cert
//     for a known device replaces the old one (same organisation only);
//   - a key update needs its device present and not revoked; one whose Seq
//     is not above the current one is ignored without error;
//   - revocations are final: nothing revoked can be re-added or updated,
//     and a second revocation of the same thing is ignored;
//   - a witness set must carry the current roots' threshold of signatures;
//     one whose Seq is not above the current one is ignored.
func (d *Directory) Add(b []byte, now time.Time) (kind string, err error) {
	sd, err := ParseSigned(b, "")
	if err != nil {
		return "", fmt.Errorf("directory add: %w", err)
	}
	raw := bytes.Clone(b)
	d.mu.Lock()
	defer d.mu.Unlock()
	switch sd.Type {
	case TypeOrgCert:
		err = d.addOrgCert(sd, raw, now)
	case TypeDeviceCert:
		err = d.addDeviceCert(sd, raw, now)
	case TypeRevocation:
		err = d.addRevocation(sd)
	case TypeKeyUpdate:
		err = d.addKeyUpdate(sd, raw)
	case TypeSchemeUpdate:
		err = d.addSchemeUpdate(raw)
	case TypeOrgPolicy:
		err = d.addOrgPolicy(sd)
	case TypeWitnessSet:
		err = d.addWitnessSet(raw)
	default:
		err = fmt.Errorf("%w: %q is not a directory object", ErrMalformed, sd.Type)
	}
	if err != nil {
		return sd.Type, fmt.Errorf("directory add %s: %w", sd.Type, err)
	}
	return sd.Type, nil
}

func (d *Directory) addOrgCert(sd *Signed, raw []byte, now time.Time) error {
	c, err := d.scheme.verifyOrgCertSigned(sd, now)
	if errors.Is(err, ErrUnknownRoot) || errors.Is(err, ErrBelowThreshold) {
		// Perhaps an admin key rotation signed by the organisation's admin.
		if body, derr := decodeOrgCert(sd.Body); derr == nil {
			if cur := d.orgs[body.Org]; cur != nil && cur.Revoked == nil && hasSigBy(sd, cur.Cert.AdminKeys) {
				if bytes.Equal(cur.Raw, raw) {
					return nil
				}
				c, err = verifyOrgCertByAdminSigned(sd, cur.Cert, now)
			}
		}
	}
	if err != nil {
		return err
	}
	old := d.orgs[c.Org]
	var policy *OrgPolicy
	switch {
	case old == nil:
	case old.Revoked != nil:
		return fmt.Errorf("organisation %s: %w", c.Org, ErrRevoked)
	case !c.Issued.After(old.Cert.Issued):
		return nil // identical or stale
	default:
		policy = old.Policy
	}
	d.orgs[c.Org] = &OrgEntry{Cert: c, Raw: raw, Policy: policy}
	return nil
}

func (d *Directory) addSchemeUpdate(raw []byte) error {
	u, _, err := ParseSchemeUpdate(raw)
	if err != nil {
		return err
	}
	if n := uint64(len(d.scheme.History)); u.Seq <= n {
		if bytes.Equal(d.scheme.historyObject(u.Seq), raw) {
			return nil // already applied
		}
		return fmt.Errorf("scheme update %d: %w: a different update %d was applied", u.Seq, ErrSchemeChain, u.Seq)
	}
	if pinned := d.anchor.historyObject(u.Seq); pinned != nil && !bytes.Equal(pinned, raw) {
		return fmt.Errorf("scheme update %d: %w: not the update the scheme file pins", u.Seq, ErrSchemeChain)
	}
	_, next, err := d.scheme.VerifyUpdate(raw)
	if err != nil {
		return err
	}
	d.scheme = next
	return nil
}

func (d *Directory) addOrgPolicy(sd *Signed) error {
	p, err := decodeOrgPolicy(sd.Body)
	if err != nil {
		return err
	}
	org := d.orgs[p.Org]
	if org == nil {
		return fmt.Errorf("policy: organisation %s: %w", p.Org, ErrUnknownOrg)
	}
	if org.Revoked != nil {
		return fmt.Errorf("policy: organisation %s: %w", p.Org, ErrRevoked)
	}
	if p, err = verifyOrgPolicySigned(sd, org.Cert); err != nil {
		return err
	}
	if org.Policy != nil && p.Seq <= org.Policy.Seq {
		return nil // replayed or stale
	}
	e := *org
	e.Policy = p
	d.orgs[p.Org] = &e
	return nil
}

func (d *Directory) addDeviceCert(sd *Signed, raw []byte, now time.Time) error {
	c, err := decodeDeviceCert(sd.Body)
	if err != nil {
		return err
	}
	org := d.orgs[c.Org]
	if org == nil {
		return fmt.Errorf("device %s: organisation %s: %w", c.Device, c.Org, ErrUnknownOrg)
	}
	if org.Revoked != nil {
		return fmt.Errorf("device %s: organisation %s: %w", c.Device, c.Org, ErrRevoked)
	}
	if c, err = verifyDeviceCertSigned(sd, org.Cert, now); err != nil {
		return err
	}
	old := d.devices[c.Device]
	entry := &DeviceEntry{Cert: c, Recipient: c.Recipient, Raw: raw}
	switch {
	case old == nil:
		d.byOrg[c.Org] = append(d.byOrg[c.Org], c.Device)
	case old.Revoked != nil:
		return fmt.Errorf("device %s: %w", c.Device, ErrRevoked)
	case old.Cert.Org != c.Org:
		return fmt.Errorf("device %s: %w: already enrolled in %s", c.Device, ErrWrongOrg, old.Cert.Org)
	case !c.Issued.After(old.Cert.Issued):
		return nil // identical or stale
	case bytes.Equal(old.Cert.SigningKey, c.SigningKey) && old.KeySeq > 0:
		// Renewal of the same identity: its key updates still stand.
		entry.Recipient, entry.KeySeq = old.Recipient, old.KeySeq
	}
	d.devices[c.Device] = entry
	return nil
}

func (d *Directory) addRevocation(sd *Signed) error {
	r, err := decodeRevocation(sd.Body)
	if err != nil {
		return err
	}
	org := d.orgs[r.Org]
	if org == nil {
		return fmt.Errorf("revocation: organisation %s: %w", r.Org, ErrUnknownOrg)
	}
	if r.IsOrg() {
		if err := d.scheme.verifyThreshold(sd); err != nil {
			return fmt.Errorf("revocation of organisation %s: %w", r.Org, err)
		}
		if org.Revoked == nil {
			d.orgs[r.Org] = &OrgEntry{Cert: org.Cert, Raw: org.Raw, Revoked: r, Policy: org.Policy}
		}
		return nil
	}
	dev := d.devices[r.Device]
	if dev == nil {
		return fmt.Errorf("revocation: device %s: %w", r.Device, ErrUnknownDevice)
	}
	if dev.Cert.Org != r.Org {
		return fmt.Errorf("revocation: device %s: %w: belongs to %s, not %s", r.Device, ErrWrongOrg, dev.Cert.Org, r.Org)
	}
	if _, err := sd.verifyBy(org.Cert.AdminKeys); err != nil {
		return fmt.Errorf("revocation of device %s: admin of %s: %w", r.Device, r.Org, err)
	}
	if dev.Revoked == nil {
		e := *dev
		e.Revoked = r
		d.devices[r.Device] = &e
	}
	return nil
}

func (d *Directory) addKeyUpdate(sd *Signed, raw []byte) error {
	u, err := decodeKeyUpdate(sd.Body)
	if err != nil {
		return err
	}
	dev := d.devices[u.Device]
	if dev == nil {
		return fmt.Errorf("key update: device %s: %w", u.Device, ErrUnknownDevice)
	}
	if _, err := VerifyKeyUpdate(raw, dev.Cert); err != nil {
		return err
	}
	if dev.Revoked != nil {
		return fmt.Errorf("key update: device %s: %w", u.Device, ErrRevoked)
	}
	if u.Seq <= dev.KeySeq {
		return nil // replayed or stale
	}
	e := *dev
	e.Recipient, e.KeySeq = u.Recipient, u.Seq
	d.devices[u.Device] = &e
	return nil
}

// Org returns the organisation's entry, revoked or not, or ErrUnknownOrg.
func (d *Directory) Org(id OrgID) (*OrgEntry, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	e := d.orgs[id]
	if e == nil {
		return nil, fmt.Errorf("organisation %s: %w", id, ErrUnknownOrg)
	}
	return e, nil
}

// Device returns the device's entry, or ErrUnknownDevice. A revoked device
// is returned too: check Revoked.
func (d *Directory) Device(id DeviceID) (*DeviceEntry, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	e := d.devices[id]
	if e == nil {
		return nil, fmt.Errorf("device %s: %w", id, ErrUnknownDevice)
	}
	return e, nil
}

// Orgs returns every organisation, revoked ones included, sorted by name
// (then id).
func (d *Directory) Orgs() []*OrgEntry {
	d.mu.RLock()
	out := make([]*OrgEntry, 0, len(d.orgs))
	for _, e := range d.orgs {
		out = append(out, e)
	}
	d.mu.RUnlock()
	slices.SortFunc(out, func(a, b *OrgEntry) int {
		if c := strings.Compare(a.Cert.Name, b.Cert.Name); c != 0 {
			return c
		}
		return bytes.Compare(a.Cert.Org[:], b.Cert.Org[:])
	})
	return out
}

// Devices returns every device of org, revoked ones included, sorted by
// name (then id).
func (d *Directory) Devices(org OrgID) []*DeviceEntry {
	d.mu.RLock()
	out := make([]*DeviceEntry, 0, len(d.byOrg[org]))
	for _, id := range d.byOrg[org] {
		out = append(out, d.devices[id])
	}
	d.mu.RUnlock()
	sortDevices(out)
	return out
}

func sortDevices(out []*DeviceEntry) {
	slices.SortFunc(out, func(a, b *DeviceEntry) int {
		if c := strings.Compare(a.Cert.Name, b.Cert.Name); c != 0 {
			return c
		}
		return bytes.Compare(a.Cert.Device[:], b.Cert.Device[:])
	})
}

// CurrentDevices returns the devices of org that an envelope should be
// sealed to at now: neither the device nor the organisation revoked, and
// both certificates valid at now. Sorted by name.
func (d *Directory) CurrentDevices(org OrgID, now time.Time) []*DeviceEntry {
	d.mu.RLock()
	defer d.mu.RUnlock()
	o := d.orgs[org]
	if o == nil || o.Revoked != nil || checkValidity(o.Cert.NotBefore, o.Cert.NotAfter, now) != nil {
		return nil
	}
	var out []*DeviceEntry
	for _, id := range d.byOrg[org] {
		e := d.devices[id]
		if e.Revoked == nil && checkValidity(e.Cert.NotBefore, e.Cert.NotAfter, now) == nil {
			out = append(out, e)
		}
	}
	sortDevices(out)
	return out
}

// Recipients returns the Seal recipient list for org's mailbox at now: each
// current device with its newest key.
func (d *Directory) Recipients(org OrgID, now time.Time) []Recipient {
	devs := d.CurrentDevices(org, now)
	out := make([]Recipient, len(devs))
	for i, e := range devs {
		out[i] = Recipient{Device: e.Cert.Device, Key: e.Recipient}
	}
	return out
}

// SenderAt implements SenderDirectory: it returns the device's certificate
// and its organisation's, failing with ErrUnknownDevice (or ErrUnknownOrg),
// ErrRevoked if the device or organisation was revoked at or before at, and
// ErrExpired or ErrNotYetValid if either certificate is not valid at at.
func (d *Directory) SenderAt(id DeviceID, at time.Time) (*DeviceCert, *OrgCert, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	dev := d.devices[id]
	if dev == nil {
		return nil, nil, fmt.Errorf("sender %s: %w", id, ErrUnknownDevice)
	}
	org := d.orgs[dev.Cert.Org]
	if org == nil {
		return nil, nil, fmt.Errorf("sender %s: organisation %s: %w", id, dev.Cert.Org, ErrUnknownOrg)
	}
	if r := dev.Revoked; r != nil && !r.RevokedAt.After(at) {
		return nil, nil, fmt.Errorf("sender %s: %w at %s", id, ErrRevoked, r.RevokedAt.Format(time.RFC3339))
	}
	if r := org.Revoked; r != nil && !r.RevokedAt.After(at) {
		return nil, nil, fmt.Errorf("sender %s: organisation %s: %w at %s", id, org.Cert.Org, ErrRevoked, r.RevokedAt.Format(time.RFC3339))
	}
	if err := checkValidity(dev.Cert.NotBefore, dev.Cert.NotAfter, at); err != nil {
		return nil, nil, fmt.Errorf("sender %s: %w", id, err)
	}
	if err := checkValidity(org.Cert.NotBefore, org.Cert.NotAfter, at); err != nil {
		return nil, nil, fmt.Errorf("sender %s: organisation %s: %w", id, org.Cert.Org, err)
	}
	return dev.Cert, org.Cert, nil
}
