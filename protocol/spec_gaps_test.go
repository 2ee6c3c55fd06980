package protocol

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
)

// specText returns SPEC.md with runs of white space folded to one space,
// so that phrases can be found across line breaks.
func specText(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("SPEC.md")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(b)), " ")
}

// TestSpecClosesSecondImplementationGaps (issue 12, item 14): every gap a
// second implementation written from SPEC.md alone hit is now written down,
// and what the spec says is what the code does.
func TestSpecClosesSecondImplementationGaps(t *testing.T) {
	spec := specText(t)
	for _, phrase := range []string{
		// The auth domain string's byte count.
		"the 15 ASCII bytes `saferef/v1/auth` and a zero byte (16 bytes in all, hex `736166657265662f76312f6175746800`)",
		// auth-replayed across connections.
		"across all connections",
		// Missing v and t.
		"A map without `v` is read as version 0: `unsupported-version`",
		"without `t` is read as type 0: `unknown-frame`",
		// envelope-too-large is reachable.
		"one over MaxEnvelopeSize bytes (that still fits in a frame) is a well-formed Send that the relay answers with envelope-too-large, not fatal",
		// Closes without an Error frame, and close codes.
		"Closes without an Error frame.",
		"1000 (normal closure) for every other code, `rate-limited` included",
		"1013 (try again later) for `unavailable`",
		// The origin's canonical form.
		"The origin is written in its canonical form",
		"refuses a signature over `ws://localhost:8443`",
		// Nesting.
		"with the outer `{b, t, v}` map at depth 1",
		// The checkpoint's signed bytes.
		"What is signed, exactly.",
		// The outer envelope's rules.
		"an all-zero `id`",
		"The expiry is then clamped",
		// The vault's plaintext.
		"The device vault (informative)",
		// Messages without Go names.
		"never containing payload data or the names of the relay's own types",
	} {
		if !strings.Contains(spec, phrase) {
			t.Errorf("SPEC.md does not say %q", phrase)
		}
	}
	if got := hex.EncodeToString([]byte(AuthContext)); got != "736166657265662f76312f6175746800" || len(AuthContext) != 16 {
		t.Errorf("AuthContext is %s (%d bytes), not what SPEC.md says", got, len(AuthContext))
	}
}

// TestMissingOuterKeysCodes (item 14): the codes SPEC.md section 3 gives
// for a frame without v, without t or without b.
func TestMissingOuterKeysCodes(t *testing.T) {
	body := []byte{0xa0} // {}
	for _, tc := range []struct {
		name string
		raw  []byte
		code string
	}{
		{"no v", append(append([]byte{0xa2, 0x61, 'b'}, body...), 0x61, 't', 0x13), CodeUnsupportedVersion},
		{"no t", append(append([]byte{0xa2, 0x61, 'b'}, body...), 0x61, 'v', 0x01), CodeUnknownFrame},
		{"no b", []byte{0xa2, 0x61, 't', 0x13, 0x61, 'v', 0x01}, CodeMalformedFrame},
	} {
		_, err := Decode(tc.raw)
		if got := CodeFor(err); got != tc.code {
			t.Errorf("%s: code %s (%v), SPEC.md says %s", tc.name, got, err, tc.code)
		}
	}
}

// TestNestingCountedFromOuterMap (item 14): with the outer map at depth 1,
// a frame nested 8 deep is not refused for its depth and one nested 9 deep
// is.
func TestNestingCountedFromOuterMap(t *testing.T) {
	frame := func(depth int) []byte {
		// {"b": {"x": [[...]]}, "t": 19, "v": 1}: the outer map and the
		// body map are depths 1 and 2, then depth-2 nested arrays.
		b := []byte{0xa3, 0x61, 'b', 0xa1, 0x61, 'x'}
		b = append(b, bytes.Repeat([]byte{0x81}, depth-3)...)
		b = append(b, 0x80)
		return append(b, 0x61, 't', 0x13, 0x61, 'v', 0x01)
	}
	_, err := Decode(frame(8))
	if err == nil || strings.Contains(Describe(err), "nested") {
		t.Fatalf("depth 8 refused for its depth: %v", err)
	}
	_, err = Decode(frame(9))
	if !errors.Is(err, ErrMalformed) || !strings.Contains(Describe(err), "nested deeper than the limit") {
		t.Fatalf("depth 9: %v (%s)", err, Describe(err))
	}
}

// TestCheckpointFromSpecText (item 14): the example checkpoint in SPEC.md
// verifies by the rules written in section 8 alone — SHA-256, base64 and
// Ed25519, no note package.
func TestCheckpointFromSpecText(t *testing.T) {
	raw, err := os.ReadFile("SPEC.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)Its verifier key text \\(ServerHello `k`\\):\n\n```\n([^\n]+)\n```.*?for size 42.*?\n\n```\n(.*?)```").FindSubmatch(raw)
	if m == nil {
		t.Fatal("SPEC.md has no example verifier key and checkpoint")
	}
	vkey, note := string(m[1]), m[2]
	parts := strings.Split(vkey, "+")
	if len(parts) != 3 {
		t.Fatalf("verifier key %q is not NAME+HASH+BASE64", vkey)
	}
	name := parts[0]
	key, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(key) != 33 || key[0] != 0x01 {
		t.Fatalf("verifier key body: %x, %v", key, err)
	}
	h := sha256.Sum256(append([]byte(name+"\n"), key...))
	if want := hex.EncodeToString(h[:4]); parts[1] != want {
		t.Fatalf("key hash %s, SPEC.md's rule gives %s", parts[1], want)
	}
	text, sigLine, ok := bytes.Cut(note, []byte("\n\n"))
	if !ok {
		t.Fatal("no blank line in the checkpoint")
	}
	text = append(text, '\n')
	prefix := "— " + name + " "
	if !bytes.HasPrefix(sigLine, []byte(prefix)) || !bytes.HasSuffix(sigLine, []byte("\n")) {
		t.Fatalf("signature line %q", sigLine)
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(strings.TrimPrefix(string(sigLine), prefix), "\n"))
	if err != nil || len(sig) != 68 {
		t.Fatalf("signature: %d bytes, %v", len(sig), err)
	}
	if binary.BigEndian.Uint32(sig[:4]) != binary.BigEndian.Uint32(h[:4]) {
		t.Fatal("signature's key hash does not match the key")
	}
	if !ed25519.Verify(ed25519.PublicKey(key[1:]), text, sig[4:]) {
		t.Fatal("the checkpoint's signature does not verify over its text by SPEC.md's rules")
	}
}
