package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/server/store/sqlite"
)

const backupUsage = `usage: saferef-server backup --data DIR --out FILE

Writes a consistent snapshot of the relay's SQLite store (DIR/relay.db) to
FILE, which must not exist, while the relay keeps serving. Every envelope
the relay acknowledged before the backup began is in it. The log signing
key (DIR/log-signing.key) is not: copy it once, apart from the backups.
For a PostgreSQL store use pg_basebackup (docs/OPERATIONS.md).

`

func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("saferef-server backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", "", "the relay's data directory")
	out := fs.String("out", "", "the snapshot file to write (must not exist)")
	pg := fs.String("postgres", "", "not supported: see the hint")
	fs.Usage = func() { fmt.Fprint(stderr, backupUsage); fs.PrintDefaults() }
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *pg != "":
		return &usageError{"backup takes a SQLite store only", "back up PostgreSQL with pg_basebackup or a streaming replica (docs/OPERATIONS.md, \"Back up\")"}
	case *dataDir == "":
		return &usageError{"--data is required", "pass the relay's data directory, e.g. --data /var/lib/saferef"}
	case *out == "":
		return &usageError{"--out is required", "pass a new file, e.g. --out /var/backups/saferef/relay-$(date +%F).db"}
	}
	if _, err := os.Stat(*out); err == nil {
		return &usageError{fmt.Sprintf("%s already exists", *out), "choose a new file name; a backup never overwrites one"}
	}
	db := filepath.Join(*dataDir, storeFile)
	if _, err := os.Stat(db); err != nil {
		return &hintedError{fmt.Errorf("no relay store in %s: %w", *dataDir, err), "pass the --data directory the relay serves from"}
	}
	in, err := sqlite.Backup(ctx, db, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "saferef-server: backup written to %s: schema version %d, %d directory entries, %d envelopes, %d pending deliveries\n",
		*out, in.SchemaVersion, in.Directory, in.Envelopes, in.Deliveries)
	return nil
}

const restoreUsage = `usage: saferef-server restore --data DIR --from FILE

Replaces the relay's SQLite store (DIR/relay.db) with the snapshot FILE,
after checking it. The relay must be stopped. The store it replaces is
kept beside it as relay.db.before-restore-TIME. Anything the relay
acknowledged after FILE was taken is lost, and devices that have seen a
newer directory report a rollback: restore the newest snapshot you have
(docs/OPERATIONS.md, "Restore").

`

func restoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("saferef-server restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", "", "the relay's data directory")
	from := fs.String("from", "", "the snapshot file written by saferef-server backup")
	fs.Usage = func() { fmt.Fprint(stderr, restoreUsage); fs.PrintDefaults() }
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *dataDir == "":
		return &usageError{"--data is required", "pass the relay's data directory, e.g. --data /var/lib/saferef"}
	case *from == "":
		return &usageError{"--from is required", "pass a file written by saferef-server backup"}
	}
	in, err := sqlite.Inspect(ctx, *from)
	if err != nil {
		return &hintedError{fmt.Errorf("the snapshot cannot be restored: %w", err), "restore another snapshot; this one is left as it was"}
	}
	if in.SchemaVersion == 0 {
		return &hintedError{fmt.Errorf("%s is not a relay store", *from), "pass a file written by saferef-server backup"}
	}
	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	unlock, err := lockDataDir(*dataDir)
	if err != nil {
		return err
	}
	defer unlock()

	db := filepath.Join(*dataDir, storeFile)
	kept := ""
	if _, err := os.Stat(db); err == nil {
		kept = db + ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")
		// The store file and its WAL move together: the WAL may hold
		// committed transactions not yet copied into the file.
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Rename(db+suffix, kept+suffix); err != nil && !errors.Is(err, iofs.ErrNotExist) {
				return fmt.Errorf("set the current store aside: %w", err)
			}
		}
	}
	if err := copyNew(*from, db); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(stdout, "saferef-server: restored %s into %s: schema version %d, %d directory entries, %d envelopes\n",
		*from, db, in.SchemaVersion, in.Directory, in.Envelopes)
	if kept != "" {
		fmt.Fprintf(stdout, "saferef-server: the previous store is kept as %s\n", kept)
	}
	fmt.Fprintf(stdout, "saferef-server: anything acknowledged after the snapshot was taken is gone; devices that saw a newer directory will report a rollback (docs/OPERATIONS.md, \"Restore\")\n")
	return nil
}

// copyNew copies src to a new file dst (mode 0600) through a temporary
// file, synced, then renamed into place.
func copyNew(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".restoring"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(dst))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// parseFlags parses a subcommand's flags, which take no arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	// The flag package would print its own message and the whole usage
	// on a mistake; say what was wrong in one error line and a hint
	// instead, and print the usage only for -h.
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		usage()
		return err
	}
	if err != nil {
		return &usageError{cli.FlagError(err), cli.FlagHint(fs, err)}
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0)), "this command takes flags only; run '" + fs.Name() + " -h' for them"}
	}
	return nil
}
