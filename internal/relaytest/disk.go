package relaytest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"time"

	"github.com/saferef/saferef/server/store"
	"github.com/saferef/saferef/server/store/sqlite"
)

// What someone with the relay's disk can do: read and rewrite its SQLite
// store file. Each call works on the file itself, not through the relay.

// Exec stops the relay, runs one SQL statement on its store file (as an
// attacker or a broken disk would: no store code, no triggers dropped
// unless the statement does) and starts the relay again on the same file.
// It returns the number of rows changed.
func (r *Relay) Exec(query string, args ...any) int64 {
	r.t.Helper()
	r.Stop()
	db, err := sql.Open("sqlite", r.opt.DBPath)
	if err != nil {
		r.t.Fatalf("open relay store file: %v", err)
	}
	defer r.Restart()
	defer db.Close()
	res, err := db.Exec(query, args...)
	if err != nil {
		r.t.Fatalf("rewrite relay store: %v", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		r.t.Fatalf("rewrite relay store: %v", err)
	}
	return n
}

// ReplaceObject swaps the directory entry holding old for forged (hash
// included) in the relay's store, dropping the trigger that forbids it,
// and restarts the relay: a relay operator rewriting its log.
func (r *Relay) ReplaceObject(old, forged []byte) {
	r.t.Helper()
	r.Exec(`DROP TRIGGER directory_no_update`)
	h := sha256.Sum256(forged)
	if n := r.Exec(`UPDATE directory SET object = ?, hash = ? WHERE object = ?`, forged, h[:], old); n != 1 {
		r.t.Fatalf("replace directory object: %d rows changed, want 1", n)
	}
}

// Backup copies the relay's store to path (SQLite VACUUM INTO) while it
// runs, for a later RestartOn(path): a relay restored from an old backup.
func (r *Relay) Backup(path string) {
	r.t.Helper()
	db, err := sql.Open("sqlite", r.opt.DBPath)
	if err != nil {
		r.t.Fatalf("open relay store file: %v", err)
	}
	defer db.Close()
	if _, err := db.Exec(`VACUUM INTO ?`, path); err != nil {
		r.t.Fatalf("back up relay store: %v", err)
	}
}

// Pending returns the envelopes the relay's store holds for device, read
// from its file as someone with the relay's disk could.
func (r *Relay) Pending(device [16]byte) []store.Envelope {
	r.t.Helper()
	st := r.openStore()
	defer st.Close()
	envs, err := st.Pending(context.Background(), device, 0, 100, time.Now())
	if err != nil {
		r.t.Fatalf("read pending envelopes: %v", err)
	}
	return envs
}

// Inject stores a captured envelope in the relay's store for device, as a
// relay forwarding (or replaying) it would.
func (r *Relay) Inject(e store.Envelope, device [16]byte) {
	r.t.Helper()
	st := r.openStore()
	defer st.Close()
	e.Seq = 0
	if err := st.PutEnvelope(context.Background(), e, [][16]byte{device}, store.Quota{MaxEnvelopes: 1000, MaxBytes: 1 << 30}, nil); err != nil {
		r.t.Fatalf("inject envelope: %v", err)
	}
}

// openStore opens a second handle on the relay's store file.
func (r *Relay) openStore() *sqlite.Store {
	r.t.Helper()
	st, err := sqlite.Open(context.Background(), r.opt.DBPath)
	if err != nil {
		r.t.Fatalf("open relay store: %v", err)
	}
	return st
}
