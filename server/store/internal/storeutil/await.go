package storeutil

// AwaitPut waits for a queued put's answer on done. Once committed is
// signalled (before done, by the store's writer), it calls stored, if not
// nil, at most once and before returning, from the caller's goroutine. ok
// is false if closed is closed first (the store closed; the put may or may
// not have been stored). A nil committed or closed never fires.
func AwaitPut[R any](committed <-chan struct{}, done <-chan R, closed <-chan struct{}, stored func()) (r R, ok bool) {
	call := func() {
		if stored != nil {
			stored()
		}
	}
	select {
	case <-committed:
		call()
	case r = <-done:
		// Both may be ready at once: committed is always signalled first.
		select {
		case <-committed:
			call()
		default:
		}
		return r, true
	case <-closed:
		return r, false
	}
	select {
	case r = <-done:
		return r, true
	case <-closed:
		return r, false
	}
}
