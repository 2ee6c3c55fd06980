package client_test

import (
	"crypto/ed25519"
	gosync "sync"
	"testing"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/hometest"
	"github.com/saferef/saferef/internal/schemetest"
)

// clock is a controllable device clock (client.Options.Now).
type clock struct {
	mu gosync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const days = 24 * time.Hour

// enrol enrols a device home for org on w's relay, with its own clock,
// approves it with admin (a certificate valid for 400 days, so that the
// clock may run months ahead) and publishes the certificate to w and to
// each relay in also. It returns the unlocked device and its home.
func enrol(w *hometest.World, o *schemetest.Org, admin ed25519.PrivateKey, name string, clk *clock, also ...*hometest.World) (*client.Device, string) {
	w.T.Helper()
	d := w.DeviceWith(o, name, hometest.DeviceOptions{Now: clk.Now, Admin: admin, Valid: 400 * days, Also: also})
	return d, w.HomePath(name)
}

// admitBoth admits an organisation and publishes it to every relay given.
func admitBoth(t testing.TB, s *schemetest.Scheme, name string, kind crypto.OrgKind, district string, relays ...*hometest.World) *schemetest.Org {
	t.Helper()
	var o *schemetest.Org
	if district != "" {
		o = s.AddOrg(t, name, kind, district)
	} else {
		o = s.AddOrg(t, name, kind)
	}
	for _, r := range relays {
		r.Publish(o.Raw)
	}
	return o
}
