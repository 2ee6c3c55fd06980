package translog

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/internal/detcbor"
)

// AuditEntry is one record of the log as an audit saw it.
type AuditEntry struct {
	// Index is the record's position in the log, from 0.
	Index int64
	// Kind is the signed object's type (org-cert, device-cert, revocation,
	// key-update, scheme-update, org-policy), or "" if it could not be
	// parsed at all.
	Kind string
	// Org and Device name what the entry is about; Device is zero for an
	// organisation certificate or revocation.
	Org    crypto.OrgID
	Device crypto.DeviceID
	// Name is the organisation's or device's name, when the entry carries one.
	Name string
	// Time is when the entry says it was made: issue time of a certificate,
	// scheme update or policy, revocation time, or creation time of a key
	// update.
	Time time.Time
	// Detail describes the keys the entry introduces, by fingerprint or key
	// hash (never a private key), or the revocation reason.
	Detail string
	// Err is why the entry failed verification, or nil if it verified up to
	// the scheme root and was applied.
	Err error
}

// About reports whether the entry concerns organisation org (including any
// of its devices) when device is zero, or device otherwise.
func (e *AuditEntry) About(org crypto.OrgID, device crypto.DeviceID) bool {
	if !device.IsZero() {
		return e.Device == device
	}
	return e.Org == org
}

// AuditReport is the result of Audit.
type AuditReport struct {
	// Checkpoint is the verified checkpoint the log was audited against.
	Checkpoint *Checkpoint
	// Entries holds every record, in log order.
	Entries []AuditEntry
	// Failed counts entries whose Err is not nil.
	Failed int
	// Directory is the verified directory the log builds.
	Directory *crypto.Directory
}

// OK reports whether every entry verified.
func (r *AuditReport) OK() bool { return r.Failed == 0 }

// History returns the entries about org (and its devices) when device is
// zero, or about device otherwise: the history of their keys.
func (r *AuditReport) History(org crypto.OrgID, device crypto.DeviceID) []AuditEntry {
	var out []AuditEntry
	for _, e := range r.Entries {
		if e.About(org, device) {
			out = append(out, e)
		}
	}
	return out
}

// Audit verifies a whole log from its first record: the checkpoint's
// signature by the log key verifierKey, that objects (records 0, 1, ...;
// exactly checkpoint-size of them) hash to the checkpoint's root, and that
// every object verifies in order up to the scheme's roots, as a client's
// directory would apply it. Certificates are judged valid at their own
// issue time (the log carries no other trustworthy time). Audit returns an
// error (ErrBadCheckpoint, ErrMalformed, ErrOutOfRange, ErrTreeMismatch)
// only when the log as a whole cannot be checked; entries that fail are in
// the report, with OK false.
func Audit(scheme *crypto.Scheme, verifierKey string, checkpoint []byte, objects [][]byte) (*AuditReport, error) {
	v, err := ParseVerifierKey(verifierKey)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	cp, err := OpenCheckpoint(checkpoint, v)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	if int64(len(objects)) != cp.Size {
		return nil, fmt.Errorf("audit log %s: %w: %d records given", cp, ErrOutOfRange, len(objects))
	}
	if err := VerifyRecords(cp, objects); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	rep := &AuditReport{Checkpoint: cp, Directory: crypto.NewDirectory(scheme), Entries: make([]AuditEntry, 0, len(objects))}
	for i, obj := range objects {
		e := describe(int64(i), obj)
		if e.Err == nil && e.Kind == crypto.TypeOrgCert {
			if _, err := rep.Directory.Scheme().VerifyOrgCert(obj, e.Time); err != nil {
				e.Detail = strings.Replace(e.Detail, "organisation admitted or renewed", "admin keys replaced by the organisation's admin", 1)
			}
		}
		if e.Err == nil {
			if _, err := rep.Directory.Add(obj, e.Time); err != nil {
				e.Err = err
			} else if e.Kind == crypto.TypeKeyUpdate {
				if d, err := rep.Directory.Device(e.Device); err == nil {
					e.Org, e.Name = d.Cert.Org, d.Cert.Name
				}
			}
		}
		if e.Err != nil {
			rep.Failed++
		}
		rep.Entries = append(rep.Entries, e)
	}
	return rep, nil
}

// entryPeek reads the fields of any directory object's body that an
// audit shows (docs/ARCHITECTURE.md lists the body keys). It is decoded
// leniently: verification is Directory.Add's job.
type entryPeek struct {
	Org     crypto.OrgID    `cbor:"org"`
	Device  crypto.DeviceID `cbor:"dev"`
	Name    string          `cbor:"name"`
	Admin   [][]byte        `cbor:"admin"`
	Signing []byte          `cbor:"sig"`
	Rcpt    string          `cbor:"rcpt"`
	Seq     uint64          `cbor:"seq"`
	Issued  int64           `cbor:"iat"`
	At      int64           `cbor:"at"`
	Why     string          `cbor:"why"`
	Roots   [][]byte        `cbor:"roots"`
	K       uint64          `cbor:"k"`
	Ret     uint64          `cbor:"ret"`
}

// peekCodec reads an entry's body to describe it, without verifying it;
// it tolerates keys the description does not need.
var peekCodec = detcbor.Must(detcbor.Limits{MaxNesting: 8, MaxArrayElements: 4096, MaxMapPairs: 64, AllowUnknownFields: true})

var errUndecodable = errors.New("entry body cannot be decoded")

// describe fills an AuditEntry from an object's body, without verifying it.
func describe(index int64, obj []byte) AuditEntry {
	e := AuditEntry{Index: index}
	sd, err := crypto.ParseSigned(obj, "")
	if err != nil {
		e.Err = err
		return e
	}
	e.Kind = sd.Type
	var p entryPeek
	if err := peekCodec.Unmarshal(sd.Body, &p); err != nil {
		e.Err = fmt.Errorf("%w: %w: %v", crypto.ErrMalformed, errUndecodable, err)
		return e
	}
	e.Org, e.Device, e.Name = p.Org, p.Device, p.Name
	switch sd.Type {
	case crypto.TypeOrgCert:
		e.Time = time.Unix(p.Issued, 0).UTC()
		keys := make([]ed25519.PublicKey, len(p.Admin))
		for i, k := range p.Admin {
			keys[i] = k
		}
		e.Detail = fmt.Sprintf("organisation admitted or renewed; %d admin key(s), organisation fingerprint %s",
			len(keys), crypto.OrgFingerprint(&crypto.OrgCert{Org: p.Org, AdminKeys: keys}))
	case crypto.TypeDeviceCert:
		e.Time = time.Unix(p.Issued, 0).UTC()
		e.Detail = fmt.Sprintf("device approved; device fingerprint %s, encryption key %s",
			crypto.DeviceFingerprint(p.Signing), crypto.KeyHash(p.Rcpt))
	case crypto.TypeKeyUpdate:
		e.Time = time.Unix(p.At, 0).UTC()
		e.Detail = fmt.Sprintf("encryption key %d: %s", p.Seq, crypto.KeyHash(p.Rcpt))
	case crypto.TypeRevocation:
		e.Time = time.Unix(p.At, 0).UTC()
		what := "device revoked"
		if p.Device.IsZero() {
			what = "organisation removed"
		}
		e.Detail = fmt.Sprintf("%s; reason: %q", what, p.Why)
	case crypto.TypeSchemeUpdate:
		e.Time = time.Unix(p.Issued, 0).UTC()
		s := &crypto.Scheme{Threshold: int(min(p.K, 1<<16))}
		for _, k := range p.Roots {
			s.Roots = append(s.Roots, crypto.EncodePublicKey(k))
		}
		e.Detail = fmt.Sprintf("scheme roots rotated (update %d); %d of %d roots, scheme fingerprint %s",
			p.Seq, p.K, len(p.Roots), s.Fingerprint())
	case crypto.TypeOrgPolicy:
		e.Time = time.Unix(p.Issued, 0).UTC()
		e.Detail = fmt.Sprintf("policy %d: finished cases kept %d days", p.Seq, p.Ret/86400)
	default:
		e.Err = fmt.Errorf("%w: %q is not a directory object", crypto.ErrMalformed, sd.Type)
	}
	return e
}
