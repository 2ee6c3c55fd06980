package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

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
		{fmt.Errorf("something odd"), "", "hint: run 'saferef -h' for usage"},
	} {
		var b bytes.Buffer
		PrintError(&b, "saferef", tc.err, func(error) string { return tc.own })
		lines := strings.Split(strings.TrimSpace(b.String()), "\n")
		if !strings.HasPrefix(lines[0], "saferef: error: ") || !strings.HasPrefix(lines[len(lines)-1], "saferef: "+tc.want) {
			t.Errorf("%v: printed\n%s\nwant an error line and %q", tc.err, b.String(), tc.want)
		}
	}
}
