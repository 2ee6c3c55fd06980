package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations[i] takes the schema from version i to version i+1.
var migrations = []string{
	`CREATE TABLE directory (
		idx    BIGINT PRIMARY KEY,
		kind   TEXT   NOT NULL,
		hash   BYTEA  NOT NULL UNIQUE,
		object BYTEA  NOT NULL,
		added  BIGINT NOT NULL
	);
	CREATE FUNCTION directory_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		RAISE EXCEPTION 'directory is append-only';
	END $$;
	CREATE TRIGGER directory_no_change BEFORE UPDATE OR DELETE ON directory
		FOR EACH ROW EXECUTE FUNCTION directory_append_only();
	CREATE TRIGGER directory_no_truncate BEFORE TRUNCATE ON directory
		FOR EACH STATEMENT EXECUTE FUNCTION directory_append_only();
	CREATE TABLE envelopes (
		seq      BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		id       BYTEA   NOT NULL UNIQUE,
		mailbox  BYTEA   NOT NULL,
		expiry   BIGINT  NOT NULL,
		received BIGINT  NOT NULL,
		size     INTEGER NOT NULL,
		body     BYTEA   NOT NULL
	);
	CREATE INDEX envelopes_mailbox ON envelopes (mailbox);
	CREATE INDEX envelopes_expiry ON envelopes (expiry);
	CREATE TABLE deliveries (
		device BYTEA  NOT NULL,
		seq    BIGINT NOT NULL REFERENCES envelopes (seq) ON DELETE CASCADE,
		PRIMARY KEY (device, seq)
	);
	CREATE INDEX deliveries_seq ON deliveries (seq);`,
}

// migrate creates the schema if missing and brings it to the newest
// version, holding the migration lock.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string, keys lockKeys) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin migration: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, keys.migrate); err != nil {
		return fmt.Errorf("lock migration: %w", err)
	}
	if schema != "" {
		if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
			return fmt.Errorf("create schema %s: %w", schema, err)
		}
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
	var version int
	err = tx.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&version)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		if _, err := tx.Exec(ctx, `INSERT INTO schema_version (version) VALUES (0)`); err != nil {
			return fmt.Errorf("init schema_version: %w", err)
		}
	case err != nil:
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > len(migrations) {
		return newerSchema(version)
	}
	for v := version; v < len(migrations); v++ {
		if _, err := tx.Exec(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migrate schema to version %d: %w", v+1, err)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE schema_version SET version = $1`, len(migrations)); err != nil {
		return fmt.Errorf("set schema version: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit migration: %w", err)
	}
	return nil
}
