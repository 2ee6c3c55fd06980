package desktop

import "time"

// Retry limits for the unlock screen: the first freeRetries wrong
// passphrases cost nothing; after that each one doubles the wait, from 2 s up
// to maxRetryWait.
const (
	freeRetries  = 3
	maxRetryWait = 5 * time.Minute
)

// retryLimiter slows down passphrase guessing at the unlock screen. It is per
// process: what protects a stolen laptop's vault from offline guessing is the
// vault's scrypt work factor, not this.
type retryLimiter struct {
	failures  int
	notBefore time.Time
}

// retryDelay is the wait imposed after the given number of consecutive
// failures: 0, 0, 0, 2 s, 4 s, 8 s, ... capped at maxRetryWait.
func retryDelay(failures int) time.Duration {
	if failures < freeRetries {
		return 0
	}
	n := failures - freeRetries + 1
	if n > 20 {
		return maxRetryWait
	}
	return min(time.Duration(1<<n)*time.Second, maxRetryWait)
}

// fail records a wrong passphrase at now and returns the wait before the
// next attempt.
func (l *retryLimiter) fail(now time.Time) time.Duration {
	l.failures++
	d := retryDelay(l.failures)
	l.notBefore = now.Add(d)
	return d
}

// wait is how long until another attempt is allowed, rounded up to whole
// seconds.
func (l *retryLimiter) wait(now time.Time) time.Duration {
	d := l.notBefore.Sub(now)
	if d <= 0 {
		return 0
	}
	return (d + time.Second - 1).Truncate(time.Second)
}

// reset forgets the failures after a successful unlock.
func (l *retryLimiter) reset() { *l = retryLimiter{} }
