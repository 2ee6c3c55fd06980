package server

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/saferef/saferef/internal/pgtest"
	"github.com/saferef/saferef/protocol"
	"github.com/saferef/saferef/server/store/postgres"
)

// TestRelayNodesSharePostgres runs two relay nodes on one PostgreSQL store:
// a device connected to one node receives, at once, an envelope sent
// through the other (LISTEN/NOTIFY), and a device approved through one node
// can authenticate at the other.
func TestRelayNodesSharePostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	schema := pgtest.FreshSchema(t, dsn)
	open := func() *postgres.Store {
		st, err := postgres.Open(context.Background(), dsn, postgres.WithSchema(schema))
		if err != nil {
			t.Fatalf("open postgres store: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	s := newKentScheme(t)
	nodeA := startRelayOn(t, s.Scheme, open(), nil)
	nodeB := startRelayOn(t, s.Scheme, open(), nil)
	nodeB.publish(t, s.Objects...) // published through B only
	dir := s.Directory(t)

	recipient := nodeA.dial(t) // A learns of the device from the shared store
	defer recipient.close()
	recipient.auth(nodeA, s.wealdA)
	recipient.expectDrained()

	sender := nodeB.online(t, s.refugeLaptop)
	env := s.refugeLaptop.Seal(t, dir, s.weald.ID, "referral/v1", []byte("across nodes"))
	sender.sendEnvelope(1, env)

	if got := recipient.receive(1)[0]; got.ID != env.ID {
		t.Fatalf("node A delivered %v, want %v", got.ID, env.ID)
	}
}

// TestRelayNodesDoNotSerialisePuts runs two relay nodes on one PostgreSQL
// store and holds the lock that orders puts to one mailbox (as a slow put
// there would): a send to that mailbox through node A waits, and meanwhile
// a send to another mailbox through node B, and one through node A itself,
// are stored and acknowledged. Puts are ordered per mailbox, not per store.
func TestRelayNodesDoNotSerialisePuts(t *testing.T) {
	dsn := pgtest.DSN(t)
	schema := pgtest.FreshSchema(t, dsn)
	open := func() *postgres.Store {
		st, err := postgres.Open(context.Background(), dsn, postgres.WithSchema(schema))
		if err != nil {
			t.Fatalf("open postgres store: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	s := newKentScheme(t)
	storeA := open()
	nodeA := startRelayOn(t, s.Scheme, storeA, nil)
	nodeB := startRelayOn(t, s.Scheme, open(), nil)
	nodeA.publish(t, s.Objects...)
	dir := s.Directory(t)
	held := s.refugeLaptop.Seal(t, dir, s.weald.ID, "referral/v1", []byte("to the held mailbox"))
	other := s.wealdA.Seal(t, dir, s.medway.ID, "offer/v1", []byte("to another mailbox"))
	alsoA := s.medwayA.Seal(t, dir, s.refuge.ID, "case-message/v1", []byte("through node A meanwhile"))

	ctx := context.Background()
	lockConn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer lockConn.Close(ctx)
	tx, err := lockConn.Begin(ctx)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, storeA.MailboxLock([16]byte(s.weald.ID))); err != nil {
		t.Fatalf("hold weald's mailbox lock: %v", err)
	}

	senderA := nodeA.online(t, s.refugeLaptop)
	b, err := held.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	senderA.send(&protocol.Send{ReqID: 1, Envelope: b})
	waitFor(t, "node A's put waiting on the mailbox lock", func() bool {
		var waiting int
		err := lockConn.QueryRow(ctx, `SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`).Scan(&waiting)
		return err == nil && waiting > 0
	})

	// While it waits, other mailboxes' puts go through, on either node.
	nodeA.online(t, s.medwayA).sendEnvelope(1, alsoA)
	nodeB.online(t, s.wealdA).sendEnvelope(1, other)

	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("release the lock: %v", err)
	}
	for {
		switch f := senderA.read().(type) {
		case *protocol.Deliver:
			continue // node A's other put was for this device's mailbox
		case *protocol.SendOK:
			if f.ID != [16]byte(held.ID) {
				t.Fatalf("SendOK for %x, want %v", f.ID, held.ID)
			}
			return
		default:
			t.Fatalf("after the lock was released, node A answered %T", f)
		}
	}
}
