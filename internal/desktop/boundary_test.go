package desktop

import (
	"encoding/json"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestUIImportsOnlyTheCore fails if the UI package reaches past the client
// core to keys, sockets, SQL or CBOR, or imports Fyne's cgo app driver.
func TestUIImportsOnlyTheCore(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkg.Imports) == 0 {
		t.Fatal("no imports found: the test would prove nothing")
	}
	forbidden := []string{
		"github.com/saferef/saferef/client/casestore", "github.com/saferef/saferef/client/relay", "github.com/saferef/saferef/internal/admin",
		"github.com/saferef/saferef/crypto/vault", "database/sql", "github.com/gorilla/websocket",
		"github.com/fxamacker/cbor", "fyne.io/fyne/v2/app", "modernc.org/sqlite", "filippo.io/age",
	}
	for _, imp := range pkg.Imports {
		for _, f := range forbidden {
			if imp == f || strings.HasPrefix(imp, f+"/") {
				t.Errorf("package desktop imports %s", imp)
			}
		}
	}
}

// TestEnglishTranslationComplete checks that every string passed to tr or
// trf is in translation/en.json (-update rewrites the file).
func TestEnglishTranslationComplete(t *testing.T) {
	used := map[string]bool{}
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || (id.Name != "tr" && id.Name != "trf") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: tr/trf needs a string literal", fset.Position(call.Pos()))
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			used[s] = true
			return true
		})
	}
	if len(used) < 50 {
		t.Fatalf("found only %d strings: the scan is broken", len(used))
	}
	path := filepath.Join("translation", "en.json")
	if *update {
		en := map[string]string{}
		for s := range used {
			en[s] = s
		}
		b, err := json.MarshalIndent(en, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var en map[string]string
	if err := json.Unmarshal(b, &en); err != nil {
		t.Fatal(err)
	}
	for _, s := range slices.Sorted(maps.Keys(used)) {
		if _, ok := en[s]; !ok {
			t.Errorf("en.json lacks %q", s)
		}
	}
	for s := range en {
		if !used[s] {
			t.Errorf("en.json has unused %q", s)
		}
	}
}
