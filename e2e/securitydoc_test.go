package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSecurityClaimsHaveTests checks that every test SECURITY.md cites as
// evidence for a claim exists, so that the threat model cannot point at a
// renamed or deleted test.
func TestSecurityClaimsHaveTests(t *testing.T) {
	doc, err := os.ReadFile("../SECURITY.md")
	if err != nil {
		t.Fatal(err)
	}
	cite := regexp.MustCompile("`([a-z][a-z0-9/-]*)\\.((?:Test|Fuzz|Example)[A-Za-z0-9_]+)`")
	refs := cite.FindAllStringSubmatch(string(doc), -1)
	if len(refs) < 15 {
		t.Fatalf("SECURITY.md cites only %d tests", len(refs))
	}
	for _, ref := range refs {
		pkg, name := ref[1], ref[2]
		files, _ := filepath.Glob(filepath.Join("..", pkg, "*_test.go"))
		if len(files) == 0 {
			t.Errorf("SECURITY.md cites %s.%s, but %s has no tests", pkg, name, pkg)
			continue
		}
		found := false
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			found = found || strings.Contains(string(b), "func "+name+"(")
		}
		if !found {
			t.Errorf("SECURITY.md cites %s.%s, which does not exist", pkg, name)
		}
	}
}
