package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/saferef/saferef/server/store"
)

// SchemaVersion is the schema version this package writes: Open migrates
// an older store up to it (under an advisory lock, so several nodes
// starting at once migrate once) and refuses a newer one with
// store.ErrSchemaNewer. It is kept in the schema_version table.
func SchemaVersion() int { return len(migrations) }

// newerSchema is the error for a store written by a newer relay.
func newerSchema(version int) error {
	return fmt.Errorf("%w: the store is at schema version %d and this saferef-server knows only up to %d (it was written by a newer release; run that release on every node, or restore a backup taken before the upgrade)",
		store.ErrSchemaNewer, version, SchemaVersion())
}

// Inspection is what Inspect found in a store, without changing it.
type Inspection struct {
	// SchemaVersion is the stored schema version (0 for none yet).
	SchemaVersion int
	// Directory is the number of directory entries.
	Directory uint64
	// Envelopes and Deliveries count what is waiting for delivery.
	Envelopes, Deliveries int64
}

// Inspect connects to the database at dsn, in a read-only transaction,
// and reports the store's schema version and row counts. It never creates
// or migrates anything. A schema newer than SchemaVersion fails with
// store.ErrSchemaNewer; an older one is reported (Open migrates it).
func Inspect(ctx context.Context, dsn string, opts ...Option) (*Inspection, error) {
	var o options
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("inspect postgres store: %w", err)
		}
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("inspect postgres store: parse dsn: %w", err)
	}
	if o.schema != "" {
		cfg.RuntimeParams["search_path"] = pgx.Identifier{o.schema}.Sanitize()
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("inspect postgres store: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("inspect postgres store: %w", err)
	}
	defer rollback(ctx, tx)
	var in Inspection
	var table *string
	if err := tx.QueryRow(ctx, `SELECT to_regclass('schema_version')::text`).Scan(&table); err != nil {
		return nil, fmt.Errorf("inspect postgres store: %w", err)
	}
	if table == nil {
		return &in, nil
	}
	err = tx.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&in.SchemaVersion)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return &in, nil
	case err != nil:
		return nil, fmt.Errorf("inspect postgres store: read schema version: %w", err)
	}
	if in.SchemaVersion > SchemaVersion() {
		return &in, fmt.Errorf("inspect postgres store: %w", newerSchema(in.SchemaVersion))
	}
	if in.SchemaVersion == 0 {
		return &in, nil
	}
	err = tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM directory), (SELECT count(*) FROM envelopes), (SELECT count(*) FROM deliveries)`).
		Scan(&in.Directory, &in.Envelopes, &in.Deliveries)
	if err != nil {
		return nil, fmt.Errorf("inspect postgres store: count rows: %w", err)
	}
	return &in, nil
}
