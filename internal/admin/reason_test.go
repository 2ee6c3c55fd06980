package admin

import (
	"errors"
	"strings"
	"testing"

	"github.com/saferef/saferef/client/guard"
)

// TestPublicReasonGuarded checks that a reason bound for the public log is
// a short phrase that passes the disclosure guard: the example
// ("Jane Smith left, call 07700 900123") is refused, as are a long story
// and several lines; ordinary phrases pass.
func TestPublicReasonGuarded(t *testing.T) {
	for _, ok := range []string{"laptop lost", "member of staff left", "revoked by the organisation admin", "removed from the scheme"} {
		if err := CheckPublicReason(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{
		"Jane Smith left, call 07700 900123",
		"laptop stolen from 22 Church Street",
		"contact j.smith@example.org",
		"stolen; ask @jsmith",
		strings.Repeat("lost ", 20),
		"lost\nat home",
		"",
	} {
		err := CheckPublicReason(bad)
		if !errors.Is(err, ErrBadReason) {
			t.Errorf("%q: %v, want ErrBadReason", bad, err)
		}
	}
	if err := CheckPublicReason("Jane Smith left, call 07700 900123"); !errors.Is(err, guard.ErrRefused) {
		t.Errorf("the guard did not refuse: %v", err)
	}
}
