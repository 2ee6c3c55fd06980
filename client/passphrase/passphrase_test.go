package passphrase

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		pass    string
		context []string
		ok      bool
		reason  string
	}{
		{"orbit lantern pebble mustard", nil, true, ""},
		{"refuge caseworker test passphrase", nil, true, ""},
		{"short", nil, false, "5 characters"},
		{"Password1234", nil, false, "commonly used password"},
		{"aaaaaaaaaaaaaaaa", nil, false, "repeats"},
		{"1qaz2wsx3edc4rfv", nil, false, "10^"},
		{"Summer2026!!", nil, false, "10^"},
		{"wealdhomeslaptop", []string{"Weald Homes", "laptop"}, false, "about you"},
		{"saferefsaferef", nil, false, "about you"},
		{strings.Repeat("long enough words ", 10), nil, true, ""},
	} {
		err := Check(tt.pass, tt.context...)
		if tt.ok {
			if err != nil {
				t.Errorf("Check(%q) = %v, want accepted", tt.pass, err)
			}
			continue
		}
		var weak *WeakError
		if !errors.As(err, &weak) || !errors.Is(err, ErrWeak) {
			t.Errorf("Check(%q) = %v, want a WeakError", tt.pass, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.reason) {
			t.Errorf("Check(%q) = %q, want it to say %q", tt.pass, err, tt.reason)
		}
		if strings.Contains(err.Error(), tt.pass) {
			t.Errorf("Check(%q): the error repeats the passphrase", tt.pass)
		}
	}
}

func ExampleCheck() {
	fmt.Println(Check("Summer2026!!"))
	fmt.Println(Check("orbit lantern pebble mustard"))
	// Output:
	// passphrase too easy to guess: it contains a commonly used password; about 10^8 guesses would find it, and the rule asks for 10^10 (ten billion)
	// <nil>
}

func FuzzCheck(f *testing.F) {
	f.Add("orbit lantern pebble mustard")
	f.Add("Password1234")
	f.Fuzz(func(t *testing.T, s string) {
		if err := Check(s); err != nil && !errors.Is(err, ErrWeak) {
			t.Fatal(err)
		}
	})
}
