package postgres

import (
	"context"

	"github.com/saferef/saferef/server/store"
)

// Stats returns the counts of what the store holds, read in one snapshot.
func (s *Store) Stats(ctx context.Context) (store.Stats, error) {
	const op = "store stats"
	if err := s.usable(op); err != nil {
		return store.Stats{}, err
	}
	var st store.Stats
	err := s.pool.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM envelopes),
		(SELECT COALESCE(SUM(size), 0) FROM envelopes)::BIGINT,
		(SELECT COUNT(*) FROM deliveries),
		(SELECT COALESCE(MAX(idx) + 1, 0) FROM directory)`).
		Scan(&st.Envelopes, &st.Bytes, &st.Deliveries, &st.DirectoryEntries)
	if err != nil {
		return store.Stats{}, s.fail(op, err)
	}
	return st, nil
}
