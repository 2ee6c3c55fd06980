package client_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/hometest"
	"github.com/saferef/saferef/internal/relaytest"
	"github.com/saferef/saferef/protocol/payload"
	"github.com/saferef/saferef/server"
	"github.com/saferef/saferef/server/store"
)

// TestReceiptBacklogDoesNotBlockReceiving (issue 12, item 3): after a
// backlog larger than the relay's send burst, the receipts it owes never
// stop a sync, and a new message shows at the next sync.
func TestReceiptBacklogDoesNotBlockReceiving(t *testing.T) {
	ctx := context.Background()
	rc := newReferredCase(t)
	w, caseworker, officer, caseID := rc.w, rc.caseworker, rc.officer, rc.caseID
	const backlog = 12
	for range backlog {
		if _, err := caseworker.SendMessage(ctx, caseID, "Any news on a flat?"); err != nil {
			t.Fatal(err)
		}
	}
	// The relay now allows a burst of 3 sends and almost no refill.
	w.Relay.RestartWith(func(o *relaytest.Options) {
		o.Config = func(c *server.Config) { c.SendBurst, c.SendRate = 3, 0.0001 }
	})

	res := sync(t, officer)
	if res.New != backlog+1 {
		t.Fatalf("backlog sync = %+v", res)
	}
	if _, err := caseworker.SendMessage(ctx, caseID, "We have found a flat."); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		res := sync(t, officer) // never fails with rate-limited
		if i == 0 && res.New != 1 {
			t.Fatalf("the new message did not show: %+v", res)
		}
	}
	// The officer's receipts for the whole backlog came in one envelope,
	// and the caseworker's case shows one receipt per packet.
	if res := sync(t, caseworker); res.New != 2 {
		t.Fatalf("caseworker got %d receipt envelopes, want 2 (the backlog batched, then the new message): %+v", res.New, res)
	}
	c, err := caseworker.Case(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	received := 0
	for _, r := range c.Receipts {
		if r.Kind == client.ReceiptDelivery && r.Reader.OrgName == "Weald Homes" {
			received++
		}
	}
	if received != backlog+2 {
		t.Fatalf("caseworker's case shows %d delivery receipts, want one per packet (%d)", received, backlog+2)
	}
}

// rejectionsOf returns a case's receipts of the given kind.
func rejectionsOf(t *testing.T, d *client.Device, id payload.ID, kind string) []client.CaseReceipt {
	t.Helper()
	c, err := d.Case(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []client.CaseReceipt
	for _, r := range c.Receipts {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

// TestQueuedWithFastClockIsNotSent (issue 12, item 1): a message written
// offline while the clock was two hours fast is not sent at the next sync
// (every receiver would refuse it): the sync says so and the case shows it
// as not sent. A device whose clock is off when it connects refuses to seal
// at all, saying so.
func TestQueuedWithFastClockIsNotSent(t *testing.T) {
	ctx := context.Background()
	rc := newReferredCase(t)
	w, caseworker, officer, caseID, clk := rc.w, rc.caseworker, rc.officer, rc.caseID, rc.clock
	sync(t, officer)

	w.Relay.Stop() // offline
	clk.advance(2 * time.Hour)
	if _, err := caseworker.SendMessage(ctx, caseID, "Written with a fast clock."); !errors.Is(err, client.ErrNotSent) {
		t.Fatalf("offline send: %v", err)
	}
	clk.advance(-2 * time.Hour) // the clock is put right
	w.Relay.Restart()

	res := sync(t, caseworker)
	if len(res.Dropped) != 1 || !errors.Is(res.Dropped[0], client.ErrClockWrong) || !strings.Contains(res.Dropped[0].Error(), "write it again") {
		t.Fatalf("sync did not say the queued message was not sent: %+v", res.Dropped)
	}
	if got := rejectionsOf(t, caseworker, caseID, client.ReceiptNotSent); len(got) != 1 {
		t.Fatalf("case does not show the message as not sent: %+v", got)
	}
	if res := sync(t, officer); res.New != 0 {
		t.Fatalf("the doomed message reached the officer: %+v", res)
	}

	// A device whose clock is an hour fast when it connects is told, and
	// seals nothing.
	fast := func() time.Time { return time.Now().Add(time.Hour) }
	officer.Close()
	home := w.HomePath("Weald officer")
	skewed, err := client.OpenHomeWith(ctx, home, hometest.Passphrase("Weald officer"), &client.Options{Now: fast, Relay: &relay.Options{Now: fast}})
	if err != nil {
		t.Fatal(err)
	}
	defer skewed.Close()
	if _, err := skewed.Sync(ctx); !errors.Is(err, client.ErrClockWrong) || !strings.Contains(err.Error(), "1h0m0s ahead") {
		t.Fatalf("sync with a fast clock: %v", err)
	}
	if _, err := skewed.SendMessage(ctx, caseID, "Sealed with a fast clock."); !errors.Is(err, client.ErrClockWrong) {
		t.Fatalf("send with a fast clock: %v", err)
	}
}

// TestRejectionReceipts (issue 12, items 1 and 5): a receiver that refuses
// an envelope for good — dated in the future, or impossible to decrypt —
// sends a signed rejection receipt, and the sender's case shows "not
// accepted by ORGANISATION: REASON".
func TestRejectionReceipts(t *testing.T) {
	ctx := context.Background()
	rc := newReferredCase(t)
	w, caseworker, officer, caseID, clk := rc.w, rc.caseworker, rc.officer, rc.caseID, rc.clock
	sync(t, officer)
	sync(t, caseworker)

	// Sealed with a clock two hours fast (the relay authenticates with the
	// real one): the officer refuses it.
	clk.advance(2 * time.Hour)
	if _, err := caseworker.SendMessage(ctx, caseID, "From the future."); err != nil {
		t.Fatal(err)
	}
	clk.advance(-2 * time.Hour)
	if res := sync(t, officer); res.Rejected != 1 {
		t.Fatalf("officer sync = %+v", res)
	}
	sync(t, caseworker)
	got := rejectionsOf(t, caseworker, caseID, client.ReceiptRejected)
	if len(got) != 1 || got[0].Reader.OrgName != "Weald Homes" || !strings.Contains(got[0].Reason, "clock was wrong") {
		t.Fatalf("clock rejection not shown: %+v", got)
	}

	// Damaged in the relay's store: the officer cannot decrypt it.
	if _, err := caseworker.SendMessage(ctx, caseID, "Damaged on the way."); err != nil {
		t.Fatal(err)
	}
	w.Relay.Exec(`UPDATE envelopes SET body = CAST(substr(body, 1, length(body) - 1) ||
		CASE WHEN substr(body, -1) = X'00' THEN X'01' ELSE X'00' END AS BLOB)`)
	if res := sync(t, officer); res.Rejected != 1 {
		t.Fatalf("officer sync = %+v", res)
	}
	sync(t, caseworker)
	got = rejectionsOf(t, caseworker, caseID, client.ReceiptRejected)
	if len(got) != 2 || got[1].Reader.OrgName != "Weald Homes" || !strings.Contains(got[1].Reason, "could not be decrypted") {
		t.Fatalf("decryption rejection not shown: %+v", got)
	}
}

// downStore is a relay store whose database can be "restarting": every
// call fails as PostgreSQL's do while it restarts.
type downStore struct {
	store.Store
	down *atomic.Bool
}

var errRestarting = errors.New("FATAL: the database system is shutting down (SQLSTATE 57P03)")

func (s downStore) Directory(ctx context.Context, since uint64, limit int) ([]store.DirectoryEntry, error) {
	if s.down.Load() {
		return nil, errRestarting
	}
	return s.Store.Directory(ctx, since, limit)
}

func (s downStore) PutEnvelope(ctx context.Context, e store.Envelope, devices [][16]byte, q store.Quota, stored func()) error {
	if s.down.Load() {
		return errRestarting
	}
	return s.Store.PutEnvelope(ctx, e, devices, q, stored)
}

// TestStoreOutageQueues (issue 12, item 8): while the relay's database is
// restarting, a message is queued on the device exactly as when the relay
// itself is down, and sent by the next sync once the database is back.
func TestStoreOutageQueues(t *testing.T) {
	ctx := context.Background()
	rc := newReferredCase(t)
	w, caseworker, officer, caseID := rc.w, rc.caseworker, rc.officer, rc.caseID
	var err error
	sync(t, officer)
	var down atomic.Bool
	w.Relay.RestartWith(func(o *relaytest.Options) {
		o.WrapStore = func(s store.Store) store.Store { return downStore{Store: s, down: &down} }
	})

	down.Store(true)
	_, err = caseworker.SendMessage(ctx, caseID, "Sent while the database restarts.")
	if !errors.Is(err, client.ErrNotSent) || !errors.Is(err, client.ErrRelayUnreachable) {
		t.Fatalf("send during the outage: %v; want it queued as when the relay is down", err)
	}
	down.Store(false)
	if res := sync(t, caseworker); res.Sent == 0 {
		t.Fatalf("queued message not sent after the outage: %+v", res)
	}
	if res := sync(t, officer); res.New != 1 {
		t.Fatalf("officer sync = %+v", res)
	}
}

// syncFailsStore is a relay store whose puts, while failing is set, are
// committed and handed to recipients but then fail, as a put whose disk
// sync fails does (or one whose relay dies before the sync): the sender
// is never told SendOK.
type syncFailsStore struct {
	store.Store
	failing *atomic.Bool
}

func (s syncFailsStore) PutEnvelope(ctx context.Context, e store.Envelope, devices [][16]byte, q store.Quota, stored func()) error {
	err := s.Store.PutEnvelope(ctx, e, devices, q, stored)
	if err == nil && s.failing.Load() {
		return errors.New("put envelope: sync the WAL: input/output error")
	}
	return err
}

// TestHandedOverBeforeSyncReceivedOnce: the relay hands a stored envelope
// to recipients before its sync, so a recipient can have a message whose
// sender was never told SendOK. The sender keeps it and sends it again;
// the recipient, which has acknowledged the first copy (so the relay
// stores the resend anew), drops the second by id: the message shows
// once.
func TestHandedOverBeforeSyncReceivedOnce(t *testing.T) {
	ctx := context.Background()
	rc := newReferredCase(t)
	sync(t, rc.officer)
	var failing atomic.Bool
	rc.w.Relay.RestartWith(func(o *relaytest.Options) {
		o.WrapStore = func(s store.Store) store.Store { return syncFailsStore{Store: s, failing: &failing} }
	})
	failing.Store(true)
	const text = "Keys can be collected on Thursday."
	if _, err := rc.caseworker.SendMessage(ctx, rc.caseID, text); !errors.Is(err, client.ErrNotSent) {
		t.Fatalf("send whose sync fails: %v; want it kept to send again", err)
	}
	if res := sync(t, rc.officer); res.New != 1 {
		t.Fatalf("officer's first sync = %+v; want the message handed over before its sync", res)
	}
	failing.Store(false)
	if res := sync(t, rc.caseworker); res.Sent == 0 {
		t.Fatalf("caseworker's sync = %+v; want the message sent again", res)
	}
	res := sync(t, rc.officer)
	if res.New != 0 || res.Duplicates != 1 {
		t.Fatalf("officer's second sync = %+v; want the resend dropped as a duplicate", res)
	}
	c, err := rc.officer.Case(ctx, rc.caseID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range c.Events {
		if e.Kind == workflow.EventMessage {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the officer's case shows %d message events, want 1", n)
	}
}

// TestEmptyRelayStoreIsRollback (issue 12, item 2): a relay restarted on an
// empty store (told to accept it) refuses every device as unknown; the
// device does not believe it, but reports the relay's empty log as a
// rollback from the larger checkpoint it holds.
func TestEmptyRelayStoreIsRollback(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	caseworker := w.Device(refuge, "Refuge laptop")
	sync(t, caseworker)
	w.Relay.Empty()
	_, err := caseworker.Sync(ctx)
	if !errors.Is(err, client.ErrLogInconsistent) {
		t.Fatalf("sync against an emptied relay: %v; want a rollback", err)
	}
	alerts, err := caseworker.Alerts(ctx)
	if err != nil || len(alerts) != 1 || alerts[0].Kind != client.AlertRollback {
		t.Fatalf("alerts = %+v, %v", alerts, err)
	}
}

// TestEnrolChecksRelayAndOrganisation (issue 12): enrolment checks that the
// relay answers and lists the organisation before writing anything; an
// unreachable relay is said plainly, and enrolment goes on offline.
func TestEnrolChecksRelayAndOrganisation(t *testing.T) {
	ctx := context.Background()
	w := hometest.New(t)
	refuge := w.Org("Harbour Refuge", crypto.KindProvider)
	home := filepath.Join(t.TempDir(), "home")
	opts := &client.EnrolOptions{Home: home, SchemeFile: w.SchemeFile, Relay: w.URL, Org: crypto.OrgID{9}, Name: "Laptop",
		Passphrase: hometest.Passphrase("Laptop"), WorkFactor: hometest.WorkFactor}
	if _, err := client.Enrol(ctx, opts); !errors.Is(err, client.ErrOrgNotInDirectory) {
		t.Fatalf("enrol into an organisation the relay does not list: %v", err)
	}
	if _, err := os.Stat(home); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused enrolment wrote %s: %v", home, err)
	}
	opts.Org = refuge.ID
	e, err := client.Enrol(ctx, opts)
	if err != nil || !e.RelayChecked {
		t.Fatalf("enrol: %+v, %v", e, err)
	}
	w.Relay.Stop()
	opts.Home = filepath.Join(t.TempDir(), "offline")
	e, err = client.Enrol(ctx, opts)
	if err != nil || e.RelayChecked || !strings.Contains(e.RelayUnchecked, "could not reach the relay") {
		t.Fatalf("offline enrol: %+v, %v", e, err)
	}
}

// TestSetRelay (issue 12, item 10): a device moves to the second node of
// its relay (same log, consistency proved) and carries on there; a relay of
// another log, or one whose log is a fork of its own, is refused and the
// device keeps its relay.
func TestSetRelay(t *testing.T) {
	ctx := context.Background()
	rc := newReferredCase(t)
	w, caseworker, officer, caseID := rc.w, rc.caseworker, rc.officer, rc.caseID

	other := hometest.New(t) // another scheme's relay and log
	if err := caseworker.SetRelay(ctx, other.URL); !errors.Is(err, client.ErrNotSameLog) {
		t.Fatalf("set relay to another log: %v", err)
	}
	if caseworker.Relay() != w.URL {
		t.Fatalf("a refused move changed the relay to %s", caseworker.Relay())
	}

	node2 := w.Node()
	if err := caseworker.SetRelay(ctx, node2.URL); err != nil {
		t.Fatalf("set relay to the second node: %v", err)
	}
	w.Relay.Stop() // the first node fails
	if _, err := caseworker.SendMessage(ctx, caseID, "Sent through the second node."); err != nil {
		t.Fatal(err)
	}
	reopened, err := client.OpenHome(ctx, w.HomePath("Refuge laptop"), hometest.Passphrase("Refuge laptop"))
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	if reopened.Relay() != node2.URL {
		t.Fatalf("config names %s after the move", reopened.Relay())
	}
	if err := officer.SetRelay(ctx, node2.URL); err != nil {
		t.Fatal(err)
	}
	if res := sync(t, officer); res.New != 2 {
		t.Fatalf("officer on the second node: %+v", res)
	}

	// The same log key serving another history (a dishonest relay showing
	// a fork): refused, reported, and the device stays where it is.
	fork := w.Fork()
	fork.Publish(w.Scheme.AddOrg(t, "Swale Homes", crypto.KindLandlord, "Swale").Raw)
	if err := officer.SetRelay(ctx, fork.URL); !errors.Is(err, client.ErrNotSameLog) {
		t.Fatalf("set relay to a fork: %v", err)
	}
	if officer.Relay() != node2.URL {
		t.Fatalf("a refused move changed the relay to %s", officer.Relay())
	}
}
