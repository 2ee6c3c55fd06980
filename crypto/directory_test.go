package crypto

import (
	"crypto/ed25519"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestDirectoryAdd(t *testing.T) {
	f := newFixture(t)
	d := NewDirectory(f.scheme)

	// A device cert needs its organisation.
	if _, err := d.Add(f.l1.raw, t0); !errors.Is(err, ErrUnknownOrg) {
		t.Fatalf("device before org: %v", err)
	}
	for _, b := range [][]byte{f.landlord.raw, f.provider.raw, f.l1.raw, f.l2.raw, f.p1.raw} {
		kind, err := d.Add(b, t0)
		if err != nil {
			t.Fatal(err)
		}
		// Idempotent.
		if k2, err := d.Add(b, t0); err != nil || k2 != kind {
			t.Fatalf("second Add = %q, %v", k2, err)
		}
	}
	orgs := d.Orgs()
	if len(orgs) != 2 || orgs[0].Cert.Name != "Medway Homes" || orgs[1].Cert.Name != "Safe Haven Refuge" {
		t.Fatalf("Orgs not sorted by name: %v, %v", orgs[0].Cert.Name, orgs[1].Cert.Name)
	}
	devs := d.Devices(f.landlord.cert.Org)
	if len(devs) != 2 || devs[0].Cert.Name != "Liaison laptop A" || devs[1].Cert.Name != "Liaison laptop B" {
		t.Fatalf("Devices = %v", devs)
	}
	if _, err := d.Org(OrgID{9}); !errors.Is(err, ErrUnknownOrg) {
		t.Fatalf("Org unknown: %v", err)
	}
	if _, err := d.Device(DeviceID{9}); !errors.Is(err, ErrUnknownDevice) {
		t.Fatalf("Device unknown: %v", err)
	}
	if e, err := d.Org(f.landlord.cert.Org); err != nil || string(e.Raw) != string(f.landlord.raw) {
		t.Fatalf("Org = %v, %v", e, err)
	}

	// Key updates: only newer sequence numbers apply.
	upd := func(seq uint64, key string) []byte {
		b, err := SignKeyUpdate(&KeyUpdate{Device: f.l1.keys.Device, Seq: seq, Recipient: key, Created: t0}, f.l1.keys.Signing)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	k2, k3 := f.l2.recipient().Key, f.p1.recipient().Key
	for _, step := range []struct {
		b       []byte
		wantSeq uint64
		wantKey string
	}{
		{upd(2, k2), 2, k2},
		{upd(2, k2), 2, k2}, // replay
		{upd(1, k3), 2, k2}, // stale
		{upd(3, k3), 3, k3},
	} {
		if kind, err := d.Add(step.b, t0); err != nil || kind != TypeKeyUpdate {
			t.Fatalf("Add key update = %q, %v", kind, err)
		}
		e, _ := d.Device(f.l1.keys.Device)
		if e.KeySeq != step.wantSeq || e.Recipient != step.wantKey {
			t.Fatalf("after update: seq %d key %.12s; want %d %.12s", e.KeySeq, e.Recipient, step.wantSeq, step.wantKey)
		}
	}
	rs := d.Recipients(f.landlord.cert.Org, t0)
	if len(rs) != 2 || rs[0].Device != f.l1.keys.Device || rs[0].Key != k3 {
		t.Fatalf("Recipients = %+v", rs)
	}
	// A key update signed by someone else is refused.
	forged, err := SignKeyUpdate(&KeyUpdate{Device: f.l1.keys.Device, Seq: 9, Recipient: k2, Created: t0}, f.l2.keys.Signing)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Add(forged, t0); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("forged key update: %v", err)
	}
	unknown, err := SignKeyUpdate(&KeyUpdate{Device: DeviceID{7}, Seq: 1, Recipient: k2, Created: t0}, f.l2.keys.Signing)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Add(unknown, t0); !errors.Is(err, ErrUnknownDevice) {
		t.Fatalf("key update for unknown device: %v", err)
	}

	// An expired device cert is not accepted.
	late := *f.l2.cert
	late.Device = DeviceID{5}
	late.NotAfter = t0.Add(-time.Hour)
	lateRaw, err := SignDeviceCert(&late, f.landlord.admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Add(lateRaw, t0); !errors.Is(err, ErrExpired) {
		t.Fatalf("expired device cert: %v", err)
	}
	// A device cert signed by another org's admin.
	cross := *f.l2.cert
	cross.Device = DeviceID{6}
	crossRaw, err := SignDeviceCert(&cross, f.provider.admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Add(crossRaw, t0); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("cross-org device cert: %v", err)
	}
	// The same device id cannot move organisation.
	moved := *f.l2.cert
	moved.Org = f.provider.cert.Org
	moved.Issued = t0
	movedRaw, err := SignDeviceCert(&moved, f.provider.admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Add(movedRaw, t0); !errors.Is(err, ErrWrongOrg) {
		t.Fatalf("device moved org: %v", err)
	}
	if _, err := d.Add([]byte("junk"), t0); !errors.Is(err, ErrMalformed) {
		t.Fatalf("junk: %v", err)
	}
	env, err := signInner(f.p1.keys, &Envelope{ID: EnvelopeID{1}, Mailbox: OrgID{1}}, []Recipient{f.l1.recipient()}, &Packet{PayloadType: "x"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Add(env, t0); !errors.Is(err, ErrMalformed) {
		t.Fatalf("envelope added to directory: %v", err)
	}
}

func TestDirectoryRenewal(t *testing.T) {
	f := newFixture(t)
	// The landlord rotates its admin key: a later-issued cert replaces the
	// old one; an older one is ignored.
	newAdmin := mustSigningKey(t, detRand(20))
	renewed := *f.landlord.cert
	renewed.AdminKeys = []ed25519.PublicKey{publicOf(newAdmin)}
	renewed.Issued = t0
	raw, err := SignOrgCert(&renewed, f.roots[1:])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(raw, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(f.landlord.raw, t0); err != nil {
		t.Fatal(err)
	}
	e, _ := f.dir.Org(f.landlord.cert.Org)
	if !e.Cert.AdminKeys[0].Equal(publicOf(newAdmin)) {
		t.Fatal("stale org cert replaced a newer one")
	}
	// Devices signed by the old admin key remain; new ones need the new key.
	if len(f.dir.CurrentDevices(f.landlord.cert.Org, t0)) != 2 {
		t.Fatal("devices lost on admin key rotation")
	}
	// A device cert renewal keeps the device's key updates.
	upd, err := f.l1.secrets.Rotate(t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(upd, t0); err != nil {
		t.Fatal(err)
	}
	dc := *f.l1.cert
	dc.Issued, dc.NotAfter = t0, t0.AddDate(1, 0, 0)
	dcRaw, err := SignDeviceCert(&dc, f.landlord.admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(dcRaw, t0); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("device cert by the replaced admin key: %v", err)
	}
	if dcRaw, err = SignDeviceCert(&dc, newAdmin); err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(dcRaw, t0); err != nil {
		t.Fatal(err)
	}
	de, _ := f.dir.Device(f.l1.keys.Device)
	if de.KeySeq != 1 || !de.Cert.NotAfter.Equal(dc.NotAfter) || string(de.Raw) != string(dcRaw) {
		t.Fatalf("renewed device entry: seq %d, not after %s", de.KeySeq, de.Cert.NotAfter)
	}
}

func TestDirectoryRevocation(t *testing.T) {
	f := newFixture(t)
	l := f.landlord.cert.Org
	rev, err := SignDeviceRevocation(&Revocation{Org: l, Device: f.l1.keys.Device, RevokedAt: t0, Reason: "lost"}, f.landlord.admin)
	if err != nil {
		t.Fatal(err)
	}
	byOther, err := SignDeviceRevocation(&Revocation{Org: l, Device: f.l2.keys.Device, RevokedAt: t0}, f.provider.admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(byOther, t0); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("revocation by another org's admin: %v", err)
	}
	wrongOrg, err := SignDeviceRevocation(&Revocation{Org: f.provider.cert.Org, Device: f.l2.keys.Device, RevokedAt: t0}, f.provider.admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(wrongOrg, t0); !errors.Is(err, ErrWrongOrg) {
		t.Fatalf("revocation naming the wrong org: %v", err)
	}
	unknownDev, err := SignDeviceRevocation(&Revocation{Org: l, Device: DeviceID{3}, RevokedAt: t0}, f.landlord.admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(unknownDev, t0); !errors.Is(err, ErrUnknownDevice) {
		t.Fatalf("revocation of unknown device: %v", err)
	}
	if kind, err := f.dir.Add(rev, t0); err != nil || kind != TypeRevocation {
		t.Fatalf("Add revocation = %q, %v", kind, err)
	}
	if _, err := f.dir.Add(rev, t0); err != nil {
		t.Fatalf("revocation not idempotent: %v", err)
	}
	// A later, different revocation does not replace the first.
	rev2, err := SignDeviceRevocation(&Revocation{Org: l, Device: f.l1.keys.Device, RevokedAt: t0.Add(time.Hour), Reason: "other"}, f.landlord.admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(rev2, t0); err != nil {
		t.Fatal(err)
	}
	e, err := f.dir.Device(f.l1.keys.Device)
	if err != nil || e.Revoked == nil || e.Revoked.Reason != "lost" {
		t.Fatalf("revoked entry = %+v, %v", e, err)
	}
	// Final: the cert cannot come back, nor rotate keys.
	again := *f.l1.cert
	again.Issued = t0
	againRaw, err := SignDeviceCert(&again, f.landlord.admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(againRaw, t0); !errors.Is(err, ErrRevoked) {
		t.Fatalf("re-adding revoked device: %v", err)
	}
	upd, err := f.l1.secrets.Rotate(t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(upd, t0); !errors.Is(err, ErrRevoked) {
		t.Fatalf("key update of revoked device: %v", err)
	}
	cur := f.dir.CurrentDevices(l, t0)
	if len(cur) != 1 || cur[0].Cert.Device != f.l2.keys.Device {
		t.Fatalf("CurrentDevices = %v", cur)
	}
	if len(f.dir.Devices(l)) != 2 {
		t.Fatal("Devices drops revoked devices")
	}
	// SenderAt: valid before the revocation, revoked at and after it.
	if _, _, err := f.dir.SenderAt(f.l1.keys.Device, t0.Add(-time.Second)); err != nil {
		t.Fatalf("before revocation: %v", err)
	}
	for _, at := range []time.Time{t0, t0.Add(time.Hour)} {
		if _, _, err := f.dir.SenderAt(f.l1.keys.Device, at); !errors.Is(err, ErrRevoked) {
			t.Fatalf("SenderAt(%s) = %v", at, err)
		}
	}

	// Organisation revocation needs the threshold and is final too.
	orgRev := &Revocation{Org: l, RevokedAt: t0.Add(time.Minute), Reason: "left the scheme"}
	one, err := SignOrgRevocation(orgRev, f.roots[:1])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(one, t0); !errors.Is(err, ErrBelowThreshold) {
		t.Fatalf("org revocation by one root: %v", err)
	}
	two, err := SignOrgRevocation(orgRev, f.roots[:2])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(two, t0); err != nil {
		t.Fatal(err)
	}
	if cur := f.dir.CurrentDevices(l, t0); len(cur) != 0 {
		t.Fatalf("devices of a revoked org are current: %v", cur)
	}
	if _, _, err := f.dir.SenderAt(f.l2.keys.Device, t0.Add(time.Minute)); !errors.Is(err, ErrRevoked) {
		t.Fatalf("sender of revoked org: %v", err)
	}
	if _, _, err := f.dir.SenderAt(f.l2.keys.Device, t0); err != nil {
		t.Fatalf("sender before org revocation: %v", err)
	}
	renewed := *f.landlord.cert
	renewed.Issued = t0
	renewedRaw, err := SignOrgCert(&renewed, f.roots)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(renewedRaw, t0); !errors.Is(err, ErrRevoked) {
		t.Fatalf("re-admitting revoked org: %v", err)
	}
	newDev := *f.l2.cert
	newDev.Device = DeviceID{4}
	newDevRaw, err := SignDeviceCert(&newDev, f.landlord.admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(newDevRaw, t0); !errors.Is(err, ErrRevoked) {
		t.Fatalf("device added to revoked org: %v", err)
	}
	unknownOrg, err := SignOrgRevocation(&Revocation{Org: OrgID{8}, RevokedAt: t0}, f.roots)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(unknownOrg, t0); !errors.Is(err, ErrUnknownOrg) {
		t.Fatalf("revoking unknown org: %v", err)
	}
}

func TestDirectorySenderAtValidity(t *testing.T) {
	f := newFixture(t)
	id := f.p1.keys.Device
	if _, _, err := f.dir.SenderAt(DeviceID{1}, t0); !errors.Is(err, ErrUnknownDevice) {
		t.Fatalf("unknown: %v", err)
	}
	if _, _, err := f.dir.SenderAt(id, f.p1.cert.NotAfter.Add(time.Second)); !errors.Is(err, ErrExpired) {
		t.Fatalf("expired: %v", err)
	}
	if _, _, err := f.dir.SenderAt(id, f.p1.cert.NotBefore.Add(-time.Second)); !errors.Is(err, ErrNotYetValid) {
		t.Fatalf("not yet valid: %v", err)
	}
	dc, oc, err := f.dir.SenderAt(id, t0)
	if err != nil || dc.Device != id || oc.Org != f.provider.cert.Org {
		t.Fatalf("SenderAt = %v, %v, %v", dc, oc, err)
	}
	if cur := f.dir.CurrentDevices(f.provider.cert.Org, f.p1.cert.NotAfter.Add(time.Second)); len(cur) != 0 {
		t.Fatal("expired device is current")
	}
	if cur := f.dir.CurrentDevices(OrgID{1}, t0); cur != nil {
		t.Fatal("unknown org has devices")
	}
}

func TestDirectoryConcurrent(t *testing.T) {
	f := newFixture(t)
	d := NewDirectory(f.scheme)
	objs := [][]byte{f.landlord.raw, f.provider.raw, f.l1.raw, f.l2.raw, f.p1.raw}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				for _, b := range objs {
					d.Add(b, t0) // ordering races may fail a device cert; retried below
				}
				d.CurrentDevices(f.landlord.cert.Org, t0)
				d.SenderAt(f.p1.keys.Device, t0)
				d.Orgs()
				_ = i + j
			}
		}()
	}
	wg.Wait()
	if len(d.Orgs()) != 2 || len(d.CurrentDevices(f.landlord.cert.Org, t0)) != 2 {
		t.Fatal("concurrent adds lost entries")
	}
}
