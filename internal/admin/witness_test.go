package admin

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/relaytest"
	"github.com/saferef/saferef/internal/witnesstest"
	"github.com/saferef/saferef/protocol"
)

// TestWithheldRevocationCaught: a relay answers "published" to a device
// revocation and never appends it to its log. Before witnessed
// checkpoints, 'device revoke' exited 0. Now the admin tool waits for an
// inclusion proof in a checkpoint a fresh quorum of the scheme's
// witnesses cosigned, and reports "the relay did not publish the
// revocation"; the directory still lists the device as current, so no
// one is misled. Once the relay behaves, the same revocation is
// confirmed with its log index and the witnessed checkpoint's size, and
// DIR keeps the witnessed checkpoint for the next run.
func TestWithheldRevocationCaught(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, roots, err := CreateScheme(dir, "test", 1, 1, Static(rootPass), testWF)
	if err != nil {
		t.Fatal(err)
	}
	skey, vkey := relaytest.NewLogKey(t, s)
	wit := witnesstest.Start(t, witnesstest.Name("coordinator"), vkey)
	witnesstest.SignInto(t, s, roots, vkey, 1, 0, 0, wit)
	b, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(SchemePath(dir), b, 0o644); err != nil {
		t.Fatal(err)
	}
	var withhold atomic.Bool
	r := relaytest.RunWith(t, s, relaytest.Options{LogSignerKey: skey, Witnesses: []string{wit.URL},
		Hook: func(_ *relaytest.ProxyConn, toClient bool, f protocol.Frame) (protocol.Frame, protocol.Frame) {
			if p, ok := f.(*protocol.Publish); ok && !toClient && withhold.Load() {
				if sd, err := crypto.ParseSigned(p.Object, ""); err == nil && sd.Type == crypto.TypeRevocation {
					return nil, &protocol.PublishOK{ReqID: p.ReqID, Index: 2} // "published", withheld
				}
			}
			return f, nil
		}})
	o, err := AddOrg(dir, s, roots, "Weald Homes", crypto.KindLandlord, []string{"Maidstone"}, adminPass, testWF, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pub, err := Publish(ctx, dir, r.URL, o.CertBytes)
	if err != nil || len(pub) != 1 || pub[0].Index != 0 || pub[0].Size < 1 || pub[0].Witnessed.IsZero() {
		t.Fatalf("publish organisation: %+v %v", pub, err)
	}
	req := newRequest(t, o.Cert.Org, "Priya's laptop")
	if _, err := ApproveDevice(ctx, dir, r.URL, req, req.Fingerprint(), Static(adminPass)); err != nil {
		t.Fatal(err)
	}

	withhold.Store(true)
	wctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	_, err = RevokeDevice(wctx, dir, r.URL, req.Device, "laptop stolen", time.Time{}, Static(adminPass))
	var npe *NotPublishedError
	if !errors.As(err, &npe) || !errors.Is(err, ErrNotPublished) || npe.Error() != "the relay did not publish the revocation" {
		t.Fatalf("revoke with the revocation withheld: %v, want \"the relay did not publish the revocation\"", err)
	}
	od, err := ListDevices(ctx, dir, r.URL, o.Cert.Org, time.Now())
	if err != nil || od.Devices[0].State != DeviceCurrent {
		t.Fatalf("device list after the withheld revocation: %+v %v (it must not claim a revocation the log lacks)", od, err)
	}

	withhold.Store(false)
	rev, err := RevokeDevice(ctx, dir, r.URL, req.Device, "laptop stolen", time.Time{}, Static(adminPass))
	if err != nil || rev.Already {
		t.Fatalf("revoke with an honest relay: %+v %v", rev, err)
	}
	pubs, err := Publications(dir)
	if err != nil || len(pubs) != 3 {
		t.Fatalf("publications: %+v %v", pubs, err)
	}
	last := pubs[2]
	if last.Kind != crypto.TypeRevocation || last.Index != 2 || last.Size != 3 || last.Witnessed.IsZero() {
		t.Fatalf("revocation publication: %+v", last)
	}
	st, err := os.ReadFile(dir + "/" + StateFile)
	if err != nil || len(st) == 0 {
		t.Fatalf("no log state kept in DIR: %v", err)
	}
	if size, at, ok, err := WitnessedView(dir); err != nil || !ok || size != 3 || at.IsZero() {
		t.Fatalf("witnessed view kept in DIR: size %d at %v (%v, %v)", size, at, ok, err)
	}
}

// FuzzParsePublications checks that a damaged DIR/publications.jsonl
// never panics the reader.
func FuzzParsePublications(f *testing.F) {
	f.Add([]byte(`{"kind":"revocation","index":2,"checkpoint_size":3,"witnessed_at":"2026-12-06T20:00:00Z","published_at":"2026-12-06T20:00:01Z"}` + "\n"))
	f.Add([]byte("{"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := parsePublications(b)
		if err == nil && len(ps) > len(b) {
			t.Fatalf("%d publications from %d bytes", len(ps), len(b))
		}
	})
}
