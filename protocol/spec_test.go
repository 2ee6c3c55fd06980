package protocol

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// The generated parts of SPEC.md sit between these markers.
const (
	beginMarker = "<!-- BEGIN GENERATED %s: go test ./protocol -run TestSpec -update -->"
	endMarker   = "<!-- END GENERATED %s -->"
)

// TestSpec checks that the generated parts of SPEC.md (frame sections, the
// worked handshake, the limits) match the code, and that every error code is
// in its table. With -update it rewrites them.
func TestSpec(t *testing.T) {
	raw, err := os.ReadFile("SPEC.md")
	if err != nil {
		t.Fatal(err)
	}
	docs := packageDocs(t)
	sections := map[string]string{
		"frames":     genFrames(t, docs),
		"auth":       genAuthExample(t),
		"limits":     genLimits(t, docs),
		"checkpoint": genCheckpointExample(),
	}
	spec := string(raw)
	for _, name := range []string{"frames", "auth", "limits", "checkpoint"} {
		begin, end := fmt.Sprintf(beginMarker, name), fmt.Sprintf(endMarker, name)
		i, j := strings.Index(spec, begin), strings.Index(spec, end)
		if i < 0 || j < i {
			t.Fatalf("SPEC.md has no %q ... %q markers", begin, end)
		}
		want := begin + "\n\n" + strings.TrimSpace(sections[name]) + "\n\n" + end
		got := spec[i : j+len(end)]
		if got == want {
			continue
		}
		if *update {
			spec = spec[:i] + want + spec[j+len(end):]
			continue
		}
		t.Errorf("SPEC.md section %q is out of date; run go test ./protocol -run TestSpec -update", name)
	}
	if *update {
		if err := os.WriteFile("SPEC.md", []byte(spec), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range ErrorCodes() {
		if !strings.Contains(spec, "| `"+c+"` |") {
			t.Errorf("SPEC.md error table lacks %q", c)
		}
	}
	// Every test vector's hex appears in SPEC.md.
	for _, typ := range Types() {
		v, err := os.ReadFile(vectorPath(typ))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.ReplaceAll(spec, "\n", ""), strings.TrimSpace(string(v))) {
			t.Errorf("SPEC.md lacks the %v vector", typ)
		}
	}
}

// pkgDocs holds the doc comments of the package's types and constants.
type pkgDocs struct {
	types  map[string]string
	consts map[string]string
}

func packageDocs(t *testing.T) pkgDocs {
	t.Helper()
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	d := pkgDocs{types: map[string]string{}, consts: map[string]string{}}
	for _, f := range files {
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				text := vs.Doc.Text()
				if text == "" && len(g.Specs) == 1 {
					text = g.Doc.Text()
				}
				for _, n := range vs.Names {
					d.consts[n.Name] = text
				}
			}
		}
	}
	p, err := doc.NewFromFiles(fset, files, "github.com/saferef/saferef/protocol")
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range p.Types {
		d.types[typ.Name] = typ.Doc
	}
	return d
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func cborType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return fmt.Sprintf("bstr, %d bytes", t.Len())
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "bstr"
		}
		return "array of (" + cborType(t.Elem()) + ")"
	case reflect.String:
		return "tstr"
	case reflect.Int64:
		return "int"
	case reflect.Uint64:
		return "uint"
	case reflect.Bool:
		return "bool"
	case reflect.Struct:
		var keys []string
		for i := range t.NumField() {
			keys = append(keys, fmt.Sprintf("%q: %s", t.Field(i).Tag.Get("cbor"), cborType(t.Field(i).Type)))
		}
		return "map {" + strings.Join(keys, ", ") + "}"
	}
	panic("spec: no CBOR type for " + t.String())
}

func diag(t *testing.T, b []byte) string {
	t.Helper()
	dm, err := cbor.DiagOptions{ByteStringEncoding: cbor.ByteStringBase16Encoding}.DiagMode()
	if err != nil {
		t.Fatal(err)
	}
	s, err := dm.Diagnose(b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func hexBlock(b []byte) string {
	h := hex.EncodeToString(b)
	var sb strings.Builder
	for len(h) > 64 {
		sb.WriteString(h[:64] + "\n")
		h = h[64:]
	}
	sb.WriteString(h + "\n")
	return sb.String()
}

func genFrames(t *testing.T, docs pkgDocs) string {
	var sb strings.Builder
	for _, f := range exampleFrames() {
		typ := f.FrameType()
		rt := reflect.TypeOf(f).Elem()
		fmt.Fprintf(&sb, "### 0x%02x %s\n\n", uint8(typ), typ)
		d := docs.types[rt.Name()]
		if d == "" {
			t.Errorf("%s has no doc comment", rt.Name())
		}
		sb.WriteString(oneLine(d) + "\n\n")
		if rt.NumField() == 0 {
			sb.WriteString("Body: the empty map.\n\n")
		} else {
			sb.WriteString("| key | CBOR type | Go field |\n| --- | --- | --- |\n")
			for i := range rt.NumField() {
				fl := rt.Field(i)
				fmt.Fprintf(&sb, "| `%s` | %s | `%s` |\n", fl.Tag.Get("cbor"), cborType(fl.Type), fl.Name)
			}
			sb.WriteString("\n")
		}
		b, err := Encode(f)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&sb, "Example (%d bytes, `testdata/%s.hex`):\n\n```\n%s```\n\n```\n%s\n```\n\n",
			len(b), strings.ToLower(typ.String()), hexBlock(b), diag(t, b))
	}
	return sb.String()
}

func genAuthExample(t *testing.T) string {
	key := exampleDeviceKey()
	hello := exampleFrames()[0].(*ServerHello)
	auth := exampleFrames()[1].(*Auth)
	msg := AuthMessage(hello.Nonce, hello.Origin, auth.Time, auth.Device)
	if !ed25519.Verify(key.Public().(ed25519.PublicKey), msg, auth.Sig) {
		t.Fatal("example signature does not verify")
	}
	arr := bytes.TrimPrefix(msg, []byte(AuthContext))
	var sb strings.Builder
	fmt.Fprintf(&sb, "Device Ed25519 seed (32 × 0x42): `%x`\n\n", key.Seed())
	fmt.Fprintf(&sb, "Device public key: `%x`\n\n", []byte(key.Public().(ed25519.PublicKey)))
	fmt.Fprintf(&sb, "The relay's ServerHello carries nonce `%x`, origin `%s`, time %d. The device dialled that same origin; its clock reads %d; its id is `%x`.\n\n",
		hello.Nonce, hello.Origin, hello.Time, auth.Time, auth.Device)
	fmt.Fprintf(&sb, "Signed message (%d bytes): `%q` (%d bytes) followed by the CBOR array\n\n```\n%s```\n\n```\n%s\n```\n\n",
		len(msg), AuthContext, len(AuthContext), hexBlock(arr), diag(t, arr))
	fmt.Fprintf(&sb, "Full message in hex:\n\n```\n%s```\n\n", hexBlock(msg))
	fmt.Fprintf(&sb, "Ed25519 signature (the Auth frame's `s`):\n\n```\n%s```\n", hexBlock(auth.Sig))
	return sb.String()
}

func genLimits(t *testing.T, docs pkgDocs) string {
	limits := []struct {
		name  string
		value int
	}{
		{"Version", Version},
		{"MaxFrameSize", MaxFrameSize},
		{"MaxEnvelopeSize", MaxEnvelopeSize},
		{"MaxObjectSize", MaxObjectSize},
		{"MaxAckIDs", MaxAckIDs},
		{"MaxDirectoryEntries", MaxDirectoryEntries},
		{"MaxOriginLen", MaxOriginLen},
		{"MaxErrorCodeLen", MaxErrorCodeLen},
		{"MaxErrorMessageLen", MaxErrorMessageLen},
		{"SignatureSize", SignatureSize},
		{"NonceSize", NonceSize},
		{"MaxCheckpointSize", MaxCheckpointSize},
		{"MaxProofHashes", MaxProofHashes},
		{"MaxLogKeyLen", MaxLogKeyLen},
		{"AuthMaxSkew", AuthMaxSkew},
	}
	var sb strings.Builder
	sb.WriteString("| name | value | meaning |\n| --- | --- | --- |\n")
	for _, l := range limits {
		d := docs.consts[l.name]
		if d == "" {
			t.Errorf("constant %s has no doc comment", l.name)
		}
		fmt.Fprintf(&sb, "| `%s` | %d | %s |\n", l.name, l.value, oneLine(d))
	}
	fmt.Fprintf(&sb, "| nesting depth | %d | deepest CBOR nesting a decoder accepts |\n", maxNesting)
	fmt.Fprintf(&sb, "| map pairs | %d | largest CBOR map a decoder accepts |\n", maxMapPairs)
	return sb.String()
}

func genCheckpointExample() string {
	_, vkey := exampleLogKeys()
	inc, con := exampleProofs()
	var sb strings.Builder
	fmt.Fprintf(&sb, "The example relay's log key is an Ed25519 note key from seed 32 × 0x43 named `%s`. Its verifier key text (ServerHello `k`):\n\n```\n%s\n```\n\n", exampleLogOrigin, vkey)
	fmt.Fprintf(&sb, "Its log holds 42 entries, each the stand-in object `%x`. The signed checkpoint for size 42 (the `c` of the Directory and Proof examples):\n\n```\n%s```\n\n", exampleObject(), exampleCheckpoint())
	fmt.Fprintf(&sb, "The inclusion proof of entry 41 in that tree has %d hashes and the consistency proof from size 40 has %d; both are in the Proof example.\n", len(inc), len(con))
	return sb.String()
}
