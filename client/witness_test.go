package client_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/hometest"
	"github.com/saferef/saferef/internal/relaytest"
	"github.com/saferef/saferef/internal/schemetest"
	"github.com/saferef/saferef/internal/witnesstest"
	"github.com/saferef/saferef/protocol"
	"github.com/saferef/saferef/protocol/payload"
)

// witnessedWorld is a world whose scheme names one real litewitness
// (quorum 1, default windows), whose relay submits its checkpoints to it,
// and whose relay sits behind hook (nil: an honest relay).
type witnessedWorld struct {
	*hometest.World
	witness *witnesstest.Witness
}

func newWitnessedWorld(t *testing.T, hook relaytest.Hook) *witnessedWorld {
	t.Helper()
	s := schemetest.New(t, 1, 1)
	skey, vkey := relaytest.NewLogKey(t, s.Scheme)
	wit := witnesstest.Start(t, witnesstest.Name("coordinator"), vkey)
	witnesstest.SignInto(t, s.Scheme, s.Roots, vkey, 1, 0, 0, wit)
	if hook == nil {
		hook = func(_ *relaytest.ProxyConn, _ bool, f protocol.Frame) (protocol.Frame, protocol.Frame) { return f, nil }
	}
	w := hometest.NewWith(t, hometest.Options{Scheme: s,
		Relay: relaytest.Options{LogSignerKey: skey, Witnesses: []string{wit.URL}, Hook: hook}})
	return &witnessedWorld{World: w, witness: wit}
}

// runningClock is a device clock that runs with real time (witness
// cosignatures carry real time) and that a test moves forward.
type runningClock struct{ offset atomic.Int64 }

func (c *runningClock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *runningClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// hasAlert reports whether d has an unresolved alert of kind whose
// message contains words.
func hasAlert(t *testing.T, d *client.Device, kind, words string) bool {
	t.Helper()
	alerts, err := d.Alerts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range alerts {
		if a.Kind == kind && strings.Contains(a.Message, words) {
			return true
		}
	}
	return false
}

// objectType returns the signed type of a published object, or "".
func objectType(o []byte) string {
	sd, err := crypto.ParseSigned(o, "")
	if err != nil {
		return ""
	}
	return sd.Type
}

// TestDroppedKeyUpdateAlerts: a relay that answers "published" to a
// device's key update and drops it cannot make the device believe its new
// key is out: the update never appears in a witnessed checkpoint, so
// 'keys rotate' fails with "your new encryption key has not been
// published", an alert says so, the old key is kept, and the alert is
// raised again at the next sync while the key is still missing.
func TestDroppedKeyUpdateAlerts(t *testing.T) {
	ctx := context.Background()
	var dropping atomic.Bool
	dropping.Store(true)
	ww := newWitnessedWorld(t, func(_ *relaytest.ProxyConn, toClient bool, f protocol.Frame) (protocol.Frame, protocol.Frame) {
		if p, ok := f.(*protocol.Publish); ok && !toClient && dropping.Load() && objectType(p.Object) == crypto.TypeKeyUpdate {
			return nil, &protocol.PublishOK{ReqID: p.ReqID, Index: 7} // "published"
		}
		return f, nil
	})
	refuge := ww.Org("Harbour Refuge", crypto.KindProvider)
	d := ww.DeviceWith(refuge, "Refuge laptop", hometest.DeviceOptions{Open: &client.Options{PublishWait: 2 * time.Second}})
	sync(t, d)
	before := d.KeyStatus()

	_, err := d.RotateKeys(ctx)
	if !errors.Is(err, client.ErrKeyNotPublished) || !strings.Contains(err.Error(), "your new encryption key has not been published") {
		t.Fatalf("rotate with the update dropped: %v, want ErrKeyNotPublished", err)
	}
	if !hasAlert(t, d, client.AlertKeyUnpublished, "your new encryption key has not been published") {
		t.Fatal("no key-unpublished alert")
	}
	st := d.KeyStatus()
	if st.Published || st.Seq != before.Seq+1 || st.Retained < 1 {
		t.Fatalf("key status after a dropped update: %+v (before %+v): want the new key unpublished and the old one kept", st, before)
	}
	// Sending is not stopped by it (other organisations still seal to the
	// old key, which is kept).
	if alerts, _ := d.Alerts(ctx); len(alerts) != 1 {
		t.Fatalf("alerts: %+v", alerts)
	}

	// The relay behaves again: the next sync republishes, and once the
	// update is witnessed the alert clears.
	dropping.Store(false)
	sync(t, d)
	if !d.KeyStatus().Published || hasAlert(t, d, client.AlertKeyUnpublished, "") {
		t.Fatalf("after the relay published it: %+v", d.KeyStatus())
	}
}

// TestPeerCheckpointGarbageDoesNotBlockSending: a hostile enrolled device
// sends a validly signed envelope whose signed checkpoint is garbage. The
// recipient refuses that envelope, raises an alert naming the sending
// device and organisation (not the relay), and can still send.
func TestPeerCheckpointGarbageDoesNotBlockSending(t *testing.T) {
	ctx := context.Background()
	ww := newWitnessedWorld(t, nil)
	refuge := ww.Org("Harbour Refuge", crypto.KindProvider)
	weald := ww.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	caseworker := ww.Device(refuge, "Refuge laptop")
	officer := ww.Device(weald, "Weald officer")
	hostile := weald.AddDevice(t, "Weald spare laptop")
	ww.Publish(hostile.Raw)
	sync(t, caseworker)
	sync(t, officer)

	body, err := payload.Marshal(&payload.DeliveryReceipt{Schema: payload.SchemaVersion, Envelope: payload.ID{1}, Case: payload.ID{2}, ReadAt: time.Now().Unix()})
	if err != nil {
		t.Fatal(err)
	}
	env, err := crypto.Seal(hostile.Keys, refuge.ID, caseworker.Directory().Recipients(refuge.ID, time.Now()),
		&crypto.Packet{PayloadType: payload.TypeDeliveryReceipt, Payload: body, Checkpoint: []byte("saferef-relay/garbage\n1\nnot a root\n\n— nobody AAAA\n")},
		crypto.SealOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	ww.SendRaw(hostile, raw)

	res := sync(t, caseworker)
	if res.Rejected != 1 || !strings.Contains(res.Rejections[0].Err.Error(), "Weald spare laptop") {
		t.Fatalf("sync: %+v, want the garbage envelope rejected naming its sender", res)
	}
	if !hasAlert(t, caseworker, client.AlertPeerCheckpoint, `"Weald spare laptop" of Weald Homes`) {
		alerts, _ := caseworker.Alerts(ctx)
		t.Fatalf("no alert naming the sending device and organisation: %+v", alerts)
	}
	if _, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, referral(), newHousehold()); err != nil {
		t.Fatalf("send after a garbage peer checkpoint: %v", err)
	}
	if res := sync(t, officer); res.New != 1 {
		t.Fatalf("officer sync: %+v", res)
	}
}

// waitWitnessed syncs d until its view is witnessed (fresh for a release)
// up to at least size entries: the relay has its witnesses cosign in the
// background after each publication.
func waitWitnessed(t *testing.T, d *client.Device, size int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		sync(t, d)
		if st := d.Witness(); st.ReleaseFresh && st.Size >= size {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: view not witnessed at size %d: %+v", d.Name(), size, d.Witness())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestFrozenViewCaught: the relay publishes a revocation honestly to
// everyone except one organisation's devices, which it keeps on the older,
// consistent log. That organisation's view cannot stay fresh (the
// witnesses will not cosign the old size again once they cosigned the
// new one), so it refuses to seal to a new device or release details once
// the view is older than the release window; and as soon as a peer's
// envelope carries the newer checkpoint, the device adopts it and the
// relay's frozen view is caught as a rollback. The peer, shown a
// recipient list naming the revoked laptop, says so.
func TestFrozenViewCaught(t *testing.T) {
	ctx := context.Background()
	var (
		frozen     atomic.Bool
		frozenCP   atomic.Pointer[[]byte]
		frozenSize atomic.Int64
		victim     atomic.Pointer[[16]byte]
	)
	ww := newWitnessedWorld(t, func(pc *relaytest.ProxyConn, toClient bool, f protocol.Frame) (protocol.Frame, protocol.Frame) {
		v := victim.Load()
		if !toClient || !frozen.Load() || v == nil || pc.Device() != *v {
			return f, nil
		}
		if d, ok := f.(*protocol.Directory); ok {
			c := *d
			c.Checkpoint, c.Size, c.Entries = *frozenCP.Load(), uint64(frozenSize.Load()), nil
			for _, e := range d.Entries {
				if int64(e.Index) < frozenSize.Load() {
					c.Entries = append(c.Entries, e)
				}
			}
			return &c, nil
		}
		return f, nil
	})
	refuge := ww.Org("Harbour Refuge", crypto.KindProvider)
	weald := ww.Org("Weald Homes", crypto.KindLandlord, "Maidstone")
	clk := &runningClock{}
	caseworker := ww.DeviceWith(refuge, "Refuge laptop", hometest.DeviceOptions{Open: &client.Options{Now: clk.now}})
	officer := ww.Device(weald, "Weald officer")
	stolen := weald.AddDevice(t, "Weald laptop")
	ww.Publish(stolen.Raw)
	waitWitnessed(t, officer, 4)
	waitWitnessed(t, caseworker, 4)

	// From now on the relay keeps the refuge's device on this view.
	cp := caseworker.LogCheckpoint()
	raw := cp.Raw
	frozenCP.Store(&raw)
	frozenSize.Store(cp.Size)
	id := [16]byte(caseworker.ID())
	victim.Store(&id)
	frozen.Store(true)

	ww.Publish(stolen.Revoke(t, time.Now().Add(-time.Minute), "laptop stolen"))
	waitWitnessed(t, officer, cp.Size+1)
	sync(t, caseworker)
	if got := caseworker.LogCheckpoint(); got.Size != cp.Size {
		t.Fatalf("the hostile relay did not freeze the refuge: size %d", got.Size)
	}

	// Two hours on, the frozen view is too old to seal to a device for the
	// first time: the laptop the relay hides the revocation of is refused.
	clk.advance(2 * time.Hour)
	_, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, referral(), newHousehold())
	if !errors.Is(err, client.ErrViewStale) {
		t.Fatalf("send on a frozen view two hours old: %v, want ErrViewStale", err)
	}
	if !hasAlert(t, caseworker, client.AlertStale, "too long ago") {
		t.Fatal("no stale-view alert")
	}
	if caseworker.Witness().ReleaseFresh {
		t.Fatal("frozen view reported fresh for a release")
	}
	clk.advance(-2 * time.Hour)

	// Within the window, the refuge seals to the stolen laptop (the relay
	// hid the revocation); the officer sees a recipient list naming a
	// device revoked before the envelope was made, and says so; its
	// delivery receipt carries the newer checkpoint, which the refuge
	// adopts, catching the relay.
	if _, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, referral(), newHousehold()); err != nil {
		t.Fatalf("send within the window: %v", err)
	}
	if res := sync(t, officer); res.New != 1 {
		t.Fatalf("officer sync: %+v", res)
	}
	if !hasAlert(t, officer, client.AlertHeldBack, "Harbour Refuge") {
		alerts, _ := officer.Alerts(ctx)
		t.Fatalf("officer: no alert naming the organisation held back: %+v", alerts)
	}
	sync(t, caseworker)
	if !hasAlert(t, caseworker, client.AlertRollback, "") {
		alerts, _ := caseworker.Alerts(ctx)
		t.Fatalf("refuge: frozen view not caught after the peer's newer checkpoint: %+v", alerts)
	}
	if _, err := caseworker.SendReferral(ctx, []crypto.OrgID{weald.ID}, referral(), newHousehold()); !errors.Is(err, client.ErrRelayUntrusted) && !errors.Is(err, client.ErrLogInconsistent) {
		t.Fatalf("send after the frozen view was caught: %v, want it refused", err)
	}
}

// TestWitnessSetChangeFollowedFromLog: the roots sign a new witness set
// (the coordinator's witness replaced by a member's) and publish it to the
// log; devices follow it from the log, as they follow root rotations, so
// that the old witness can be retired without a new scheme file.
func TestWitnessSetChangeFollowedFromLog(t *testing.T) {
	s := schemetest.New(t, 1, 1)
	skey, vkey := relaytest.NewLogKey(t, s.Scheme)
	old := witnesstest.Start(t, witnesstest.Name("coordinator"), vkey)
	member := witnesstest.Start(t, witnesstest.Name("weald-homes"), vkey)
	witnesstest.SignInto(t, s.Scheme, s.Roots, vkey, 1, 0, 0, old)
	w := hometest.NewWith(t, hometest.Options{Scheme: s,
		Relay: relaytest.Options{LogSignerKey: skey, Witnesses: []string{old.URL, member.URL}}})
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	d := w.Device(refuge, "Refuge laptop")
	waitWitnessed(t, d, 2)

	// The new set, signed by the roots, published to the log.
	next := *w.Scheme.Scheme
	witnesstest.SignInto(t, &next, w.Scheme.Roots, vkey, 1, 0, 0, member)
	raw, err := base64.StdEncoding.DecodeString(next.Witnesses)
	if err != nil {
		t.Fatal(err)
	}
	old.Stop()
	w.Publish(raw)
	waitWitnessed(t, d, 3) // only the member's witness cosigns size 3
	if got := d.Directory().WitnessSet(); got == nil || got.Seq != 2 || got.Witnesses[0].Name != witnesstest.Name("weald-homes") {
		t.Fatalf("witness set after the change: %+v", got)
	}
}

// TestRelayRestartResumesWitnessing: a restarted relay does not know what
// the witness last cosigned; the witness's 409 tells it, and the next
// checkpoint is witnessed from there (with a consistency proof).
func TestRelayRestartResumesWitnessing(t *testing.T) {
	ww := newWitnessedWorld(t, nil)
	refuge := ww.Org("Harbour Refuge", crypto.KindProvider)
	d := ww.Device(refuge, "Refuge laptop")
	waitWitnessed(t, d, 2)
	ww.Relay.Restart()
	weald := ww.Scheme.AddOrg(t, "Weald Homes", crypto.KindLandlord, "Maidstone")
	ww.Publish(weald.Raw)
	waitWitnessed(t, d, 3)
}
