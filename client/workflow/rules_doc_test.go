package workflow

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var updateDoc = flag.Bool("update", false, "rewrite the permission table in doc.go")

const (
	rulesBegin = "// Generated from the rules (go test ./client/workflow -run TestRulesDocumented -update):\n"
	rulesEnd   = "// (End of the generated table.)\n"
)

// rulesTable renders the permission table for the package doc.
func rulesTable() string {
	var b strings.Builder
	b.WriteString("//\n")
	for _, k := range EventKinds() {
		r := rules[k]
		var roles []string
		for _, ro := range r.roles {
			roles = append(roles, string(ro))
		}
		when := "any open stage"
		if !r.anyOpen {
			var st []string
			for _, s := range r.stages {
				if s == StageNone {
					st = append(st, "(new case)")
					continue
				}
				st = append(st, string(s))
			}
			when = strings.Join(st, ", ")
		}
		fmt.Fprintf(&b, "//   - %s: %s; at %s", k, strings.Join(roles, ", "), when)
		if r.note != "" {
			fmt.Fprintf(&b, "; %s", r.note)
		}
		b.WriteString(".\n")
	}
	b.WriteString("//\n")
	return b.String()
}

// TestRulesDocumented keeps the permission table in doc.go in step with
// rules, and checks that every event kind has a rule.
func TestRulesDocumented(t *testing.T) {
	for _, k := range EventKinds() {
		if _, ok := rules[k]; !ok {
			t.Errorf("event kind %s has no rule", k)
		}
	}
	if len(rules) != len(EventKinds()) {
		t.Errorf("%d rules for %d event kinds", len(rules), len(EventKinds()))
	}
	raw, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i, j := strings.Index(doc, rulesBegin), strings.Index(doc, rulesEnd)
	if i < 0 || j < i {
		t.Fatalf("doc.go has no generated rules section (markers %q … %q)", rulesBegin, rulesEnd)
	}
	want := doc[:i+len(rulesBegin)] + rulesTable() + doc[j:]
	if *updateDoc {
		if err := os.WriteFile("doc.go", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want != doc {
		t.Fatalf("doc.go's permission table is out of date: run go test ./client/workflow -run TestRulesDocumented -update\nwant:\n%s", rulesTable())
	}
}
