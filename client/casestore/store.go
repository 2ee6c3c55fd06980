package casestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Errors callers branch on.
var (
	// ErrAlreadyProcessed is returned by Apply for an envelope id that has
	// been processed before.
	ErrAlreadyProcessed = errors.New("envelope already processed")
	// ErrNoCase is returned for a case id the store does not hold.
	ErrNoCase = errors.New("no such case")
)

// Store is an open case store. It is safe for concurrent use: database/sql
// serialises access to the single connection it keeps.
type Store struct {
	db        *sql.DB
	dataKey   []byte // wraps the per-case keys; never written anywhere
	filterKey []byte // keys the district and reference filter columns; derived from dataKey
	readOnly  bool   // opened read-only because the disk cannot be written (ErrReadOnly)
	// summarise computes a case's list summary; set once by SetSummariser
	// before the store is shared, read-only afterwards.
	summarise Summariser
}

const schema = `
CREATE TABLE IF NOT EXISTS cases (
	id BLOB PRIMARY KEY,
	wrapped_key BLOB NOT NULL,
	status TEXT NOT NULL,
	organisations BLOB NOT NULL,
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL,
	reference BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
	envelope BLOB PRIMARY KEY,
	case_id BLOB NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	direction TEXT NOT NULL,
	at INTEGER NOT NULL,
	sender_org BLOB NOT NULL,
	sender_device BLOB NOT NULL,
	sender_names BLOB NOT NULL,
	body BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_case ON entries(case_id, at);
CREATE TABLE IF NOT EXISTS receipts (
	envelope BLOB PRIMARY KEY,
	case_id BLOB NOT NULL,
	for_envelope BLOB NOT NULL,
	reader_org BLOB NOT NULL,
	reader_device BLOB NOT NULL,
	read_at INTEGER NOT NULL,
	received INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS receipts_case ON receipts(case_id);
CREATE TABLE IF NOT EXISTS processed (
	envelope BLOB PRIMARY KEY,
	at INTEGER NOT NULL,
	outcome TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
	envelope BLOB PRIMARY KEY,
	mailbox BLOB NOT NULL,
	data BLOB NOT NULL,
	created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS directory (
	idx INTEGER PRIMARY KEY,
	object BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS case_orgs (
	case_id BLOB NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
	org BLOB NOT NULL,
	PRIMARY KEY (case_id, org)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS case_orgs_org ON case_orgs(org, case_id);
CREATE TABLE IF NOT EXISTS case_districts (
	case_id BLOB NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
	district_key BLOB NOT NULL,
	PRIMARY KEY (case_id, district_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS case_districts_key ON case_districts(district_key, case_id);
CREATE TABLE IF NOT EXISTS settings (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS case_state (
	case_id BLOB PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
	state BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS sent_envelopes (
	envelope BLOB PRIMARY KEY,
	case_id BLOB NOT NULL,
	entry BLOB NOT NULL,
	mailbox BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS sent_envelopes_case ON sent_envelopes(case_id);
CREATE TABLE IF NOT EXISTS rejections (
	envelope BLOB PRIMARY KEY,
	case_id BLOB NOT NULL,
	for_envelope BLOB NOT NULL,
	org BLOB NOT NULL,
	device BLOB NOT NULL,
	code TEXT NOT NULL,
	at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS rejections_case ON rejections(case_id);
CREATE TABLE IF NOT EXISTS receipts_owed (
	envelope BLOB PRIMARY KEY,
	org BLOB NOT NULL,
	case_id BLOB NOT NULL,
	at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
	envelope BLOB PRIMARY KEY,
	case_id BLOB NOT NULL,
	attachment BLOB NOT NULL,
	idx INTEGER NOT NULL,
	sender_org BLOB NOT NULL,
	size INTEGER NOT NULL,
	at INTEGER NOT NULL,
	UNIQUE (case_id, attachment, idx, sender_org)
);
CREATE INDEX IF NOT EXISTS chunks_sender ON chunks(case_id, sender_org, at);
CREATE TABLE IF NOT EXISTS outcomes (
	id BLOB PRIMARY KEY,
	giving BLOB NOT NULL,
	receiving BLOB NOT NULL,
	moved_month TEXT NOT NULL,
	days INTEGER NOT NULL,
	bedrooms INTEGER NOT NULL,
	sender_org BLOB NOT NULL,
	received INTEGER NOT NULL
);
`

// migrations add the columns later versions need to a store created by an
// earlier one; each runs when its column is missing.
var migrations = []struct{ table, column, ddl string }{
	{"cases", "closed", `ALTER TABLE cases ADD COLUMN closed INTEGER NOT NULL DEFAULT 0`},
	{"cases", "districts", `ALTER TABLE cases ADD COLUMN districts BLOB`},
	{"cases", "ref_key", `ALTER TABLE cases ADD COLUMN ref_key BLOB`},
	{"outbox", "case_id", `ALTER TABLE outbox ADD COLUMN case_id BLOB`},
	{"outcomes", "token", `ALTER TABLE outcomes ADD COLUMN token BLOB`},
	{"outcomes", "role", `ALTER TABLE outcomes ADD COLUMN role TEXT NOT NULL DEFAULT ''`},
	{"cases", "summary", `ALTER TABLE cases ADD COLUMN summary BLOB`},
}

const indexes = `
CREATE INDEX IF NOT EXISTS cases_status ON cases(status, updated);
CREATE INDEX IF NOT EXISTS cases_updated ON cases(updated);
CREATE INDEX IF NOT EXISTS cases_created ON cases(created);
CREATE INDEX IF NOT EXISTS cases_closed ON cases(closed) WHERE closed > 0;
CREATE INDEX IF NOT EXISTS cases_ref_key ON cases(ref_key);
CREATE INDEX IF NOT EXISTS outbox_case ON outbox(case_id);
`

// migrate brings the schema up to date and fills the organisation index
// of cases written before it existed.
func migrate(ctx context.Context, db *sql.DB) error {
	for _, m := range migrations {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`, m.table, m.column).Scan(&n); err != nil {
			return fmt.Errorf("inspect %s.%s: %w", m.table, m.column, err)
		}
		if n > 0 {
			continue
		}
		if _, err := db.ExecContext(ctx, m.ddl); err != nil {
			return fmt.Errorf("add %s.%s: %w", m.table, m.column, err)
		}
		if m.column == "closed" {
			if err := backfillOrgs(ctx, db); err != nil {
				return err
			}
		}
	}
	if _, err := db.ExecContext(ctx, indexes); err != nil {
		return fmt.Errorf("create indexes: %w", err)
	}
	return nil
}

func backfillOrgs(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT id, organisations FROM cases`)
	if err != nil {
		return fmt.Errorf("backfill organisations: %w", err)
	}
	type caseOrgs struct {
		id   []byte
		orgs [][16]byte
	}
	var all []caseOrgs
	for rows.Next() {
		var id, b []byte
		if err := rows.Scan(&id, &b); err != nil {
			rows.Close()
			return fmt.Errorf("backfill organisations: %w", err)
		}
		orgs, err := decodeOrgs(b)
		if err != nil {
			rows.Close()
			return fmt.Errorf("backfill organisations: %w", err)
		}
		all = append(all, caseOrgs{id, orgs})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("backfill organisations: %w", err)
	}
	for _, c := range all {
		for _, o := range c.orgs {
			if _, err := db.ExecContext(ctx, `INSERT OR IGNORE INTO case_orgs (case_id, org) VALUES (?, ?)`, c.id, o[:]); err != nil {
				return fmt.Errorf("backfill organisations: %w", err)
			}
		}
	}
	return nil
}

// Open opens (creating if needed, mode 0600) the case store at path. The
// data key (KeySize bytes, from the device vault) wraps the per-case keys
// and, through HKDF, gives the key that encrypts the whole file. A store
// written before whole-file encryption (a plain SQLite file) is encrypted
// in place on first open, losing nothing (see migratePlaintext). A file
// that does not open with the key fails with ErrWrongKey.
func Open(ctx context.Context, path string, dataKey []byte) (*Store, error) {
	if len(dataKey) != KeySize {
		return nil, fmt.Errorf("open case store %s: data key is %d bytes, want %d", path, len(dataKey), KeySize)
	}
	fileKey, err := deriveFileKey(dataKey)
	if err != nil {
		return nil, fmt.Errorf("open case store %s: %w", path, err)
	}
	defer clear(fileKey)
	plain, err := isPlaintextStore(path)
	if err != nil {
		return nil, fmt.Errorf("open case store: %w", err)
	}
	if plain {
		if err := migratePlaintext(ctx, path, fileKey); err != nil {
			return nil, fmt.Errorf("open case store %s: %w", path, err)
		}
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("open case store: %w", err)
	}
	readOnly := false
	db, err := openEncrypted(ctx, path, fileKey)
	if err == nil {
		err = createSchema(ctx, db)
		if err != nil {
			db.Close()
		}
	}
	if errors.Is(err, ErrWrongKey) {
		return nil, fmt.Errorf("open case store %s: %w", path, err)
	}
	if err != nil {
		// A full disk (or a file system that has gone read-only) makes
		// SQLite fail before the first statement: it cannot create the WAL
		// index. The store is still there; open it read-only so that
		// cases can be read, and say so at the first write.
		ro, rerr := openReadOnly(ctx, path, fileKey)
		if rerr != nil {
			return nil, fmt.Errorf("open case store %s: %w", path, err)
		}
		db, readOnly = ro, true
	}
	fk, err := deriveFilterKey(dataKey)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open case store %s: %w", path, err)
	}
	return &Store{db: db, dataKey: append([]byte(nil), dataKey...), filterKey: fk, readOnly: readOnly}, nil
}

// Close checkpoints the WAL and closes the database.
func (s *Store) Close() error {
	if s.readOnly {
		if err := s.db.Close(); err != nil {
			return fmt.Errorf("close case store: %w", err)
		}
		return nil
	}
	_, cerr := s.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close case store: %w", err)
	}
	if cerr != nil {
		return fmt.Errorf("close case store: checkpoint: %w", cerr)
	}
	return nil
}

// Update runs fn in one write transaction, committing if fn returns nil.
func (s *Store) Update(ctx context.Context, fn func(*Tx) error) error {
	if s.readOnly {
		return ErrReadOnly
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	t := &Tx{tx: tx, s: s}
	if err := fn(t); err != nil {
		tx.Rollback()
		return err
	}
	if err := t.storeSummaries(ctx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Outcome says what became of a processed envelope.
type Outcome string

// Outcomes recorded in the processed-ids table.
const (
	OutcomeStored   Outcome = "stored"
	OutcomeRejected Outcome = "rejected"
	// OutcomeSent marks an envelope this device sealed itself, so that a
	// copy handed back by the relay is skipped.
	OutcomeSent Outcome = "sent"
)

// MarkProcessed records an envelope id as processed inside a transaction
// (idempotent).
func (t *Tx) MarkProcessed(ctx context.Context, id [16]byte, outcome Outcome, at int64) error {
	if _, err := t.tx.ExecContext(ctx,
		`INSERT INTO processed (envelope, at, outcome) VALUES (?, ?, ?) ON CONFLICT(envelope) DO NOTHING`,
		id[:], at, string(outcome)); err != nil {
		return fmt.Errorf("mark envelope %x processed: %w", id, err)
	}
	return nil
}

// Apply records that envelope id was processed with the given outcome and
// runs fn, all in one transaction. If the envelope was processed before it
// returns ErrAlreadyProcessed and does not run fn.
func (s *Store) Apply(ctx context.Context, id [16]byte, outcome Outcome, at int64, fn func(*Tx) error) error {
	err := s.Update(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx,
			`INSERT INTO processed (envelope, at, outcome) VALUES (?, ?, ?) ON CONFLICT(envelope) DO NOTHING`,
			id[:], at, string(outcome))
		if err != nil {
			return fmt.Errorf("record processed: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("record processed: %w", err)
		} else if n == 0 {
			return ErrAlreadyProcessed
		}
		if fn == nil {
			return nil
		}
		return fn(tx)
	})
	if err != nil {
		return fmt.Errorf("apply envelope %x: %w", id, err)
	}
	return nil
}

// Processed reports whether envelope id has been processed, and how.
func (s *Store) Processed(ctx context.Context, id [16]byte) (Outcome, bool, error) {
	var o string
	err := s.db.QueryRowContext(ctx, `SELECT outcome FROM processed WHERE envelope = ?`, id[:]).Scan(&o)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("look up envelope %x: %w", id, err)
	}
	return Outcome(o), true, nil
}

// schemaVersion is stored in PRAGMA user_version once the schema and every
// migration are in place, so that opening an up-to-date store writes
// nothing.
const schemaVersion = 6 // 5: packets and handovers (handover.go); 6: cases.summary (summary.go)

// createSchema creates the tables and runs the migrations, unless the
// store says it is already up to date.
func createSchema(ctx context.Context, db *sql.DB) error {
	var v int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v >= schemaVersion {
		return nil
	}
	if _, err := db.ExecContext(ctx, schema+packetsSchema); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if err := migrate(ctx, db); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, schemaVersion)); err != nil {
		return fmt.Errorf("record schema version: %w", err)
	}
	return nil
}

// ErrReadOnly means the case store could only be opened for reading (the
// disk is full or read-only): cases can be read, nothing can be stored.
var ErrReadOnly = errors.New("the case store is read-only: the disk is full or cannot be written")

// openReadOnly opens an existing, up-to-date store without writing
// anything beside it (no WAL index): SQLite's immutable mode, through the
// same encrypting VFS. It sees what was checkpointed into the database
// file, which Close always does.
func openReadOnly(ctx context.Context, path string, fileKey []byte) (*sql.DB, error) {
	db, err := openEncryptedReadOnly(ctx, path, fileKey)
	if err != nil {
		return nil, err
	}
	var v int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil || v < schemaVersion {
		db.Close()
		if err == nil {
			err = errors.New("store predates this version")
		}
		return nil, err
	}
	return db, nil
}

// ReadOnly reports whether the store could only be opened for reading
// (ErrReadOnly).
func (s *Store) ReadOnly() bool { return s.readOnly }
