package client

import (
	"testing"
	"time"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/schemetest"
)

// FuzzApplyDirectory feeds cached directory entries, as read back from
// cases.db, into a device's directory: nothing unverified may be trusted.
func FuzzApplyDirectory(f *testing.F) {
	s := schemetest.New(f, 1, 1)
	org := s.AddOrg(f, "Weald Homes", crypto.KindLandlord, "Maidstone")
	org.AddDevice(f, "officer")
	for _, o := range s.Objects {
		f.Add(o, uint64(0))
	}
	f.Add([]byte{0xa0}, uint64(5))
	f.Fuzz(func(t *testing.T, obj []byte, idx uint64) {
		d := &Device{dir: crypto.NewDirectory(s.Scheme), now: time.Now, secrets: &crypto.DeviceSecrets{}}
		d.applyDirectory([]casestore.DirectoryObject{{Index: 0, Object: s.Objects[0]}, {Index: idx%4 + 1, Object: obj}})
		for _, o := range d.dir.Orgs() {
			if o.Cert.Org != org.ID {
				// Only a root-signed certificate may add an organisation:
				// the fuzzer cannot forge one.
				t.Fatalf("unverified organisation %x trusted", o.Cert.Org)
			}
		}
		if d.dirSize < 1 {
			t.Fatalf("dirSize = %d", d.dirSize)
		}
	})
}
