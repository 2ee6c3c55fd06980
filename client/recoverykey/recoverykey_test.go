package recoverykey

import (
	"errors"
	"strings"
	"testing"
)

func TestNewNormalize(t *testing.T) {
	if len(wordlist) != 2048 {
		t.Fatalf("wordlist has %d words", len(wordlist))
	}
	k, err := New()
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := New()
	if k == k2 {
		t.Fatal("two recovery keys are equal")
	}
	typed := "  " + strings.ToUpper(strings.ReplaceAll(k, " ", "\n  ")) + "\n"
	got, err := Normalize(typed)
	if err != nil || got != k {
		t.Fatalf("Normalize = %q, %v; want %q", got, err, k)
	}
	words := strings.Fields(k)
	for _, bad := range []string{strings.Join(words[:11], " "), k + " zoo", strings.Join(append(words[:11], "saferef"), " ")} {
		if _, err := Normalize(bad); !errors.Is(err, ErrNotRecoveryKey) {
			t.Errorf("Normalize(%q) = %v", bad, err)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	f.Add("abandon ability able about above absent absorb abstract absurd abuse access accident")
	f.Fuzz(func(t *testing.T, s string) {
		if k, err := Normalize(s); err == nil {
			if again, err := Normalize(k); err != nil || again != k {
				t.Fatalf("not idempotent: %q", s)
			}
		}
	})
}
