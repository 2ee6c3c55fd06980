package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/admin"
	"github.com/saferef/saferef/internal/relaytest"
	"github.com/saferef/saferef/internal/witnesstest"
	"github.com/saferef/saferef/protocol"
)

// TestRevokeNotPublishedCLI: a relay that says "published" and withholds
// the revocation makes 'device revoke' exit 1 with "error: the relay did
// not publish the revocation" and a hint, instead of claiming success.
func TestRevokeNotPublishedCLI(t *testing.T) {
	a := newAdminScheme(t, relaytest.Options{Hook: func(_ *relaytest.ProxyConn, toClient bool, f protocol.Frame) (protocol.Frame, protocol.Frame) {
		if p, ok := f.(*protocol.Publish); ok && !toClient {
			if sd, err := crypto.ParseSigned(p.Object, ""); err == nil && sd.Type == crypto.TypeRevocation {
				return nil, &protocol.PublishOK{ReqID: p.ReqID, Index: 2}
			}
		}
		return f, nil
	}})
	dir, r := a.dir, a.relay
	laptop := approveNew(t, dir, r.URL, a.org, "Priya's laptop")
	code, out, errOut := runCLI(t, testVars, "device", "revoke", "--dir", dir, "--relay", r.URL, "--publish-wait", "1s", laptop.String())
	if code != 1 || !strings.Contains(errOut, "error: the relay did not publish the revocation\n") || !strings.Contains(errOut, "hint: do not assume it took effect") {
		t.Fatalf("revoke with the revocation withheld: exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestSchemeInitWithWitnesses: scheme init names the witnesses, signed by
// the roots, creates the relay's log key, and 'scheme witnesses' signs a
// change.
func TestSchemeInitWithWitnesses(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "scheme")
	a, b := witnesstest.New(t, witnesstest.Name("a")), witnesstest.New(t, witnesstest.Name("b"))
	code, _, errOut := runCLI(t, testVars, "scheme", "init", "--dir", dir, "--witness", a.VerifierKey)
	if code != 2 || !strings.Contains(errOut, "--witness and --relay-log-key go together") {
		t.Fatalf("witness without a relay log key: %d %s", code, errOut)
	}
	code, _, errOut = runCLI(t, testVars, "scheme", "init", "--dir", dir, "--witness", "not a key", "--relay-log-key", filepath.Join(root, "log.key"))
	if code != 2 || !strings.Contains(errOut, "bad --witness") {
		t.Fatalf("bad witness key: %d %s", code, errOut)
	}
	code, out, errOut := runCLI(t, testVars, "scheme", "init", "--dir", dir, "--witness", a.VerifierKey, "--witness", b.VerifierKey,
		"--witness-quorum", "2", "--relay-log-key", filepath.Join(root, "log.key"))
	if code != 0 || !strings.Contains(out, "witness quorum: 2 of 2") || !strings.Contains(out, "relay log key: saferef-relay/") {
		t.Fatalf("scheme init with witnesses: %d\n%s\n%s", code, out, errOut)
	}
	s, err := admin.ReadScheme(dir)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := s.WitnessSet()
	if err != nil || ws == nil || ws.Seq != 1 || ws.Quorum != 2 || len(ws.Witnesses) != 2 {
		t.Fatalf("witness set: %+v %v", ws, err)
	}
	code, out, errOut = runCLI(t, testVars, "scheme", "witnesses", "--dir", dir, "--log-key", ws.LogKey, "--witness", a.VerifierKey, "--witness-quorum", "1")
	if code != 0 || !strings.Contains(out, "witness quorum: 1 of 1") {
		t.Fatalf("scheme witnesses: %d\n%s\n%s", code, out, errOut)
	}
	if s, _ = admin.ReadScheme(dir); s == nil {
		t.Fatal("scheme unreadable")
	}
	if ws, err = s.WitnessSet(); err != nil || ws.Seq != 2 || len(ws.Witnesses) != 1 {
		t.Fatalf("changed witness set: %+v %v", ws, err)
	}
}
