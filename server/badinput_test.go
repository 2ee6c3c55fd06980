package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol"
	"github.com/saferef/saferef/server/store"
)

// TestRelayBadInput sends each kind of bad input on its own connection while
// a bystander device stays connected, and checks that the bad connection
// gets its specific error and that the bystander is still served afterwards.
func TestRelayBadInput(t *testing.T) {
	s := newKentScheme(t)
	revoked := s.medway.AddDevice(t, "Lost laptop")
	r := startRelay(t, s.Scheme, nil)
	r.publish(t, s.Objects...)
	r.publish(t, revoked.Revoke(t, time.Now().Add(-time.Minute), "left on a bus"))
	dir := s.Directory(t)

	bystander := r.online(t, s.wealdA)
	sender := r.online(t, s.refugeLaptop)

	envBytes := func() []byte {
		b, err := s.refugeLaptop.Seal(t, dir, s.weald.ID, "case-message/v1", []byte("x")).Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	validFrame, err := protocol.Encode(&protocol.Send{ReqID: 1, Envelope: envBytes()})
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name  string
		run   func(c *testClient)
		code  string
		fatal bool
	}{
		{"unauthenticated send", func(c *testClient) {
			c.send(&protocol.Send{ReqID: 1, Envelope: envBytes()})
		}, protocol.CodeUnauthenticated, true},
		{"unauthenticated ack", func(c *testClient) {
			c.send(&protocol.Ack{IDs: [][16]byte{{1}}})
		}, protocol.CodeUnauthenticated, true},
		{"proof beyond the log", func(c *testClient) {
			c.send(&protocol.ProofGet{ReqID: 3, HasIndex: true, Index: 500})
		}, protocol.CodeBeyondLog, false},
		{"proof for a tree beyond the log", func(c *testClient) {
			c.send(&protocol.ProofGet{ReqID: 4, OldSize: 1, Size: 500})
		}, protocol.CodeBeyondLog, false},
		{"revoked device", func(c *testClient) {
			c.send(c.authFrame(revoked, r.origin, time.Now()))
		}, protocol.CodeDeviceRevoked, true},
		{"unknown device", func(c *testClient) {
			stranger := s.medway.AddDevice(t, "never approved") // signed but never published
			c.send(c.authFrame(stranger, r.origin, time.Now()))
		}, protocol.CodeAuthFailed, true},
		{"signature for another relay", func(c *testClient) {
			c.send(c.authFrame(s.medwayA, "wss://relay.example.org", time.Now()))
		}, protocol.CodeAuthFailed, true},
		{"stale timestamp", func(c *testClient) {
			c.send(c.authFrame(s.medwayA, r.origin, time.Now().Add(-10*time.Minute)))
		}, protocol.CodeAuthStale, true},
		{"wrong key", func(c *testClient) {
			f := c.authFrame(s.medwayA, r.origin, time.Now())
			f.Sig = ed25519.Sign(s.wealdA.Keys.Signing, protocol.AuthMessage(c.hello.Nonce, r.origin, f.Time, f.Device))
			c.send(f)
		}, protocol.CodeAuthFailed, true},
		{"replayed auth signature", func(c *testClient) {
			// Capture a good Auth from one connection and play it on another.
			first := r.dial(t)
			defer first.close()
			captured := first.authFrame(s.medwayA, r.origin, time.Now())
			first.send(captured)
			if _, ok := first.read().(*protocol.AuthOK); !ok {
				t.Fatal("first auth failed")
			}
			c.send(captured)
		}, protocol.CodeAuthReplayed, true},
		{"second auth on one connection", func(c *testClient) {
			c.auth(r, s.medwayA)
			c.send(c.authFrame(s.medwayA, r.origin, time.Now()))
		}, protocol.CodeAuthReplayed, true},
		{"truncated frame", func(c *testClient) {
			c.sendRaw(validFrame[:len(validFrame)/2])
		}, protocol.CodeMalformedFrame, true},
		{"oversized frame", func(c *testClient) {
			c.sendRaw(bytes.Repeat([]byte{0x41}, protocol.MaxFrameSize+100))
		}, protocol.CodeFrameTooLarge, true},
		{"garbage CBOR", func(c *testClient) {
			c.sendRaw([]byte("\xa3\x61\x74\x01\x61\x74\x02\xff\xfe"))
		}, protocol.CodeMalformedFrame, true},
		{"text message", func(c *testClient) {
			c.ws.WriteMessage(websocket.TextMessage, []byte(`{"t":16}`))
		}, protocol.CodeMalformedFrame, true},
		{"frame only the relay sends", func(c *testClient) {
			c.send(&protocol.Deliver{Envelope: envBytes()})
		}, protocol.CodeUnknownFrame, true},
		{"envelope to an unknown mailbox", func(c *testClient) {
			c.auth(r, s.medwayA)
			c.expectDrained()
			nobody, _ := crypto.NewOrgID(nil)
			env := s.medwayA.Seal(t, dir, s.weald.ID, "case-message/v1", []byte("x"))
			env.Mailbox = nobody
			b, _ := env.Marshal()
			c.send(&protocol.Send{ReqID: 5, Envelope: b})
		}, protocol.CodeUnknownMailbox, false},
		{"envelope that is not an envelope", func(c *testClient) {
			c.auth(r, s.medwayA)
			c.expectDrained()
			c.send(&protocol.Send{ReqID: 6, Envelope: []byte("ciphertext?")})
		}, protocol.CodeMalformedFrame, false},
		{"duplicate envelope", func(c *testClient) {
			c.auth(r, s.medwayA)
			c.expectDrained()
			env := s.medwayA.Seal(t, dir, s.refuge.ID, "case-message/v1", []byte("x"))
			c.sendEnvelope(1, env)
			b, _ := env.Marshal()
			c.send(&protocol.Send{ReqID: 2, Envelope: b})
		}, protocol.CodeDuplicateEnvelope, false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := r.dial(t)
			defer c.close()
			c.t = t
			tc.run(c)
			c.expectError(tc.code, tc.fatal)

			// The bystander is still served.
			env := s.refugeLaptop.Seal(t, dir, s.weald.ID, "case-message/v1", []byte{byte(i)})
			sender.sendEnvelope(uint64(100+i), env)
			if got := bystander.receive(1)[0]; got.ID != env.ID {
				t.Fatalf("bystander got %v, want %v", got.ID, env.ID)
			}
			bystander.send(&protocol.Ack{IDs: [][16]byte{[16]byte(env.ID)}})
		})
	}
}

func TestRelayRevokedWhileConnected(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, nil)
	r.publish(t, s.Objects...)
	c := r.online(t, s.medwayA)
	// Dated by the relay's (fixed) clock: a wall-clock date can fall a
	// second after it and not yet count as revoked.
	r.publish(t, s.medwayA.Revoke(t, r.clock.Now(), "left the organisation"))
	c.expectError(protocol.CodeDeviceRevoked, true)

	again := r.dial(t)
	defer again.close()
	again.send(again.authFrame(s.medwayA, r.origin, time.Now()))
	again.expectError(protocol.CodeDeviceRevoked, true)
}

func TestRelayLimits(t *testing.T) {
	s := newKentScheme(t)
	t.Run("rate", func(t *testing.T) {
		r := startRelay(t, s.Scheme, func(c *Config) { c.SendBurst = 2; c.SendRate = 0.001 })
		r.publish(t, s.Objects...)
		dir := s.Directory(t)
		c := r.dial(t)
		defer c.close()
		c.auth(r, s.refugeLaptop)
		c.expectDrained()
		c.sendEnvelope(1, s.refugeLaptop.Seal(t, dir, s.weald.ID, "case-message/v1", []byte("1")))
		c.sendEnvelope(2, s.refugeLaptop.Seal(t, dir, s.weald.ID, "case-message/v1", []byte("2")))
		b, _ := s.refugeLaptop.Seal(t, dir, s.weald.ID, "case-message/v1", []byte("3")).Marshal()
		c.send(&protocol.Send{ReqID: 3, Envelope: b})
		if e := c.expectError(protocol.CodeRateLimited, false); e.ReqID != 3 {
			t.Fatalf("rate-limited answers request %d", e.ReqID)
		}
	})
	t.Run("mailbox quota", func(t *testing.T) {
		r := startRelay(t, s.Scheme, func(c *Config) { c.MailboxQuota = store.Quota{MaxEnvelopes: 1} })
		r.publish(t, s.Objects...)
		dir := s.Directory(t)
		c := r.dial(t)
		defer c.close()
		c.auth(r, s.refugeLaptop)
		c.expectDrained()
		c.sendEnvelope(1, s.refugeLaptop.Seal(t, dir, s.weald.ID, "case-message/v1", []byte("1")))
		b, _ := s.refugeLaptop.Seal(t, dir, s.weald.ID, "case-message/v1", []byte("2")).Marshal()
		c.send(&protocol.Send{ReqID: 2, Envelope: b})
		c.expectError(protocol.CodeMailboxFull, false)
		// Another mailbox is unaffected.
		c.sendEnvelope(3, s.refugeLaptop.Seal(t, dir, s.medway.ID, "case-message/v1", []byte("3")))
	})
}

// TestRelayDropsSlowClient floods the relay with requests from a client that
// never reads its replies: the relay drops it, counts why, and keeps serving
// another device throughout.
func TestRelayDropsSlowClient(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, func(c *Config) {
		c.QueueLength = 8
		c.WriteTimeout = 500 * time.Millisecond
	})
	r.publish(t, s.Objects...)
	dir := s.Directory(t)

	slow := r.dial(t)
	defer slow.close()
	slow.auth(r, s.medwayA)
	frame, err := protocol.Encode(&protocol.DirectoryGet{ReqID: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			slow.ws.SetWriteDeadline(time.Now().Add(time.Second))
			if slow.ws.WriteMessage(websocket.BinaryMessage, frame) != nil {
				return
			}
		}
	}()

	fast := r.online(t, s.wealdA)
	sender := r.online(t, s.refugeLaptop)
	waitFor(t, "slow client dropped", func() bool {
		m := r.scrape(t)
		return strings.Contains(m, `reason="queue-full"`) || strings.Contains(m, `reason="write-failed"`)
	})
	env := s.refugeLaptop.Seal(t, dir, s.weald.ID, "case-message/v1", []byte("still here"))
	sender.sendEnvelope(1, env)
	if got := fast.receive(1)[0]; got.ID != env.ID {
		t.Fatal("fast client not served after the slow one was dropped")
	}
}

// TestRelayLimitsRequestsBeforeAuth: an anonymous connection may read the
// directory and publish, but only so many frames before it authenticates;
// then it is closed, and other clients are unaffected.
func TestRelayLimitsRequestsBeforeAuth(t *testing.T) {
	s := newKentScheme(t)
	r := startRelay(t, s.Scheme, func(c *Config) { c.PreAuthFrames = 3 })
	for _, o := range s.Objects {
		r.publish(t, o) // one connection each: 7 on one would be over the budget
	}
	c := r.dial(t)
	defer c.close()
	for i := range 3 {
		c.send(&protocol.DirectoryGet{ReqID: uint64(i + 1)})
		if _, ok := c.read().(*protocol.Directory); !ok {
			t.Fatalf("directory request %d refused", i+1)
		}
	}
	c.send(&protocol.DirectoryGet{ReqID: 4})
	c.expectError(protocol.CodeRateLimited, true)

	// Authenticating resets nothing for others, and an authenticated
	// device is not bound by the anonymous budget.
	d := r.online(t, s.wealdA)
	for i := range 5 {
		d.send(&protocol.DirectoryGet{ReqID: uint64(i + 1)})
		if _, ok := d.read().(*protocol.Directory); !ok {
			t.Fatalf("authenticated directory request %d refused", i+1)
		}
	}
}
