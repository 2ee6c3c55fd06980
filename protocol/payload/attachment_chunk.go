package payload

import (
	"crypto/sha256"
	"strings"
)

// Limits on attachments.
const (
	// MaxChunkData is the most data one attachment chunk carries.
	MaxChunkData = 256 << 10
	// MaxAttachmentBytes is the hard ceiling on an attachment's size; the
	// client applies its own, usually lower, configurable cap.
	MaxAttachmentBytes = 64 << 20
	// MaxChunks is the most chunks an attachment can have.
	MaxChunks = MaxAttachmentBytes / MaxChunkData
	// MaxFileNameChars is the longest attachment file name, in characters.
	MaxFileNameChars = 255
	// MaxMediaTypeChars is the longest media type, in characters.
	MaxMediaTypeChars = 127
)

// AttachmentChunk is one chunk of a file attached to a case. A file of Size
// bytes is sent as Count chunks with Index 0 to Count-1; the receiver
// reassembles them in index order and checks the whole file against SHA256.
// Every chunk repeats the file's name, media type, size and digest, so any
// chunk tells the receiver what it is part of and chunks can arrive (or be
// re-sent after an interruption) in any order.
type AttachmentChunk struct {
	// Schema is SchemaVersion.
	Schema int `json:"schema" cbor:"schema"`
	// Case is the case the file belongs to.
	Case ID `json:"case" cbor:"case"`
	// Attachment is the attachment's id, the same in every chunk of the file.
	Attachment ID `json:"attachment" cbor:"attachment"`
	// Name is the file name, without any directory: 1 to MaxFileNameChars
	// characters, no "/" or "\", not "." or "..". It must not identify the
	// household.
	Name string `json:"name" cbor:"name"`
	// MediaType is the file's media type, e.g. "application/pdf".
	MediaType string `json:"media_type" cbor:"media_type"`
	// Size is the whole file's size in bytes, 0 to MaxAttachmentBytes.
	Size int64 `json:"size" cbor:"size"`
	// SHA256 is the SHA-256 digest of the whole file.
	SHA256 Digest `json:"sha256" cbor:"sha256"`
	// Index is this chunk's position, 0 to Count-1.
	Index int `json:"index" cbor:"index"`
	// Count is the number of chunks, 1 to MaxChunks, with
	// Count*MaxChunkData >= Size.
	Count int `json:"count" cbor:"count"`
	// Data is this chunk's bytes, at most MaxChunkData (base64 in JSON).
	Data []byte `json:"data" cbor:"data"`
}

// PayloadType returns TypeAttachmentChunk.
func (*AttachmentChunk) PayloadType() string { return TypeAttachmentChunk }

// Validate checks every field and returns a ValidationError listing all
// problems, or nil. It cannot check the digest, which covers the whole file.
func (c *AttachmentChunk) Validate() error {
	p := &problems{prefix: "attachment_chunk"}
	p.schema(c.Schema)
	p.required("case", c.Case)
	p.required("attachment", c.Attachment)
	p.line("name", c.Name, 1, MaxFileNameChars)
	if strings.ContainsAny(c.Name, `/\`) || c.Name == "." || c.Name == ".." {
		p.add("name", "must be a file name without a directory")
	}
	if !validMediaType(c.MediaType) {
		p.add("media_type", "must be a media type such as application/pdf")
	}
	sizeOK := c.Size >= 0 && c.Size <= MaxAttachmentBytes
	if !sizeOK {
		p.add("size", "must be between 0 and %d bytes", MaxAttachmentBytes)
	}
	if c.SHA256.IsZero() {
		p.add("sha256", "must be set")
	}
	countOK := c.Count >= 1 && c.Count <= MaxChunks
	switch {
	case !countOK:
		p.add("count", "must be between 1 and %d", MaxChunks)
	case sizeOK && int64(c.Count)*MaxChunkData < c.Size:
		p.add("count", "%d chunks cannot hold %d bytes", c.Count, c.Size)
	case sizeOK && int64(c.Count) > max(c.Size, 1):
		p.add("count", "must not exceed the size in bytes (no empty chunks)")
	}
	if c.Index < 0 || (countOK && c.Index >= c.Count) {
		p.add("index", "must be between 0 and count-1")
	}
	n := int64(len(c.Data))
	switch {
	case n > MaxChunkData:
		p.add("data", "must be at most %d bytes", MaxChunkData)
	case sizeOK && n > c.Size:
		p.add("data", "must not be larger than the file")
	case sizeOK && c.Size > 0 && n == 0:
		p.add("data", "must not be empty")
	case sizeOK && c.Count == 1 && n != c.Size:
		p.add("data", "must be the whole file when count is 1")
	}
	return p.err()
}

// validMediaType reports whether s looks like type/subtype: lowercase
// letters, digits and !#$&-^_.+ on each side of one "/", at most
// MaxMediaTypeChars, no parameters.
func validMediaType(s string) bool {
	if len(s) > MaxMediaTypeChars {
		return false
	}
	typ, sub, ok := strings.Cut(s, "/")
	return ok && mediaToken(typ) && mediaToken(sub)
}

func mediaToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && !strings.ContainsRune("!#$&-^_.+", rune(c)) {
			return false
		}
	}
	return true
}

// AnonymousFields returns the file name (the content is the client's to
// judge, not the guard's).
func (c *AttachmentChunk) AnonymousFields() []Field {
	a := &anonymous{prefix: "attachment_chunk"}
	a.add("name", c.Name)
	return a.list
}

// ExampleAttachmentChunk returns a complete, valid one-chunk attachment (a
// short text file) for ExampleReferral's case.
func ExampleAttachmentChunk() *AttachmentChunk {
	data := []byte("Ground-floor access statement: step-free route from the car park, door width 900 mm.\n")
	return &AttachmentChunk{
		Schema:     SchemaVersion,
		Case:       ExampleReferral().Case,
		Attachment: ID{0xa7, 0x7a, 0xc4, 0x00, 0x20, 0x26, 0x00, 0x01, 0x6b, 0x2d, 0x91, 0x0e, 0x35, 0xf8, 0x42, 0x01},
		Name:       "access-statement.txt",
		MediaType:  "text/plain",
		Size:       int64(len(data)),
		SHA256:     sha256.Sum256(data),
		Index:      0,
		Count:      1,
		Data:       data,
	}
}
