package sqlite

import "testing"

// Pragma returns the value of PRAGMA name on the write connection.
func (s *Store) Pragma(t *testing.T, name string) string {
	t.Helper()
	var v string
	if err := s.write.QueryRowContext(t.Context(), "PRAGMA "+name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

// Exec runs stmt on the write connection.
func (s *Store) Exec(t *testing.T, stmt string) error {
	t.Helper()
	_, err := s.write.ExecContext(t.Context(), stmt)
	return err
}

// BeforeSync makes f run before each sync of the WAL, failing the sync if
// it returns an error. Set it before the first write.
func (s *Store) BeforeSync(f func() error) { s.testBeforeSync = f }
