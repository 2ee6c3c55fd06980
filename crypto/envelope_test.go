package crypto

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
)

func TestSealOpen(t *testing.T) {
	f := newFixture(t)
	e := f.seal(t, "needs profile: 2 adults, 3 bedrooms")
	if e.Mailbox != f.landlord.cert.Org {
		t.Fatalf("mailbox %s", e.Mailbox)
	}
	if want := time.Date(2025, 3, 2, 12, 0, 0, 0, time.UTC); !e.Expiry.Equal(want) {
		t.Fatalf("expiry %s, want %s", e.Expiry, want)
	}
	b, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("needs profile")) || bytes.Contains(b, f.p1.keys.Device[:]) {
		t.Fatal("outer envelope leaks payload or sender")
	}
	parsed, err := ParseEnvelope(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []*testDevice{f.l1, f.l2} {
		o, err := Open(parsed, d.keys.Device, ids(d), f.dir)
		if err != nil {
			t.Fatalf("%s: %v", d.cert.Name, err)
		}
		if string(o.Payload) != "needs profile: 2 adults, 3 bedrooms" || o.PayloadType != "referral" {
			t.Fatalf("payload %q type %q", o.Payload, o.PayloadType)
		}
		if o.Sender.Device != f.p1.keys.Device || o.SenderOrg.Org != f.provider.cert.Org {
			t.Fatalf("sender %s of %s", o.Sender.Device, o.SenderOrg.Org)
		}
		if !o.Created.Equal(t0) || o.ID != e.ID || o.Mailbox != e.Mailbox || o.CertIndex != 7 || string(o.Checkpoint) != "cp" {
			t.Fatalf("opened %+v", o)
		}
		if len(o.Recipients) != 2 || o.Recipients[0].Device != f.l1.keys.Device ||
			o.Recipients[1].Key != KeyHash(f.l2.recipient().Key) {
			t.Fatalf("recipients %+v", o.Recipients)
		}
	}
}

func TestSealRotatedKey(t *testing.T) {
	f := newFixture(t)
	e := f.seal(t, "before rotation")
	// The landlord device rotates: the old envelope still opens with the
	// retained identity, a new one is sealed to the new key.
	upd, err := f.l1.secrets.Rotate(t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.Add(upd, t0); err != nil {
		t.Fatal(err)
	}
	keys, err := f.l1.secrets.Keys()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(e, keys.Device, keys.Identities(), f.dir); err != nil {
		t.Fatalf("old envelope with rotated keys: %v", err)
	}
	e2, err := Seal(f.p1.keys, f.landlord.cert.Org, f.dir.Recipients(f.landlord.cert.Org, t0), &Packet{PayloadType: "offer"}, SealOptions{Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(e2, keys.Device, keys.Identities()[:1], f.dir); err != nil {
		t.Fatalf("new envelope with new key only: %v", err)
	}
	if _, err := Open(e2, keys.Device, keys.Identities()[1:], f.dir); !errors.Is(err, ErrNotForMe) {
		t.Fatalf("new envelope with old key only: %v", err)
	}
	// After the grace window the old key is pruned: the old envelope is
	// unreadable (forward secrecy).
	if n := f.l1.secrets.Prune(t0.AddDate(0, 1, 0)); n != 1 {
		t.Fatalf("pruned %d keys", n)
	}
	keys, err = f.l1.secrets.Keys()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(e, keys.Device, keys.Identities(), f.dir); !errors.Is(err, ErrNotForMe) {
		t.Fatalf("old envelope after prune: %v", err)
	}
}

// craft encrypts an arbitrary inner plaintext (already signed or not) as an
// envelope to the given devices, bypassing Seal's checks.
func craft(t *testing.T, e Envelope, padded []byte, to ...*testDevice) *Envelope {
	t.Helper()
	var rs []age.Recipient
	for _, d := range to {
		rs = append(rs, d.keys.Encryption[0].Recipient())
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, rs...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(padded); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	e.Ciphertext = buf.Bytes()
	return &e
}

func TestOpenRejects(t *testing.T) {
	f := newFixture(t)
	good := f.seal(t, "x")
	outer := Envelope{ID: good.ID, Mailbox: good.Mailbox, Expiry: good.Expiry}
	pkt := &Packet{PayloadType: "referral", Payload: []byte("x")}
	signed := func(sender *DeviceKeys, e Envelope, to []Recipient, at time.Time) []byte {
		b, err := signInner(sender, &e, to, pkt, at)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	l1only := []Recipient{f.l1.recipient()}
	validInner := signed(f.p1.keys, outer, l1only, t0)

	// A signature by the wrong key (a landlord device posing as p1).
	forged := &DeviceKeys{Device: f.p1.keys.Device, Signing: f.l2.keys.Signing}
	// A bad signature byte.
	sd, err := ParseSigned(validInner, TypeEnvelope)
	if err != nil {
		t.Fatal(err)
	}
	sd.Sigs[0].Sig[5] ^= 1
	badSig, err := sd.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// An unknown sender.
	stranger, err := GenerateDeviceSecrets(detRand(9), f.provider.cert.Org, "stranger", t0)
	if err != nil {
		t.Fatal(err)
	}
	strangerKeys, err := stranger.Keys()
	if err != nil {
		t.Fatal(err)
	}
	// Revoke p1 from t0+1h: envelopes created after that are rejected,
	// earlier ones still open.
	rev, err := SignDeviceRevocation(&Revocation{Org: f.provider.cert.Org, Device: f.p1.keys.Device, RevokedAt: t0.Add(time.Hour), Reason: "laptop lost"}, f.provider.admin)
	if err != nil {
		t.Fatal(err)
	}
	revokedDir := NewDirectory(f.scheme)
	for _, b := range [][]byte{f.provider.raw, f.landlord.raw, f.p1.raw, f.l1.raw, f.l2.raw, rev} {
		if _, err := revokedDir.Add(b, t0); err != nil {
			t.Fatal(err)
		}
	}
	movedOuter := outer
	movedOuter.Mailbox = f.provider.cert.Org
	redated := outer
	redated.Expiry = outer.Expiry.Add(time.Hour)

	tests := []struct {
		name string
		e    *Envelope
		me   *testDevice
		dir  SenderDirectory
		want error
	}{
		{"valid", craft(t, outer, pad(validInner), f.l1), f.l1, f.dir, nil},
		{"sent before revocation", craft(t, outer, pad(validInner), f.l1), f.l1, revokedDir, nil},
		{"sent after revocation", craft(t, outer, pad(signed(f.p1.keys, outer, l1only, t0.Add(2*time.Hour))), f.l1), f.l1, revokedDir, ErrSenderRevoked},
		{"sent at revocation", craft(t, outer, pad(signed(f.p1.keys, outer, l1only, t0.Add(time.Hour))), f.l1), f.l1, revokedDir, ErrSenderRevoked},
		{"not for me", craft(t, outer, pad(validInner), f.l1), f.l2, f.dir, ErrNotForMe},
		{"not a recipient", craft(t, outer, pad(validInner), f.l1, f.l2), f.l2, f.dir, ErrMalformed}, // stanza count differs from signed list
		{"not listed", craft(t, outer, pad(signed(f.p1.keys, outer, []Recipient{f.l1.recipient()}, t0)), f.l2), f.l2, f.dir, ErrNotARecipient},
		{"forged signature", craft(t, outer, pad(signed(forged, outer, l1only, t0)), f.l1), f.l1, f.dir, ErrBadSignature},
		{"bad signature", craft(t, outer, pad(badSig), f.l1), f.l1, f.dir, ErrBadSignature},
		{"unknown sender", craft(t, outer, pad(signed(strangerKeys, outer, l1only, t0)), f.l1), f.l1, f.dir, ErrUnknownSender},
		{"sender cert expired", craft(t, outer, pad(signed(f.p1.keys, outer, l1only, t0.AddDate(1, 0, 0))), f.l1), f.l1, f.dir, ErrUnknownSender},
		{"sender cert not yet valid", craft(t, outer, pad(signed(f.p1.keys, outer, l1only, t0.AddDate(0, 0, -8))), f.l1), f.l1, f.dir, ErrUnknownSender},
		{"moved to another mailbox", craft(t, movedOuter, pad(validInner), f.l1), f.l1, f.dir, ErrMismatchedOuter},
		{"re-dated", craft(t, redated, pad(validInner), f.l1), f.l1, f.dir, ErrMismatchedOuter},
		{"other id", craft(t, Envelope{ID: EnvelopeID{1}, Mailbox: outer.Mailbox, Expiry: outer.Expiry}, pad(validInner), f.l1), f.l1, f.dir, ErrMismatchedOuter},
		{"unpadded", craft(t, outer, validInner, f.l1), f.l1, f.dir, ErrMalformed},
		{"bad padding", craft(t, outer, append(pad(validInner)[:len(pad(validInner))-1], 1), f.l1), f.l1, f.dir, ErrMalformed},
		{"not signed object", craft(t, outer, pad([]byte("hello")), f.l1), f.l1, f.dir, ErrMalformed},
		{"wrong signed type", craft(t, outer, pad(f.p1.raw), f.l1), f.l1, f.dir, ErrMalformed},
		{"not age", &Envelope{ID: outer.ID, Mailbox: outer.Mailbox, Expiry: outer.Expiry, Ciphertext: []byte("hello")}, f.l1, f.dir, ErrMalformed},
		{"too large", &Envelope{ID: outer.ID, Ciphertext: make([]byte, MaxEnvelopeSize+1)}, f.l1, f.dir, ErrTooLarge},
		{"too many stanzas", &Envelope{ID: outer.ID, Ciphertext: []byte(ageIntro + strings.Repeat("-> X25519 AAAA\nAAAA\n", MaxRecipients+1) + "--- AAAA\n")}, f.l1, f.dir, ErrTooManyRecipients},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := Open(tt.e, tt.me.keys.Device, ids(tt.me), tt.dir)
			if tt.want == nil {
				if err != nil || o == nil {
					t.Fatalf("Open = %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open error = %v, want %v", err, tt.want)
			}
			if o != nil {
				t.Fatal("Open returned a result with an error")
			}
		})
	}
	if _, err := Open(good, f.l1.keys.Device, nil, f.dir); !errors.Is(err, ErrNotForMe) {
		t.Fatalf("no identities: %v", err)
	}
	// The directory's own error is wrapped too.
	_, err = Open(craft(t, outer, pad(signed(strangerKeys, outer, l1only, t0)), f.l1), f.l1.keys.Device, ids(f.l1), f.dir)
	if !errors.Is(err, ErrUnknownDevice) {
		t.Fatalf("unknown sender does not wrap ErrUnknownDevice: %v", err)
	}
}

func TestSealRejects(t *testing.T) {
	f := newFixture(t)
	pkt := &Packet{PayloadType: "referral"}
	many := make([]Recipient, MaxRecipients+1)
	for i := range many {
		many[i] = Recipient{Device: DeviceID{byte(i), 1}, Key: f.l1.recipient().Key}
	}
	tests := []struct {
		name string
		to   []Recipient
		pkt  *Packet
		want error
	}{
		{"none", nil, pkt, ErrInvalidRecipients},
		{"too many", many, pkt, ErrTooManyRecipients},
		{"duplicate", []Recipient{f.l1.recipient(), f.l1.recipient()}, pkt, ErrInvalidRecipients},
		{"bad key", []Recipient{{Device: f.l1.keys.Device, Key: "age1pq1xyz"}}, pkt, ErrInvalidRecipients},
		{"no payload type", f.landlordRecipients(), &Packet{}, ErrMalformed},
		{"too large", f.landlordRecipients(), &Packet{PayloadType: "attachment", Payload: make([]byte, MaxEnvelopeSize)}, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Seal(f.p1.keys, f.landlord.cert.Org, tt.to, tt.pkt, SealOptions{Now: t0})
			if !errors.Is(err, tt.want) || e != nil {
				t.Fatalf("Seal = %v, %v; want %v", e, err, tt.want)
			}
		})
	}
	if _, err := Seal(f.p1.keys, f.landlord.cert.Org, f.landlordRecipients(), pkt, SealOptions{TTL: -time.Hour}); err == nil {
		t.Fatal("negative TTL accepted")
	}
}

// TestTamperEveryByte flips every byte of a sealed envelope's encoding in
// turn; every flip must make ParseEnvelope or Open fail.
func TestTamperEveryByte(t *testing.T) {
	f := newFixture(t)
	e, err := Seal(f.p1.keys, f.landlord.cert.Org, []Recipient{f.l1.recipient()}, &Packet{PayloadType: "msg", Payload: []byte("hi")}, SealOptions{Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	identities := ids(f.l1)
	if _, err := Open(e, f.l1.keys.Device, identities, f.dir); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		for _, mask := range []byte{0x01, 0xff} {
			c := bytes.Clone(b)
			c[i] ^= mask
			pe, err := ParseEnvelope(c)
			if err != nil {
				continue
			}
			if o, err := Open(pe, f.l1.keys.Device, identities, f.dir); err == nil || o != nil {
				t.Fatalf("flip %#02x at byte %d of %d accepted (err %v)", mask, i, len(b), err)
			}
		}
	}
}

func TestParseEnvelopeRejects(t *testing.T) {
	good := &Envelope{ID: EnvelopeID{1}, Mailbox: OrgID{2}, Expiry: t0, Ciphertext: []byte("ct")}
	b, err := good.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if e, err := ParseEnvelope(b); err != nil || e.ID != good.ID || e.Mailbox != good.Mailbox || !e.Expiry.Equal(t0) || string(e.Ciphertext) != "ct" {
		t.Fatalf("ParseEnvelope = %+v, %v", e, err)
	}
	enc := func(v any) []byte {
		b, err := marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	type extra struct {
		envelopeWire
		X int `cbor:"x"`
	}
	w := envelopeWire{V: 1, ID: good.ID, To: good.Mailbox, Exp: t0.Unix(), CT: []byte("ct")}
	v2, zeroID, noCT := w, w, w
	v2.V = 2
	zeroID.ID = EnvelopeID{}
	noCT.CT = nil
	tests := map[string][]byte{
		"empty":          nil,
		"trailing":       append(bytes.Clone(b), 0),
		"version 2":      enc(v2),
		"zero id":        enc(zeroID),
		"no ciphertext":  enc(noCT),
		"unknown field":  enc(extra{w, 1}),
		"missing field":  enc(map[string]any{"v": 1, "id": good.ID[:], "to": good.Mailbox[:], "exp": t0.Unix()}),
		"short id":       enc(map[string]any{"v": 1, "id": []byte{1}, "to": good.Mailbox[:], "exp": t0.Unix(), "ct": []byte("ct")}),
		"non-canonical":  append([]byte{0xb9, 0x00, 0x05}, b[1:]...),
		"indefinite map": append(append([]byte{0xbf}, b[1:]...), 0xff),
	}
	for name, in := range tests {
		if _, err := ParseEnvelope(in); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: ParseEnvelope error %v, want ErrMalformed", name, err)
		}
	}
	if _, err := ParseEnvelope(make([]byte, MaxEnvelopeSize+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("too large: %v", err)
	}
}

func TestPadme(t *testing.T) {
	// Values from the PURBs paper's definition, worked by hand.
	known := map[int]int{0: 0, 1: 1, 2: 2, 3: 3, 8: 8, 9: 10, 17: 18, 100: 104, 1000: 1024, 1025: 1088, 4100: 4352}
	for n, want := range known {
		if got := Padme(n); got != want {
			t.Errorf("Padme(%d) = %d, want %d", n, got, want)
		}
	}
	prev := 0
	for n := 0; n < 1<<16; n++ {
		p := Padme(n)
		if p < n || p < prev || (n > 16 && float64(p-n)/float64(n) > 0.12) {
			t.Fatalf("Padme(%d) = %d", n, p)
		}
		prev = p
	}
	for _, n := range []int{0, 1, 5, 100, 5000} {
		msg := bytes.Repeat([]byte{0xab}, n)
		got, err := unpad(pad(msg))
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("unpad(pad(%d bytes)) = %v", n, err)
		}
	}
	p := pad([]byte("hello"))
	for name, bad := range map[string][]byte{
		"short":         {0, 0},
		"length beyond": {0, 0, 0, 9, 1, 2, 3, 4},
		"extra padding": append(bytes.Clone(p), make([]byte, 64)...),
		"nonzero":       append(p[:len(p)-1:len(p)-1], 1),
	} {
		if _, err := unpad(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("unpad %s: %v", name, err)
		}
	}
}

func TestExpiryRounding(t *testing.T) {
	for _, tc := range []struct{ now, want time.Time }{
		{time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC), time.Date(2025, 1, 2, 10, 0, 0, 0, time.UTC)},
		{time.Date(2025, 1, 1, 10, 0, 1, 0, time.UTC), time.Date(2025, 1, 2, 11, 0, 0, 0, time.UTC)},
	} {
		if got := expiryFor(tc.now, 24*time.Hour); !got.Equal(tc.want) {
			t.Errorf("expiryFor(%s) = %s, want %s", tc.now, got, tc.want)
		}
	}
}

// sealTo is used by benchmarks and examples: one 4 KiB referral to n
// landlord devices.
func sealTo(b testing.TB, n int) (*fixture, []*testDevice, []Recipient) {
	f := newFixture(b)
	devs := make([]*testDevice, n)
	to := make([]Recipient, n)
	for i := range devs {
		devs[i] = f.newDevice(b, detRand(byte(100+i)), f.landlord, fmt.Sprintf("device %d", i))
		to[i] = devs[i].recipient()
	}
	return f, devs, to
}

// TestSealUsesPostQuantumRecipients checks that every recipient stanza of a
// sealed envelope is age's hybrid ML-KEM-768 + X25519 type, so traffic
// recorded today cannot be opened by a future quantum adversary that breaks
// X25519 alone.
func TestSealUsesPostQuantumRecipients(t *testing.T) {
	f := newFixture(t)
	e := f.seal(t, "x")
	header, _, ok := bytes.Cut(e.Ciphertext, []byte("\n---"))
	if !ok {
		t.Fatal("no age header")
	}
	stanzas := 0
	for _, line := range strings.Split(string(header), "\n") {
		if !strings.HasPrefix(line, "-> ") {
			continue
		}
		stanzas++
		if !strings.HasPrefix(line, "-> mlkem768x25519 ") {
			t.Errorf("stanza %q is not hybrid post-quantum", line)
		}
	}
	if stanzas == 0 {
		t.Fatal("no recipient stanzas found")
	}
}
