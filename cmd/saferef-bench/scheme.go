package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/saferef/saferef/crypto"
)

// benchScheme is a real scheme: one root, organisations of fanout devices
// each, every certificate signed as in production.
type benchScheme struct {
	scheme  *crypto.Scheme
	raw     []byte   // scheme.json
	objects [][]byte // signed directory objects, in publishing order
	orgs    []*benchOrg
	devices []*benchDevice
}

type benchOrg struct {
	id      crypto.OrgID
	devices []*benchDevice
	// pool holds envelopes sealed to this organisation's devices, ready
	// to send; each goes back in once delivered.
	pool chan *sealed
}

type benchDevice struct {
	org  *benchOrg
	id   crypto.DeviceID
	keys *crypto.DeviceKeys
}

// sealed is one envelope sealed before timing.
type sealed struct {
	id    [16]byte
	bytes []byte
	// freeAt is when it was last delivered: it is sent again only after
	// reuseDelay, once the relay has applied its acknowledgements and
	// deleted it.
	freeAt time.Time
}

// reuseDelay is how long a delivered envelope rests before it is sent again
// (the relay refuses an id it still holds).
const reuseDelay = 250 * time.Millisecond

func newBenchScheme(devices, fanout int) (*benchScheme, error) {
	now := time.Now().Truncate(time.Second)
	root, err := crypto.GenerateSigningKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	sc := &crypto.Scheme{Name: "saferef-bench scheme", Roots: []string{crypto.EncodePublicKey(root.Public().(ed25519.PublicKey))}, Threshold: 1}
	raw, err := sc.Marshal()
	if err != nil {
		return nil, err
	}
	if sc, err = crypto.ParseScheme(raw); err != nil {
		return nil, err
	}
	bs := &benchScheme{scheme: sc, raw: raw}
	norgs := devices / fanout
	type job struct {
		org   *benchOrg
		admin ed25519.PrivateKey
		i     int
	}
	var jobs []job
	for i := range norgs {
		id, err := crypto.NewOrgID(rand.Reader)
		if err != nil {
			return nil, err
		}
		admin, err := crypto.GenerateSigningKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		c := &crypto.OrgCert{
			Org: id, Name: fmt.Sprintf("Bench Housing %04d", i), Kind: crypto.KindLandlord, Districts: []string{"Maidstone"},
			AdminKeys: []ed25519.PublicKey{admin.Public().(ed25519.PublicKey)},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(30 * 24 * time.Hour), Issued: now,
		}
		b, err := crypto.SignOrgCert(c, []ed25519.PrivateKey{root})
		if err != nil {
			return nil, fmt.Errorf("sign org cert: %w", err)
		}
		bs.objects = append(bs.objects, b)
		o := &benchOrg{id: id, devices: make([]*benchDevice, fanout)}
		bs.orgs = append(bs.orgs, o)
		for j := range fanout {
			jobs = append(jobs, job{o, admin, j})
		}
	}
	certs := make([][]byte, len(jobs))
	errs := make([]error, len(jobs))
	parallel(len(jobs), func(k int) {
		j := jobs[k]
		sec, err := crypto.GenerateDeviceSecrets(rand.Reader, j.org.id, fmt.Sprintf("bench device %d", k), now)
		if err != nil {
			errs[k] = err
			return
		}
		keys, err := sec.Keys()
		if err != nil {
			errs[k] = err
			return
		}
		rcpt, err := sec.Recipient()
		if err != nil {
			errs[k] = err
			return
		}
		c := &crypto.DeviceCert{
			Device: sec.Device, Org: j.org.id, Name: fmt.Sprintf("bench device %d", k), SigningKey: sec.SigningKey(), Recipient: rcpt,
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(30 * 24 * time.Hour), Issued: now,
		}
		certs[k], errs[k] = crypto.SignDeviceCert(c, j.admin)
		j.org.devices[j.i] = &benchDevice{org: j.org, id: sec.Device, keys: keys}
	})
	for k := range jobs {
		if errs[k] != nil {
			return nil, fmt.Errorf("enrol device: %w", errs[k])
		}
	}
	bs.objects = append(bs.objects, certs...)
	for _, o := range bs.orgs {
		bs.devices = append(bs.devices, o.devices...)
	}
	return bs, nil
}

// target is the organisation whose mailbox o's devices send to.
func (bs *benchScheme) target(o *benchOrg) *benchOrg {
	for i, x := range bs.orgs {
		if x == o {
			return bs.orgs[(i+1)%len(bs.orgs)]
		}
	}
	return nil
}

// sealPools seals perOrg envelopes of size payload bytes to every
// organisation, from a device of the organisation before it.
func (bs *benchScheme) sealPools(perOrg, size int) error {
	dir := crypto.NewDirectory(bs.scheme)
	for _, b := range bs.objects {
		if _, err := dir.Add(b, time.Now()); err != nil {
			return fmt.Errorf("directory: %w", err)
		}
	}
	payload := make([]byte, size)
	rand.Read(payload)
	type job struct {
		to   *benchOrg
		from *benchDevice
	}
	var jobs []job
	for i, o := range bs.orgs {
		o.pool = make(chan *sealed, perOrg)
		from := bs.orgs[(i+len(bs.orgs)-1)%len(bs.orgs)].devices[0]
		for range perOrg {
			jobs = append(jobs, job{o, from})
		}
	}
	errs := make([]error, len(jobs))
	parallel(len(jobs), func(k int) {
		j := jobs[k]
		env, err := crypto.Seal(j.from.keys, j.to.id, dir.Recipients(j.to.id, time.Now()),
			&crypto.Packet{PayloadType: "case-message/v1", Payload: payload}, crypto.SealOptions{})
		if err != nil {
			errs[k] = err
			return
		}
		b, err := env.Marshal()
		if err != nil {
			errs[k] = err
			return
		}
		j.to.pool <- &sealed{id: [16]byte(env.ID), bytes: b}
	})
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("seal: %w", err)
		}
	}
	return nil
}

// parallel runs fn(0..n-1) on every CPU.
func parallel(n int, fn func(int)) {
	var wg sync.WaitGroup
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				fn(i)
			}
		})
	}
	wg.Wait()
}
