package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"mime"
	"path/filepath"
	"slices"
	"time"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/protocol/payload"
)

// DefaultMaxAttachmentBytes is the attachment cap when
// Options.MaxAttachmentBytes is zero.
const DefaultMaxAttachmentBytes = 25 << 20

// Limits on what attachments another organisation can make a device
// store, checked by the receiving device for every chunk.
const (
	// MaxCaseAttachmentBytes is the most attachment data one case holds
	// (100 MiB); Attach refuses a file that would pass it, and a receiving
	// device refuses chunks past it.
	MaxCaseAttachmentBytes = 100 << 20
	// MaxSenderAttachmentBytesPerHour is the most attachment data a device
	// accepts from one organisation, over all cases, in any hour (128 MiB:
	// two files of the largest size payload.MaxAttachmentBytes allows).
	MaxSenderAttachmentBytesPerHour = 128 << 20
)

// Attachment errors callers branch on.
var (
	// ErrAttachmentLimit means a case would hold more than
	// MaxCaseAttachmentBytes of attachments.
	ErrAttachmentLimit = errors.New("case attachment limit reached")
	// ErrAttachmentRate means an organisation sent more than
	// MaxSenderAttachmentBytesPerHour of attachments in a case in an hour.
	ErrAttachmentRate = errors.New("attachment rate limit reached")
	// ErrAttachmentTooLarge means a file is over the device's cap.
	ErrAttachmentTooLarge = errors.New("attachment larger than allowed")
	// ErrAttachmentIncomplete means not every chunk of a file has arrived.
	ErrAttachmentIncomplete = errors.New("attachment not complete yet")
	// ErrAttachmentCorrupt means a reassembled file does not match its
	// size or SHA-256 digest.
	ErrAttachmentCorrupt = errors.New("attachment does not match its digest")
	// ErrNoAttachment means the case holds no attachment with that id.
	ErrNoAttachment = errors.New("no such attachment in the case")
)

func attachmentCap(n int64) int64 {
	if n <= 0 {
		n = DefaultMaxAttachmentBytes
	}
	return min(n, payload.MaxAttachmentBytes)
}

// Attach sends a file of size bytes read from r to the case: in chunks of
// at most payload.MaxChunkData, each chunk an envelope per recipient
// organisation (hub and spoke, like messages), all queued in the outbox in
// one transaction and then sent, progress (when not nil) being told the
// bytes sent so far. If the relay goes away part way, Attach returns an
// error wrapping ErrNotSent and the next Sync sends the remaining chunks.
// The file name passes the disclosure guard. It returns the attachment id.
func (d *Device) Attach(ctx context.Context, id payload.ID, name string, r io.Reader, size int64, progress func(sent, total int64)) (payload.ID, error) {
	if size <= 0 {
		return payload.ID{}, fmt.Errorf("attach %q: the file is empty", name)
	}
	if size > d.maxAttach {
		return payload.ID{}, fmt.Errorf("attach %q: %w: %d bytes, the limit is %d", name, ErrAttachmentTooLarge, size, d.maxAttach)
	}
	data, err := io.ReadAll(io.LimitReader(r, size+1))
	if err != nil {
		return payload.ID{}, fmt.Errorf("attach %q: %w", name, err)
	}
	if int64(len(data)) != size {
		return payload.ID{}, fmt.Errorf("attach %q: read %d bytes, expected %d", name, len(data), size)
	}
	aid := payload.NewID()
	wc, known, err := d.loadFlow(ctx, d.store, id)
	if err != nil {
		return payload.ID{}, fmt.Errorf("attach %q: %w", name, err)
	}
	if !known {
		return payload.ID{}, fmt.Errorf("attach: case %s: %w", id, ErrNotInCase)
	}
	var total int64
	err = d.store.Update(ctx, func(tx *casestore.Tx) error {
		var err error
		total, _, err = tx.ChunkBytes(ctx, [16]byte(id), d.secrets.Org, d.now())
		return err
	})
	if err != nil {
		return payload.ID{}, fmt.Errorf("attach %q: %w", name, err)
	}
	if total+size > d.caseAttach {
		return payload.ID{}, fmt.Errorf("attach %q: %w: the case holds %d bytes of attachments, the limit is %d", name, ErrAttachmentLimit, total, d.caseAttach)
	}
	media := mime.TypeByExtension(filepath.Ext(name))
	if media == "" {
		media = "application/octet-stream"
	}
	if mt, _, err := mime.ParseMediaType(media); err == nil {
		media = mt
	}
	sum := sha256.Sum256(data)
	count := int((size + payload.MaxChunkData - 1) / payload.MaxChunkData)
	to := d.spokes(wc)
	var pkts []*outgoing
	for i := range count {
		chunk := data[i*payload.MaxChunkData : min(len(data), (i+1)*payload.MaxChunkData)]
		p := &outgoing{p: &payload.AttachmentChunk{Schema: payload.SchemaVersion, Case: id, Attachment: aid,
			Name: name, MediaType: media, Size: size, SHA256: sum, Index: i, Count: count, Data: chunk},
			to: to, ownCopy: true, kind: casestore.KindAttachment, guarded: i == 0}
		if i == 0 {
			p.event = &workflow.Event{Kind: workflow.EventAttachment, Orgs: to, Packet: [16]byte(aid)}
		}
		pkts = append(pkts, p)
	}
	var notify func(sent, total int)
	if progress != nil {
		notify = func(sent, total int) { progress(min(size, int64(sent)*size/int64(total)), size) }
	}
	if _, err := d.sendPackets(ctx, id, nil, pkts, notify); err != nil {
		return aid, fmt.Errorf("attach %q: %w", name, err)
	}
	return aid, nil
}

// Attachment returns a file attached to the case, reassembled from its
// chunks and checked against its size and SHA-256 digest.
func (d *Device) Attachment(ctx context.Context, id payload.ID, att payload.ID) (string, []byte, error) {
	entries, err := d.store.ChunkBodies(ctx, [16]byte(id), [16]byte(att))
	if err == nil && len(entries) == 0 {
		entries, err = d.store.Entries(ctx, [16]byte(id)) // chunks stored before the chunk index
	}
	if errors.Is(err, casestore.ErrNoCase) {
		return "", nil, fmt.Errorf("attachment: case %s: %w", id, ErrNotInCase)
	}
	if err != nil {
		return "", nil, fmt.Errorf("attachment %s: %w", att, err)
	}
	var chunks []*payload.AttachmentChunk
	var owner [16]byte // the organisation of the first chunk: only its chunks count
	for _, e := range entries {
		if e.Unreadable {
			continue
		}
		if e.Kind != casestore.KindAttachment {
			continue
		}
		p, err := payload.Unmarshal(payload.TypeAttachmentChunk, e.Body)
		if err != nil {
			return "", nil, fmt.Errorf("attachment %s: entry %x: %w", att, e.Envelope, err)
		}
		c := p.(*payload.AttachmentChunk)
		if c.Attachment != att {
			continue
		}
		if len(chunks) == 0 {
			owner = e.SenderOrg
		}
		if e.SenderOrg == owner {
			chunks = append(chunks, c)
		}
	}
	if len(chunks) == 0 {
		return "", nil, fmt.Errorf("attachment %s: %w", att, ErrNoAttachment)
	}
	first := chunks[0]
	if first.Size > d.maxAttach {
		return "", nil, fmt.Errorf("attachment %s: %w: %d bytes, the limit is %d", att, ErrAttachmentTooLarge, first.Size, d.maxAttach)
	}
	slices.SortFunc(chunks, func(a, b *payload.AttachmentChunk) int { return a.Index - b.Index })
	chunks = slices.CompactFunc(chunks, func(a, b *payload.AttachmentChunk) bool { return a.Index == b.Index })
	if len(chunks) != first.Count {
		return "", nil, fmt.Errorf("attachment %s: %w: %d of %d chunks", att, ErrAttachmentIncomplete, len(chunks), first.Count)
	}
	var buf bytes.Buffer
	for _, c := range chunks {
		if c.Count != first.Count || c.Size != first.Size || c.SHA256 != first.SHA256 || c.Name != first.Name {
			return "", nil, fmt.Errorf("attachment %s: %w: chunks disagree", att, ErrAttachmentCorrupt)
		}
		if int64(buf.Len()+len(c.Data)) > first.Size {
			return "", nil, fmt.Errorf("attachment %s: %w: chunks larger than the file", att, ErrAttachmentCorrupt)
		}
		buf.Write(c.Data)
	}
	if int64(buf.Len()) != first.Size || sha256.Sum256(buf.Bytes()) != [32]byte(first.SHA256) {
		return "", nil, fmt.Errorf("attachment %s: %w", att, ErrAttachmentCorrupt)
	}
	return first.Name, buf.Bytes(), nil
}

// receiveChunk applies one chunk of an attachment (Attach sends them): the
// chunk is stored, and the attachment event recorded once, by its first
// chunk.
func (d *Device) receiveChunk(ctx context.Context, in *inbound, p *payload.AttachmentChunk) (func(*casestore.Tx) error, error) {
	if p.Size > d.maxAttach {
		return nil, fmt.Errorf("attachment %s: %w: %d bytes, this device's limit is %d", p.Attachment, ErrAttachmentTooLarge, p.Size, d.maxAttach)
	}
	spoke := d.spokeEvent(workflow.EventAttachment, in.mine, p.Attachment)
	chunk := &casestore.Chunk{Envelope: in.o.ID, Case: p.Case, Attachment: p.Attachment, Index: p.Index, SenderOrg: in.sender(),
		Size: int64(len(p.Data)), At: in.now}
	rc := &received{caseID: p.Case, kind: casestore.KindAttachment, once: p.Attachment,
		precheck: func(tx *casestore.Tx) (bool, error) { return d.checkChunk(ctx, tx, chunk) },
		extra: func(tx *casestore.Tx, _ *workflow.Case) error {
			_, err := tx.AddChunk(ctx, chunk)
			return err
		},
		events: func(wc *workflow.Case) ([]workflow.Event, error) {
			// An attachment id belongs to the organisation that sent its
			// first chunk: nobody else may add chunks to it.
			for _, e := range wc.History {
				if e.Kind == workflow.EventAttachment && e.Packet == [16]byte(p.Attachment) && e.Actor.Org != in.sender() {
					return nil, fmt.Errorf("attachment %s: %w: its id belongs to another organisation's file", p.Attachment, ErrAttachmentCorrupt)
				}
			}
			return spoke(wc)
		}}
	return d.receiveEvents(ctx, in, rc)
}

// checkChunk decides on a received attachment chunk before anything is
// stored: a chunk the case already holds (the same index of the same
// attachment from the same organisation, whatever envelope it came in) is
// skipped; one that would take the case past MaxCaseAttachmentBytes, or
// the sender organisation past MaxSenderAttachmentBytesPerHour at this
// device, is refused.
func (d *Device) checkChunk(ctx context.Context, tx *casestore.Tx, c *casestore.Chunk) (skip bool, err error) {
	held, err := tx.HasChunk(ctx, c.Case, c.Attachment, c.Index, c.SenderOrg)
	if err != nil || held {
		return held, err
	}
	total, recent, err := tx.ChunkBytes(ctx, c.Case, c.SenderOrg, c.At.Add(-time.Hour))
	if err != nil {
		return false, err
	}
	switch {
	case total+c.Size > d.caseAttach:
		return false, fmt.Errorf("attachment %x: %w: the case already holds %d bytes of attachments, the limit is %d",
			c.Attachment, ErrAttachmentLimit, total, d.caseAttach)
	case recent+c.Size > d.senderAttach:
		return false, fmt.Errorf("attachment %x: %w: %d bytes from this organisation in the last hour, the limit is %d",
			c.Attachment, ErrAttachmentRate, recent, d.senderAttach)
	}
	return false, nil
}
