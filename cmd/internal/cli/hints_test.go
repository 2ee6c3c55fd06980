package cli

import (
	"bytes"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto/vault"
	"github.com/saferef/saferef/protocol"
)

func TestPrintErrorFallsBackToCommonHint(t *testing.T) {
	for _, tc := range []struct {
		err  error
		own  string
		want string
	}{
		{fmt.Errorf("unlock device: %w", vault.ErrWrongPassphrase), "", "hint: check the passphrase"},
		{fmt.Errorf("sync: %w", &protocol.Error{Code: protocol.CodeDeviceRevoked, Message: "revoked"}), "", "hint: this device was revoked"},
		{fmt.Errorf("sync: %w", &protocol.Error{Code: protocol.CodeDeviceRevoked}), "ask the coordinator", "hint: ask the coordinator"},
		{fmt.Errorf("something odd"), "", "hint: run the command again"},
		{Usagef("", "unknown flag --frob"), "", "hint: run 'saferef -h' for usage"},
	} {
		var b bytes.Buffer
		PrintError(&b, "saferef", tc.err, func(error) string { return tc.own })
		lines := strings.Split(strings.TrimSpace(b.String()), "\n")
		if !strings.HasPrefix(lines[0], "saferef: error: ") || !strings.HasPrefix(lines[len(lines)-1], "saferef: "+tc.want) {
			t.Errorf("%v: printed\n%s\nwant an error line and %q", tc.err, b.String(), tc.want)
		}
	}
}

// TestOperationalErrorsHaveSpecificHints (issue 12, item 6): connection
// drops, full disks, a damaged store or vault and a relay shutting down or
// unable to reach its store each get a hint saying what to do, never the
// pointer to the usage.
func TestOperationalErrorsHaveSpecificHints(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("sync: read from relay ws://127.0.0.1:8443: websocket: close 1006 (abnormal closure): unexpected EOF"), "connection to the relay dropped"},
		{fmt.Errorf("sync: %w", relay.ErrClosed), "connection to the relay dropped"},
		{fmt.Errorf("open home: create schema: disk I/O error: database or disk is full"), "disk is full"},
		{fmt.Errorf("write: %w", syscall.ENOSPC), "disk is full"},
		{fmt.Errorf("send: %w", casestore.ErrReadOnly), "disk is full"},
		{fmt.Errorf("list cases: database disk image is malformed (11)"), "case store (cases.db"},
		{fmt.Errorf("open home: %w", vault.ErrCorrupt), "device vault"},
		{fmt.Errorf("sync: relay closed the connection: %w", &protocol.Error{Code: protocol.CodeInternal, Message: "relay is shutting down, reconnect shortly", Fatal: true}), "relay is restarting"},
		{fmt.Errorf("sync: %w", &protocol.Error{Code: protocol.CodeUnavailable, Message: "the relay cannot reach its store"}), "cannot reach its database"},
	} {
		var b bytes.Buffer
		PrintError(&b, "saferef", tc.err, nil)
		out := b.String()
		if strings.Contains(out, "-h' for usage") || !strings.Contains(out, tc.want) {
			t.Errorf("%v: printed\n%s\nwant a hint containing %q", tc.err, out, tc.want)
		}
	}
}
