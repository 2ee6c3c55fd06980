package desktop

import (
	"encoding/json"
	"testing"
)

// FuzzDecodeDraft: a draft read back from the case store never panics the
// decoder, and what decodes re-encodes.
func FuzzDecodeDraft(f *testing.F) {
	text := "Ground floor"
	on := true
	b, _ := json.Marshal(&draft{Version: draftVersion, Fields: []fieldValue{{Kind: "text", Text: &text}, {Kind: "check", On: &on}, {Kind: "checks", Selected: []string{"Medway"}}}})
	f.Add(b)
	f.Add([]byte(`{"v":1,"fields":null}`))
	f.Add([]byte(`{"v":2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := decodeDraft(b)
		if err != nil {
			return
		}
		if len(d.Fields) > maxDraftFields {
			t.Fatalf("%d fields decoded", len(d.Fields))
		}
		if _, err := json.Marshal(d); err != nil {
			t.Fatal(err)
		}
	})
}
