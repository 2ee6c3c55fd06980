package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/translog"
)

// Witness-related alert kinds. Unlike the log alerts (split view,
// rollback, tampering, log key), they do not stop sending by themselves:
// a stale view stops what needs a fresh one and clears when the
// witnesses cosign again; the others name a peer or a publication.
const (
	// AlertStale: the newest quorum of witness cosignatures this device
	// holds is older than the scheme allows (or there is none).
	AlertStale = "stale-view"
	// AlertPeerCheckpoint: a peer's envelope carried a checkpoint that is
	// malformed or not signed by the relay's log key; that envelope was
	// refused.
	AlertPeerCheckpoint = "peer-checkpoint"
	// AlertHeldBack: a peer sealed to a device this device knows was
	// revoked before the envelope was made: the peer's view is behind or
	// being held back.
	AlertHeldBack = "held-back"
	// AlertKeyUnpublished: this device's new encryption key is not in a
	// witnessed checkpoint.
	AlertKeyUnpublished = "key-unpublished"
)

// blockingAlert reports whether an alert of this kind stops all sending
// until a person resolves it.
func blockingAlert(kind string) bool {
	switch kind {
	case AlertStale, AlertPeerCheckpoint, AlertHeldBack, AlertKeyUnpublished:
		return false
	}
	return true
}

// ErrViewStale means the device's witnessed view of the relay's log is not
// fresh enough for what was asked: no quorum of the scheme's witnesses has
// cosigned it recently. It clears once the relay serves freshly witnessed
// checkpoints again.
var ErrViewStale = errors.New("this device's view of the scheme's keys is not freshly witnessed")

// ErrKeyNotPublished means the device's new encryption key did not appear
// in a witnessed checkpoint within the bound.
var ErrKeyNotPublished = errors.New("your new encryption key has not been published")

// WitnessStatus is the state of the device's witnessed view, for the
// 'saferef status' line and the desktop banner.
type WitnessStatus struct {
	// Witnessed is false when the scheme names no witnesses.
	Witnessed bool
	// Size is the size of the newest witnessed checkpoint (0: none).
	Size int64
	// At is when a quorum of witnesses last cosigned it (zero: never).
	At time.Time
	// Fresh and ReleaseFresh say whether that is within the scheme's
	// windows for ordinary sends and for releases.
	Fresh, ReleaseFresh bool
}

// Witness reports the device's witnessed view as of the last sync.
func (d *Device) Witness() WitnessStatus {
	d.mu.Lock()
	m := d.monitor
	d.mu.Unlock()
	if m == nil || m.Witnesses() == nil {
		return WitnessStatus{}
	}
	w := m.Witnesses()
	st := WitnessStatus{Witnessed: true}
	now := d.now()
	if cp := m.Witnessed(); cp != nil {
		st.Size = cp.Size
		if t, err := w.QuorumTime(cp, now); err == nil {
			st.At = t
		}
	}
	st.Fresh = m.CheckFresh(now, w.Freshness()) == nil
	st.ReleaseFresh = m.CheckFresh(now, w.ReleaseFreshness()) == nil
	return st
}

// staleWords explains a failed freshness check in plain words.
func staleWords(err error, what string) string {
	if errors.Is(err, translog.ErrUnwitnessed) {
		return fmt.Sprintf("the relay's list of keys has not been confirmed by the scheme's witnesses, so this device cannot be sure it is up to date; %s is refused until it is: sync again, and if this persists tell your scheme coordinator and the relay operator", what)
	}
	return fmt.Sprintf("this device's list of keys was last confirmed by the scheme's witnesses too long ago (the relay may be holding it on an old view, or the witnesses are unreachable); %s is refused until a fresh confirmation arrives: sync again, and if this persists tell your scheme coordinator and the relay operator", what)
}

// checkFresh checks the witnessed view against window (the scheme's
// ordinary or release window); what names the action for the message. A
// failure raises a stale-view alert (not one that stops every send) and
// returns ErrViewStale.
func (d *Device) checkFresh(ctx context.Context, window func(*translog.Witnesses) time.Duration, what string) error {
	d.mu.Lock()
	m := d.monitor
	d.mu.Unlock()
	if m == nil {
		return nil
	}
	w := m.Witnesses()
	if w == nil {
		return nil
	}
	err := m.CheckFresh(d.now(), window(w))
	if err == nil {
		return nil
	}
	msg := staleWords(err, what)
	d.alert(ctx, AlertStale, msg)
	return fmt.Errorf("%w: %s: %w", ErrViewStale, msg, err)
}

// alert records an alert that does not stop sending.
func (d *Device) alert(ctx context.Context, kind, msg string) {
	d.store.AddAlert(ctx, &casestore.Alert{At: d.now(), Kind: kind, Message: msg})
}

// clearStale resolves stale-view alerts once the view is fresh for
// ordinary sends again (called after every directory refresh).
func (d *Device) clearStale(ctx context.Context) {
	d.mu.Lock()
	m := d.monitor
	d.mu.Unlock()
	if m == nil || m.Witnesses() == nil {
		return
	}
	if m.CheckFresh(d.now(), m.Witnesses().Freshness()) == nil {
		d.store.ResolveAlertsOfKind(ctx, AlertStale)
	}
}

func ordinaryWindow(w *translog.Witnesses) time.Duration { return w.Freshness() }
func releaseWindow(w *translog.Witnesses) time.Duration  { return w.ReleaseFreshness() }

// checkFirstSeal applies the release window before sealing to a device
// this device has never sealed to.
func (d *Device) checkFirstSeal(ctx context.Context, rcpts []crypto.Recipient) error {
	sealed, err := d.store.SealedTo(ctx)
	if err != nil {
		return err
	}
	for _, r := range rcpts {
		if !sealed[r.Device] {
			return d.checkFresh(ctx, releaseWindow, "sealing to a device for the first time")
		}
	}
	return nil
}

// inWitnessed reports whether log record index is covered by the newest
// witnessed checkpoint this device holds (always true when the scheme
// names no witnesses).
func (d *Device) inWitnessed(index uint64) bool {
	d.mu.Lock()
	m := d.monitor
	d.mu.Unlock()
	if m == nil {
		return false
	}
	if m.Witnesses() == nil {
		return true
	}
	cp := m.Witnessed()
	return cp != nil && int64(index) < cp.Size
}

// checkRecipientList raises a held-back alert when a peer's signed
// recipient list names a device this device knows was revoked before the
// envelope was made.
func (d *Device) checkRecipientList(ctx context.Context, o *crypto.Opened) {
	dir := d.Directory()
	for _, r := range o.Recipients {
		e, err := dir.Device(r.Device)
		if err != nil || e.Revoked == nil || !e.Revoked.RevokedAt.Before(o.Created) {
			continue
		}
		d.alert(ctx, AlertHeldBack, fmt.Sprintf("%s sealed an envelope to the device %q of %s, which was revoked at %s, before the envelope was made: %s's view of the scheme's keys is behind or being held back by the relay; phone them and tell your scheme coordinator",
			o.SenderOrg.Name, e.Cert.Name, d.orgName(e.Cert.Org), e.Revoked.RevokedAt.UTC().Format(time.RFC3339), o.SenderOrg.Name))
		return
	}
}

// refreshView fetches the relay's current witnessed checkpoint and
// directory, when the relay can be reached (offline, the view stays as
// last synced and the freshness check decides).
func (d *Device) refreshView(ctx context.Context) error {
	d.netMu.Lock()
	defer d.netMu.Unlock()
	c, err := d.connect(ctx)
	if errors.Is(err, ErrRelayUnreachable) {
		return nil
	}
	if err != nil {
		return err
	}
	return c.Close()
}

// followWitnessSet switches to a newer witness set the directory log
// carries (signed by the roots, published with 'saferef-admin scheme
// witnesses --relay'). The log key stays the one pinned.
func (d *Device) followWitnessSet() {
	ws := d.Directory().WitnessSet()
	d.mu.Lock()
	defer d.mu.Unlock()
	if ws == nil || (d.witnesses != nil && d.witnesses.Set().Seq >= ws.Seq) {
		return
	}
	w, err := translog.NewWitnesses(ws)
	if err != nil {
		return
	}
	d.witnesses = w
	if d.monitor != nil {
		d.monitor.SetWitnesses(w)
	}
}
