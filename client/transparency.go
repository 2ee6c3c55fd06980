package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/fxamacker/cbor/v2"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/translog"
	"github.com/saferef/saferef/protocol"
)

// Transparency-log errors callers branch on.
var (
	// ErrLogInconsistent means the relay's signed transparency log failed a
	// check: a rolled-back or forked log, entries that do not match the
	// signed checkpoint, or a changed log key. It wraps the translog error.
	ErrLogInconsistent = errors.New("the relay's signed directory log failed a check")
	// ErrRelayUntrusted means sending is stopped because an earlier check
	// of the relay's log failed (see Device.Alerts); ResolveAlerts lifts it.
	ErrRelayUntrusted = errors.New("sending stopped: the relay's directory does not match its signed log")
	// ErrNotInLog means a certificate or key the device was about to use is
	// not proved to be in the relay's signed log.
	ErrNotInLog = errors.New("the relay's directory does not match its signed log")
)

// Alert kinds recorded in the case store.
const (
	AlertSplitView = "split-view"
	AlertRollback  = "rollback"
	AlertTampered  = "tampered"
	AlertLogKey    = "log-key"
)

// Alert is a warning the device raised about the relay. Message is plain
// words for the user.
type Alert = casestore.Alert

// logRecord is one directory log record the device uses: its index and
// its bytes.
type logRecord struct {
	index uint64
	raw   []byte
}

// explainLog turns a translog error into an alert kind and plain words.
func explainLog(err error) (kind, words string) {
	switch {
	case errors.Is(err, translog.ErrSplitView):
		return AlertSplitView, "split view: the relay has shown this device a list of keys that contradicts the one it showed before or showed another organisation"
	case errors.Is(err, translog.ErrRollback):
		return AlertRollback, "the relay's list of keys has gone back to an older state than this device has already seen (restored from an old backup, or hiding changes)"
	case errors.Is(err, translog.ErrWrongLogKey):
		return AlertLogKey, "the relay signs its log with a different key from the one this device pinned at enrolment"
	case errors.Is(err, translog.ErrTreeMismatch), errors.Is(err, translog.ErrOutOfRange):
		return AlertTampered, "the relay's directory does not match its signed log (possible tampering)"
	default:
		return AlertTampered, "the relay's signed log checkpoint does not verify with the key this device trusts (possible tampering)"
	}
}

// logFailure records an alert for a failed log check, stops sending, and
// returns the error to report.
func (d *Device) logFailure(ctx context.Context, err error) error {
	kind, words := explainLog(err)
	msg := words + "; sending is stopped until this is resolved: tell your scheme coordinator"
	d.raise(ctx, kind, msg)
	return fmt.Errorf("%w: %s: %w", ErrLogInconsistent, msg, err)
}

// raise records an alert (best effort: the in-memory stop holds even if
// the store cannot be written) and stops sending.
func (d *Device) raise(ctx context.Context, kind, msg string) {
	d.mu.Lock()
	if d.untrusted == "" {
		d.untrusted = msg
	}
	d.mu.Unlock()
	d.store.AddAlert(ctx, &casestore.Alert{At: d.now(), Kind: kind, Message: msg})
}

// Alerts returns the unresolved warnings this device raised about the
// relay (split view, rollback, tampering), oldest first.
func (d *Device) Alerts(ctx context.Context) ([]Alert, error) {
	a, err := d.store.Alerts(ctx, true)
	if err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	return a, nil
}

// ResolveAlerts marks every alert resolved and lets the device send again.
// Only the scheme coordinator, having found the cause, should ask a user
// to do this.
func (d *Device) ResolveAlerts(ctx context.Context) (int, error) {
	n, err := d.store.ResolveAlerts(ctx)
	if err != nil {
		return 0, fmt.Errorf("resolve alerts: %w", err)
	}
	d.mu.Lock()
	d.untrusted = ""
	d.mu.Unlock()
	return n, nil
}

// LogCheckpoint returns the newest relay checkpoint this device has
// verified (the one it puts in its envelopes), or nil.
func (d *Device) LogCheckpoint() *translog.Checkpoint {
	d.mu.Lock()
	m := d.monitor
	d.mu.Unlock()
	if m == nil {
		return nil
	}
	return m.Latest()
}

// loadMonitor restores the log monitor and any standing alert from the case
// store, and rebuilds the record tree from the cached directory.
func (d *Device) loadMonitor(ctx context.Context, cached []casestore.DirectoryObject) error {
	b, err := d.store.LogMonitor(ctx)
	if err != nil {
		return err
	}
	if b != nil {
		m, err := translog.UnmarshalMonitor(b)
		if err != nil {
			return fmt.Errorf("transparency log state: %w", err)
		}
		m.SetWitnesses(d.witnesses)
		d.monitor = m
	}
	d.tree = translog.NewTree()
	for i, o := range cached {
		if o.Index != uint64(i) {
			return fmt.Errorf("directory cache: entry %d has index %d", i, o.Index)
		}
		if _, err := d.tree.Append(o.Object); err != nil {
			return fmt.Errorf("directory cache: %w", err)
		}
	}
	alerts, err := d.store.Alerts(ctx, true)
	if err != nil {
		return err
	}
	for _, a := range alerts {
		if blockingAlert(a.Kind) {
			d.untrusted = a.Message
			break
		}
	}
	return nil
}

// pinLogKey checks the log key the relay announced against the one this
// device trusts (the scheme's, or the one pinned on first contact), and
// creates the monitor on first contact.
func (d *Device) pinLogKey(ctx context.Context, served string) error {
	d.mu.Lock()
	m := d.monitor
	d.mu.Unlock()
	pinned := ""
	if m != nil {
		pinned = m.VerifierKey()
	}
	key, err := translog.PinnedKey(d.scheme, pinned, served)
	if err != nil {
		return d.logFailure(ctx, err)
	}
	if key == "" {
		return fmt.Errorf("%w: the relay announced no transparency log key", ErrLogInconsistent)
	}
	if m != nil && m.VerifierKey() == key {
		return nil
	}
	nm, err := translog.NewMonitor(key)
	if err != nil {
		return d.logFailure(ctx, fmt.Errorf("%w: %w", translog.ErrWrongLogKey, err))
	}
	d.mu.Lock()
	w := d.witnesses
	d.mu.Unlock()
	nm.SetWitnesses(w)
	d.mu.Lock()
	d.monitor = nm
	d.mu.Unlock()
	return nil
}

// checkLog verifies what the relay served: its checkpoint must extend the
// newest one this device holds (by a consistency proof), and the directory
// entries (cached ones and the new ones) must hash to the checkpoint's root,
// which proves every one of them included. Only then are the new entries
// cached. The monitor is saved after each accepted checkpoint.
func (d *Device) checkLog(ctx context.Context, c *relay.Conn, l *relay.DirectoryLog) error {
	d.mu.Lock()
	m := d.monitor
	d.mu.Unlock()
	if m == nil {
		return fmt.Errorf("%w: no pinned log key", ErrLogInconsistent)
	}
	cp, err := m.Open(l.Checkpoint)
	if err != nil {
		return d.logFailure(ctx, err)
	}
	var proof [][32]byte
	if latest := m.Latest(); latest != nil && cp.Size > latest.Size {
		p, err := c.Proof(ctx, protocol.ProofGet{OldSize: uint64(latest.Size), Size: uint64(cp.Size)})
		var pe *protocol.Error
		switch {
		case errors.As(err, &pe) && pe.Code == protocol.CodeBeyondLog:
			// No proof: Update refuses the checkpoint below.
		case err != nil:
			return err
		default:
			proof = p.Consistency
		}
	}
	if _, err := m.Update(l.Checkpoint, proof); err != nil {
		return d.logFailure(ctx, err)
	}
	if err := d.verifyEntries(ctx, cp, l.Entries); err != nil {
		return d.logFailure(ctx, err)
	}
	state, err := m.Marshal()
	if err != nil {
		return err
	}
	if err := d.store.SaveLogMonitor(ctx, state); err != nil {
		return err
	}
	d.clearStale(ctx)
	return nil
}

// verifyEntries appends the new entries to the record tree and checks the
// tree against the checkpoint. On a mismatch the tree is rebuilt from the
// cache, without them.
func (d *Device) verifyEntries(ctx context.Context, cp *translog.Checkpoint, entries []protocol.DirectoryEntry) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	err := func() error {
		for _, e := range entries {
			if e.Index != uint64(d.tree.Size()) {
				return fmt.Errorf("%w: entry %d served where %d was expected", translog.ErrTreeMismatch, e.Index, d.tree.Size())
			}
			if _, err := d.tree.Append(e.Object); err != nil {
				return err
			}
		}
		if d.tree.Size() < cp.Size {
			return fmt.Errorf("%w: %d entries served for a log of %d", translog.ErrOutOfRange, d.tree.Size(), cp.Size)
		}
		root, err := d.tree.Root(cp.Size)
		if err != nil {
			return err
		}
		if root != cp.Root {
			return fmt.Errorf("%w: %d entries", translog.ErrTreeMismatch, cp.Size)
		}
		return nil
	}()
	if err == nil || len(entries) == 0 {
		return err
	}
	cached, cerr := d.store.Directory(ctx)
	if cerr != nil {
		return errors.Join(err, cerr)
	}
	d.tree = translog.NewTree()
	for _, o := range cached {
		d.tree.Append(o.Object)
	}
	return err
}

// prove checks, by an inclusion proof against the newest verified
// checkpoint, that rec is in the relay's log.
func (d *Device) prove(rec logRecord, ok bool) error {
	d.mu.Lock()
	m, tree := d.monitor, d.tree
	d.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: entry not seen in the log", translog.ErrBadProof)
	}
	if m == nil || m.Latest() == nil {
		return fmt.Errorf("%w: no verified checkpoint yet", translog.ErrBadProof)
	}
	size := m.Latest().Size
	if int64(rec.index) >= size {
		return fmt.Errorf("%w: entry %d is beyond the verified log of %d", translog.ErrBadProof, rec.index, size)
	}
	p, err := tree.ProveInclusion(int64(rec.index), size)
	if err != nil {
		return fmt.Errorf("%w: %w", translog.ErrBadProof, err)
	}
	proof := make([][32]byte, len(p))
	for i, h := range p {
		proof[i] = h
	}
	return m.VerifyInclusion(int64(rec.index), rec.raw, proof)
}

// proveDevice proves the organisation certificate, the device certificate
// and (if rotated) the key update a device entry rests on.
func (d *Device) proveDevice(e *crypto.DeviceEntry, withKey bool) error {
	d.mu.Lock()
	orgRec, okO := d.orgRec[e.Cert.Org]
	devRec, okD := d.devRec[e.Cert.Device]
	keyRec, okK := d.keyRec[e.Cert.Device]
	d.mu.Unlock()
	if err := d.prove(orgRec, okO); err != nil {
		return fmt.Errorf("organisation %s certificate: %w", e.Cert.Org, err)
	}
	if err := d.prove(devRec, okD && string(devRec.raw) == string(e.Raw)); err != nil {
		return fmt.Errorf("device %s certificate: %w", e.Cert.Device, err)
	}
	if withKey && e.KeySeq > 0 {
		if err := d.prove(keyRec, okK); err != nil {
			return fmt.Errorf("device %s key update %d: %w", e.Cert.Device, e.KeySeq, err)
		}
	}
	return nil
}

// recordEntry notes which log record an applied directory object became,
// for the inclusion proofs above; d.mu is held.
func (d *Device) recordEntry(kind string, index uint64, obj []byte) {
	if d.orgRec == nil {
		d.orgRec = make(map[crypto.OrgID]logRecord)
		d.devRec = make(map[crypto.DeviceID]logRecord)
		d.keyRec = make(map[crypto.DeviceID]logRecord)
	}
	switch kind {
	case crypto.TypeOrgCert:
		for _, e := range d.dir.Orgs() {
			if string(e.Raw) == string(obj) {
				d.orgRec[e.Cert.Org] = logRecord{index, obj}
				return
			}
		}
	case crypto.TypeDeviceCert, crypto.TypeKeyUpdate:
		sd, err := crypto.ParseSigned(obj, kind)
		if err != nil {
			return
		}
		var body struct {
			Dev crypto.DeviceID `cbor:"dev"`
		}
		if cbor.Unmarshal(sd.Body, &body) != nil {
			return
		}
		e, err := d.dir.Device(body.Dev)
		if err != nil {
			return
		}
		if kind == crypto.TypeDeviceCert {
			if string(e.Raw) == string(obj) {
				d.devRec[body.Dev] = logRecord{index, obj}
			}
			return
		}
		if u, err := crypto.VerifyKeyUpdate(obj, e.Cert); err == nil && u.Seq == e.KeySeq {
			d.keyRec[body.Dev] = logRecord{index, obj}
		}
	}
}

// orgName returns an organisation's verified name, or its id.
func (d *Device) orgName(org crypto.OrgID) string {
	if e, err := d.Directory().Org(org); err == nil {
		return e.Cert.Name
	}
	return org.String()
}

// checkSendable refuses to seal to org's devices unless the relay is
// trusted and every certificate and key used is proved in its log.
func (d *Device) checkSendable(org crypto.OrgID, rcpts []crypto.Recipient) error {
	d.mu.Lock()
	untrusted := d.untrusted
	d.mu.Unlock()
	if untrusted != "" {
		return fmt.Errorf("cannot send to %s: %w (%s)", d.orgName(org), ErrRelayUntrusted, untrusted)
	}
	dir := d.Directory()
	for _, r := range rcpts {
		e, err := dir.Device(r.Device)
		if err == nil && e.Recipient != r.Key {
			err = fmt.Errorf("%w: key changed while sealing", translog.ErrBadProof)
		}
		if err == nil {
			err = d.proveDevice(e, true)
		}
		if err != nil {
			return fmt.Errorf("cannot send to %s: %w (possible tampering); tell your scheme coordinator: %w", d.orgName(org), ErrNotInLog, err)
		}
	}
	return nil
}

// Recipients returns the devices (and their newest verified keys) an
// envelope for org's mailbox would be sealed to now, after the same
// transparency checks a send makes. It uses the directory as last synced.
func (d *Device) Recipients(org crypto.OrgID) ([]crypto.Recipient, error) {
	rc := d.recipients(org, d.now())
	if err := d.checkSendable(org, rc); err != nil {
		return nil, err
	}
	return rc, nil
}

// checkOpened makes the transparency checks on an opened envelope: the
// sender's certificates must be proved in the log (else the envelope is
// rejected), and the checkpoint the sender signed into it must be
// consistent with this device's (else a split-view alert is raised and
// sending stops; the envelope itself is still applied: it verified
// against this device's directory).
func (d *Device) checkOpened(ctx context.Context, c *relay.Conn, o *crypto.Opened) error {
	e, err := d.Directory().Device(o.Sender.Device)
	if err == nil {
		err = d.proveDevice(e, false)
	}
	if err != nil {
		return fmt.Errorf("the sender's certificate is not in the relay's signed log (possible tampering): %w", err)
	}
	d.checkRecipientList(ctx, o)
	return d.checkPeerCheckpoint(ctx, c, o.Checkpoint, o.Sender.Name, o.SenderOrg.Name)
}

// errPeerProofUnavailable means the connection failed while fetching the
// proof for a peer's checkpoint: the sync stops without applying the
// envelope, which the relay delivers again.
var errPeerProofUnavailable = errors.New("the relay went away before proving a peer's log checkpoint")

// errPeerCheckpoint means a peer's envelope carried a checkpoint that is
// malformed or not signed by the relay's log key: that envelope is
// refused (and an alert names its sender), but nothing else changes.
var errPeerCheckpoint = errors.New("the envelope carries a log checkpoint that is not one of this relay's")

// checkPeerCheckpoint checks a checkpoint a peer signed into an envelope
// (gossip). The same tree, or an older one the relay proves this device's
// extends, is fine. A newer one is adopted, once the relay proves it
// extends this device's, and the directory is refreshed up to it before
// anything else is sealed: a relay that cannot prove it, or cannot serve
// the entries, has shown the two devices different logs, which raises an
// alert that stops sending. A checkpoint that does not verify at all
// (garbage from a hostile enrolled device) refuses that one envelope
// (errPeerCheckpoint) with an alert naming the sender, and never stops
// this device's own sending. It fails with errPeerProofUnavailable when
// the connection fails before the check could be made.
func (d *Device) checkPeerCheckpoint(ctx context.Context, c *relay.Conn, raw []byte, device, peer string) error {
	if len(raw) == 0 {
		return nil
	}
	d.mu.Lock()
	m := d.monitor
	d.mu.Unlock()
	if m == nil {
		return nil
	}
	cp, err := m.Open(raw)
	if err != nil {
		d.alert(ctx, AlertPeerCheckpoint, fmt.Sprintf("an envelope from the device %q of %s carried a log checkpoint that is malformed or not signed by this relay's log key, so that envelope was refused; sending is not affected; tell %s's admin (the device may be faulty or compromised)", device, peer, peer))
		return fmt.Errorf("%w: from the device %q of %s: %w", errPeerCheckpoint, device, peer, err)
	}
	old, size, need, err := m.PeerProof(raw)
	var proof [][32]byte
	if err == nil && need {
		p, perr := c.Proof(ctx, protocol.ProofGet{OldSize: uint64(old), Size: uint64(size)})
		var pe *protocol.Error
		switch {
		case errors.As(perr, &pe):
			// The relay cannot prove the two trees consistent (beyond-log:
			// it has no tree of that size): CheckPeer without a proof fails.
		case perr != nil:
			// The connection failed. The envelope must not be applied (and
			// so marked processed) unchecked: stop here, and it is
			// delivered and checked again at the next sync.
			return fmt.Errorf("%w: %w", errPeerProofUnavailable, perr)
		default:
			proof = p.Consistency
		}
	}
	if err == nil {
		err = m.CheckPeer(raw, proof)
	}
	if err == nil {
		if latest := m.Latest(); latest != nil && cp.Size > latest.Size {
			return d.adoptPeerCheckpoint(ctx, c, raw, proof, peer)
		}
		if latest := m.Latest(); latest != nil && cp.SameTree(latest) {
			// The peer's copy may carry fresher cosignatures.
			if _, uerr := m.Update(raw, nil); uerr == nil {
				d.saveMonitor(ctx)
			}
		}
		return nil
	}
	msg := fmt.Sprintf("split view: an envelope from %s carries a log checkpoint that contradicts this device's: the relay is showing different organisations different lists of keys; sending is stopped until this is resolved: tell your scheme coordinator", peer)
	d.raise(ctx, AlertSplitView, msg)
	return nil
}

// adoptPeerCheckpoint makes a peer's newer checkpoint (proved to extend
// this device's) the device's latest and fetches the directory up to it:
// if the relay keeps this device on an older view, the refresh fails as a
// rollback, or the entries do not match, and sending stops with an alert.
func (d *Device) adoptPeerCheckpoint(ctx context.Context, c *relay.Conn, raw []byte, proof [][32]byte, peer string) error {
	d.mu.Lock()
	m := d.monitor
	d.mu.Unlock()
	if _, err := m.Update(raw, proof); err != nil {
		d.raise(ctx, AlertSplitView, fmt.Sprintf("split view: an envelope from %s carries a newer log checkpoint the relay cannot prove extends this device's view; sending is stopped until this is resolved: tell your scheme coordinator", peer))
		return nil
	}
	d.saveMonitor(ctx)
	if _, err := d.refreshDirectory(ctx, c); err != nil {
		if errors.Is(err, ErrLogInconsistent) {
			return nil // alert raised, sending stopped
		}
		return fmt.Errorf("%w: %w", errPeerProofUnavailable, err)
	}
	return nil
}

// saveMonitor stores the monitor state (best effort: it is saved again
// after the next directory refresh).
func (d *Device) saveMonitor(ctx context.Context) {
	d.mu.Lock()
	m := d.monitor
	d.mu.Unlock()
	if state, err := m.Marshal(); err == nil {
		d.store.SaveLogMonitor(ctx, state)
	}
}

// explainOpen turns an Open failure into plain words, keeping the cause.
func explainOpen(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, crypto.ErrSenderRevoked), errors.Is(err, crypto.ErrRevoked):
		return fmt.Errorf("the sending device or its organisation was revoked before this envelope was made, so it is refused: %w", err)
	case errors.Is(err, crypto.ErrNotForMe):
		return fmt.Errorf("this device no longer holds a key that opens this envelope (old keys are erased after the grace window): %w", err)
	case errors.Is(err, crypto.ErrUnknownSender):
		return fmt.Errorf("the sender is not a current device in the verified directory: %w", err)
	case errors.Is(err, errPeerCheckpoint):
		return err
	}
	return err
}

// checkpointRaw returns the newest verified checkpoint's signed bytes, for
// crypto.Packet.Checkpoint, or nil.
func (d *Device) checkpointRaw() []byte {
	d.mu.Lock()
	m := d.monitor
	d.mu.Unlock()
	if m == nil {
		return nil
	}
	return m.LatestRaw()
}
