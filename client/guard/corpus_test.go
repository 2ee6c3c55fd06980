package guard

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusLine is one phrasing of testdata/corpus.tsv.
type corpusLine struct {
	line   int
	refuse bool
	text   string
}

func readCorpus(t testing.TB) []corpusLine {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "corpus.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusLine
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		verdict, text, ok := strings.Cut(l, "\t")
		if !ok || (verdict != "refuse" && verdict != "pass") {
			t.Fatalf("corpus.tsv:%d: want refuse or pass, a tab, the text", n)
		}
		out = append(out, corpusLine{n, verdict == "refuse", text})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGuardCorpus runs every phrasing of testdata/corpus.tsv (at least 300:
// identifying text that must be refused, and ordinary needs-profile,
// offer, reason and message text that must pass) through the guard with
// the first demo household known, as a table test, and reports the
// detection rate and the false-positive rate (docs/PERFORMANCE.md records
// them).
func TestGuardCorpus(t *testing.T) {
	corpus := readCorpus(t)
	var refuse, pass, caught, falsePos int
	for _, c := range corpus {
		got := CheckAt([]Field{{Name: "referral.notes", Value: c.text}}, amira(), today)
		if c.refuse {
			refuse++
			if len(got) > 0 {
				caught++
			} else {
				t.Errorf("corpus.tsv:%d: %q passed; it must be refused", c.line, c.text)
			}
			continue
		}
		pass++
		if len(got) > 0 {
			falsePos++
			t.Errorf("corpus.tsv:%d: %q refused (%v); it must pass", c.line, c.text, got)
		}
	}
	if refuse < 150 || pass < 150 {
		t.Fatalf("corpus has %d to refuse and %d to pass; want at least 150 of each", refuse, pass)
	}
	t.Logf("corpus: %d phrasings; detection %d/%d (%.1f%%); false positives %d/%d (%.1f%%)",
		len(corpus), caught, refuse, 100*float64(caught)/float64(refuse), falsePos, pass, 100*float64(falsePos)/float64(pass))
}
