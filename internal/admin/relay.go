package admin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto/translog"
)

// relayTimeout bounds one exchange with the relay (publish, or reading the
// whole log).
const relayTimeout = 2 * time.Minute

// relayLog is the whole directory log as an unauthenticated reader gets
// it: the relay's announced log key, every entry, and the checkpoint for
// them.
type relayLog struct {
	key        string
	checkpoint []byte
	objects    [][]byte
}

// fetchLog reads the relay's whole directory log (no authentication is
// needed: the directory is public and verifies itself).
func fetchLog(ctx context.Context, relayURL string) (*relayLog, error) {
	ctx, cancel := context.WithTimeout(ctx, relayTimeout)
	defer cancel()
	c, err := relay.Dial(ctx, relayURL, nil)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	l, err := c.DirectoryLog(ctx, 0)
	if err != nil {
		return nil, err
	}
	out := &relayLog{key: c.Hello().LogKey, checkpoint: l.Checkpoint}
	for _, e := range l.Entries {
		out.objects = append(out.objects, e.Object)
	}
	return out, nil
}

// Audit fetches the relay's whole log and audits it from the first entry
// against the scheme in DIR. logKey, if set, is the key to trust (else the
// scheme's log_key, else the one the relay announces); the key trusted is
// returned. A log key other than the one to trust wraps ErrLogKey; a log
// that cannot be checked as a whole wraps ErrAuditFailed. Entries that fail
// on their own are in the report (AuditReport.OK).
func Audit(ctx context.Context, dir, relayURL, logKey string) (*translog.AuditReport, string, error) {
	s, err := ReadScheme(dir)
	if err != nil {
		return nil, "", err
	}
	if _, err := relay.ParseURL(relayURL); err != nil {
		return nil, "", err
	}
	l, err := fetchLog(ctx, relayURL)
	if err != nil {
		return nil, "", markf(ErrRelay, "read the relay's log: %w", err)
	}
	key, err := translog.PinnedKey(s, logKey, l.key)
	if err != nil {
		return nil, "", markf(ErrLogKey, "relay log key: %w", err)
	}
	rep, err := translog.Audit(s, key, l.checkpoint, l.objects)
	if err != nil {
		return nil, key, markf(ErrAuditFailed, "audit the relay's log: %w", err)
	}
	// A log whose entries all verify is compared with the one verified
	// before (a failed entry is reported as such, and not kept): a shorter
	// or different log is a rollback.
	if rep.OK() {
		if err := checkVerifiedBefore(dir, key, l.checkpoint, l.objects); err != nil {
			return nil, key, err
		}
	}
	// Then the checkpoint must extend the monitor state the publishing
	// commands keep (DIR/log-state.json), by a consistency proof.
	if logKey == "" {
		if _, err := checkAgainstState(dir, s, l.key, l.checkpoint, l.objects); err != nil {
			return nil, key, err
		}
	}
	return rep, key, nil
}

// WaitForRelay dials the relay until it answers or wait is over. A URL the
// relay can never accept fails at once.
func WaitForRelay(ctx context.Context, url string, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for {
		c, err := relay.Dial(ctx, url, nil)
		if err == nil {
			return c.Close()
		}
		if errors.Is(err, relay.ErrOriginMismatch) || errors.Is(err, relay.ErrBadURL) || errors.Is(err, relay.ErrInsecureURL) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("relay did not answer within %s: %w", wait, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
