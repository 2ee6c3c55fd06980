package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/protocol/payload"
)

const attachUsage = `Usage: saferef [--home HOME] attach --case CASE_ID --file PATH

Attaches a file to the case: it is sent end-to-end encrypted in chunks to
the organisations the case's messages go to, with progress on standard
error. The file name goes with it, so it must not identify the household
(the disclosure guard checks it). If the connection drops, the chunks not
yet sent stay queued on this device and the next 'saferef sync' sends them.
Prints the attachment id last.`

func (g *globals) attach(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "attach", attachUsage)
	caseFlag := fs.String("case", "", "the case `id` or reference code")
	file := fs.String("file", "", "the `file` to attach")
	if err := fs.ParseNoArgs(args, "case", "file"); err != nil {
		return err
	}
	caseRef, err := parseCaseRef("--case", *caseFlag)
	if err != nil {
		return err
	}
	var caseID payload.ID
	f, err := os.Open(*file)
	if err != nil {
		return fmt.Errorf("attach: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("attach: %w", err)
	}
	if !st.Mode().IsRegular() {
		return cli.Usagef("give a regular file", "attach %s: not a regular file", *file)
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	if caseID, err = caseRef.resolve(ctx, d); err != nil {
		return err
	}
	progress := func(sent, total int64) {
		fmt.Fprintf(env.Stderr, "saferef: attach: %d of %d bytes\n", sent, total)
	}
	id, err := d.Attach(ctx, caseID, filepath.Base(*file), f, st.Size(), progress)
	if err != nil {
		return explain(err)
	}
	fmt.Fprintf(env.Stdout, "attached %s to case %s; attachment id:\n%s\n", filepath.Base(*file), caseID, id)
	return nil
}

const attachmentSaveUsage = `Usage: saferef [--home HOME] attachment save --case CASE_ID --attachment ID --out PATH

Writes a received attachment, reassembled from its chunks and checked
against its SHA-256 digest, to PATH (mode 0600; an existing file is not
overwritten). Keep the copy no longer than you need it: outside the case
store it is not encrypted.`

func (g *globals) attachmentSave(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "attachment save", attachmentSaveUsage)
	caseFlag := fs.String("case", "", "the case `id` or reference code")
	attFlag := fs.String("attachment", "", "the attachment `id` ('saferef cases show CASE_ID' lists them)")
	out := fs.String("out", "", "the `path` to write")
	if err := fs.ParseNoArgs(args, "case", "attachment", "out"); err != nil {
		return err
	}
	caseRef, err := parseCaseRef("--case", *caseFlag)
	if err != nil {
		return err
	}
	var caseID payload.ID
	att, err := payload.ParseID(*attFlag)
	if err != nil {
		return cli.Usagef("attachment ids are 32 hex digits; 'saferef cases show CASE_ID' lists them", "bad --attachment: %v", err)
	}
	if _, err := os.Lstat(*out); err == nil {
		return cli.WithHint(fmt.Errorf("save attachment: %s already exists", *out), "choose another --out, or remove the file first")
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	if caseID, err = caseRef.resolve(ctx, d); err != nil {
		return err
	}
	name, data, err := d.Attachment(ctx, caseID, att)
	if err != nil {
		return explain(err)
	}
	if err := writeNew(*out, data); err != nil {
		return fmt.Errorf("save attachment: %w", err)
	}
	fmt.Fprintf(env.Stdout, "saved %s (%d bytes) to %s\n", name, len(data), *out)
	return nil
}

// writeNew writes data to a new file (mode 0600), refusing to replace one.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
