package server

import (
	"context"
	"testing"

	"github.com/saferef/saferef/internal/pgtest"
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
