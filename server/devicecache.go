package server

import (
	"slices"
	"sync"
	"time"

	"github.com/saferef/saferef/crypto"
)

// deviceCacheTTL bounds how long a mailbox's device list is reused without
// looking at the directory again, so that a certificate whose validity
// starts meanwhile is picked up within it.
const deviceCacheTTL = time.Minute

// deviceCache keeps each mailbox's current devices, computed (and sorted,
// by the directory) once per change of the directory rather than on every
// send.
type deviceCache struct {
	mu      sync.Mutex
	entries map[crypto.OrgID]*mailboxDevices // guarded by mu
}

// mailboxDevices is one mailbox's current devices, valid while the
// directory generation is gen and the clock is in [from, until).
type mailboxDevices struct {
	gen         uint64
	from, until time.Time
	devices     [][16]byte
}

// current returns the devices an envelope to org stored at now is pending
// for: its current devices, the sender's own included (see handleSend).
func (dc *deviceCache) current(s *Server, org crypto.OrgID, now time.Time) [][16]byte {
	gen := s.dirGen.Load()
	dc.mu.Lock()
	e := dc.entries[org]
	dc.mu.Unlock()
	if e == nil || e.gen != gen || now.Before(e.from) || !now.Before(e.until) {
		e = &mailboxDevices{gen: gen, from: now, until: now.Add(deviceCacheTTL)}
		if o, err := s.dir.Org(org); err == nil && o.Cert.NotAfter.Before(e.until) {
			e.until = o.Cert.NotAfter
		}
		for _, d := range s.dir.CurrentDevices(org, now) {
			e.devices = append(e.devices, [16]byte(d.Cert.Device))
			if d.Cert.NotAfter.Before(e.until) {
				e.until = d.Cert.NotAfter
			}
		}
		dc.mu.Lock()
		if dc.entries == nil {
			dc.entries = make(map[crypto.OrgID]*mailboxDevices)
		}
		dc.entries[org] = e
		dc.mu.Unlock()
	}
	return slices.Clone(e.devices)
}
