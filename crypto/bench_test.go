package crypto

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"filippo.io/age"
)

// benchCounts are the recipient device counts of the envelope benchmarks.
var benchCounts = []int{1, 10, 50}

// benchPayload is a 4 KiB payload (a referral with attachments inline).
var benchPayload = bytes.Repeat([]byte("referral "), 4096/9+1)[:4096]

// Run with:
//
//	go test -run '^$' -bench 'Seal|Open|Age' -benchmem ./crypto/
//
// Open and AgeDecrypt decrypt as the last listed recipient, the worst case:
// age tries each stanza in turn.

func BenchmarkSeal(b *testing.B) {
	for _, n := range benchCounts {
		b.Run(fmt.Sprintf("recipients=%d", n), func(b *testing.B) {
			f, _, to := sealTo(b, n)
			pkt := &Packet{PayloadType: "referral", Payload: benchPayload}
			b.SetBytes(int64(len(benchPayload)))
			for b.Loop() {
				if _, err := Seal(f.p1.keys, f.landlord.cert.Org, to, pkt, SealOptions{Now: t0}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	for _, n := range benchCounts {
		b.Run(fmt.Sprintf("recipients=%d", n), func(b *testing.B) {
			f, devs, to := sealTo(b, n)
			e, err := Seal(f.p1.keys, f.landlord.cert.Org, to, &Packet{PayloadType: "referral", Payload: benchPayload}, SealOptions{Now: t0})
			if err != nil {
				b.Fatal(err)
			}
			last := devs[n-1]
			identities := ids(last)
			b.SetBytes(int64(len(benchPayload)))
			for b.Loop() {
				if _, err := Open(e, last.keys.Device, identities, f.dir); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// ageRecipients parses the same recipients Seal uses.
func ageRecipients(b *testing.B, to []Recipient) []age.Recipient {
	rs := make([]age.Recipient, len(to))
	for i, r := range to {
		hr, err := age.ParseHybridRecipient(r.Key)
		if err != nil {
			b.Fatal(err)
		}
		rs[i] = hr
	}
	return rs
}

func ageEncrypt(b *testing.B, rs []age.Recipient, p []byte) []byte {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, rs...)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := w.Write(p); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkAgeEncrypt is plain age encryption of the same payload to the
// same recipients, including parsing their keys as Seal does: the baseline
// for BenchmarkSeal.
func BenchmarkAgeEncrypt(b *testing.B) {
	for _, n := range benchCounts {
		b.Run(fmt.Sprintf("recipients=%d", n), func(b *testing.B) {
			_, _, to := sealTo(b, n)
			b.SetBytes(int64(len(benchPayload)))
			for b.Loop() {
				ageEncrypt(b, ageRecipients(b, to), benchPayload)
			}
		})
	}
}

// BenchmarkAgeDecrypt is plain age decryption as the last recipient: the
// baseline for BenchmarkOpen.
func BenchmarkAgeDecrypt(b *testing.B) {
	for _, n := range benchCounts {
		b.Run(fmt.Sprintf("recipients=%d", n), func(b *testing.B) {
			_, devs, to := sealTo(b, n)
			ct := ageEncrypt(b, ageRecipients(b, to), benchPayload)
			identities := ids(devs[n-1])
			b.SetBytes(int64(len(benchPayload)))
			for b.Loop() {
				r, err := age.Decrypt(bytes.NewReader(ct), identities...)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerifyDeviceCert(b *testing.B) {
	f := newFixture(b)
	for b.Loop() {
		if _, err := VerifyDeviceCert(f.l1.raw, f.landlord.cert, t0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDirectorySenderAt(b *testing.B) {
	f := newFixture(b)
	at := t0.Add(time.Minute)
	for b.Loop() {
		if _, _, err := f.dir.SenderAt(f.p1.keys.Device, at); err != nil {
			b.Fatal(err)
		}
	}
}
