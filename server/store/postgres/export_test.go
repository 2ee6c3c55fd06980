package postgres

// BeforeFlush makes f run in the flush loop before each flush. Set it
// before the first put.
func (s *Store) BeforeFlush(f func()) { s.testBeforeFlush = f }
