package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations[i] takes the schema from version i to version i+1.
var migrations = []string{
	`CREATE TABLE directory (
		idx    INTEGER PRIMARY KEY,
		kind   TEXT    NOT NULL,
		hash   BLOB    NOT NULL UNIQUE,
		object BLOB    NOT NULL,
		added  INTEGER NOT NULL
	);
	CREATE TRIGGER directory_no_update BEFORE UPDATE ON directory
	BEGIN SELECT RAISE(ABORT, 'directory is append-only'); END;
	CREATE TRIGGER directory_no_delete BEFORE DELETE ON directory
	BEGIN SELECT RAISE(ABORT, 'directory is append-only'); END;
	CREATE TABLE envelopes (
		seq      INTEGER PRIMARY KEY AUTOINCREMENT,
		id       BLOB    NOT NULL UNIQUE,
		mailbox  BLOB    NOT NULL,
		expiry   INTEGER NOT NULL,
		received INTEGER NOT NULL,
		size     INTEGER NOT NULL,
		body     BLOB    NOT NULL
	);
	CREATE INDEX envelopes_mailbox ON envelopes (mailbox);
	CREATE INDEX envelopes_expiry ON envelopes (expiry);
	CREATE TABLE deliveries (
		device BLOB    NOT NULL,
		seq    INTEGER NOT NULL REFERENCES envelopes (seq) ON DELETE CASCADE,
		PRIMARY KEY (device, seq)
	) WITHOUT ROWID;
	CREATE INDEX deliveries_seq ON deliveries (seq);`,
}

// migrate brings the schema to the newest version in one transaction.
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin migration: %w", err)
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > len(migrations) {
		return newerSchema(version)
	}
	if version == len(migrations) {
		return nil
	}
	for v := version; v < len(migrations); v++ {
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migrate schema to version %d: %w", v+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, len(migrations))); err != nil {
		return fmt.Errorf("set schema version %d: %w", len(migrations), err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit migration: %w", err)
	}
	return nil
}
