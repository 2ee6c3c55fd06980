package client

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/saferef/saferef/client/relay"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/crypto/vault"
	"github.com/saferef/saferef/protocol"
)

// ErrDeviceRevoked means the organisation admin revoked this device: the
// relay refuses it, and nobody encrypts to it any more.
var ErrDeviceRevoked = errors.New("this device has been revoked by your organisation admin")

// explainAuth turns the relay's refusal of a revoked device into
// ErrDeviceRevoked, in plain words.
func explainAuth(err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Code == protocol.CodeDeviceRevoked {
		return fmt.Errorf("%w: it can no longer send or receive referrals; ask your admin to enrol a new device (relay said: %w)", ErrDeviceRevoked, err)
	}
	return err
}

// KeyStatus describes the device's encryption keys, for 'saferef keys'.
type KeyStatus struct {
	Seq       uint64    // sequence number of the current key (0: the certificate's)
	Created   time.Time // when the current key was made
	Recipient string    // its age recipient
	Published bool      // the relay's directory names it as the device's newest key
	Retained  int       // old identities still held (inside the grace window)
	Erased    int       // old identities erased by this call (RotateKeys only)
	// LogIndex is the log index of the current key's update, and
	// CheckpointSize the size of the (witnessed, when the scheme names
	// witnesses) checkpoint that proves it, once Published.
	LogIndex       uint64
	CheckpointSize int64
}

// graceWindow is how long a retired identity is kept: the scheme's grace
// days, and never less than the relay's mailbox TTL.
func (d *Device) graceWindow() time.Duration {
	days := max(d.scheme.GraceDays, d.scheme.MailboxTTLDays)
	return time.Duration(days) * 24 * time.Hour
}

// RotateKeys connects to the relay and rotates the device's encryption key
// now (as 'saferef keys rotate' does), whatever the schedule: the new key
// is saved in the vault, then published as a key update signed by the
// device identity. Old identities past the grace window are erased.
func (d *Device) RotateKeys(ctx context.Context) (*KeyStatus, error) {
	d.netMu.Lock()
	defer d.netMu.Unlock()
	c, err := d.connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("rotate keys: %w", err)
	}
	defer c.Close()
	st, err := d.rotate(ctx, c, true)
	if err != nil {
		return nil, fmt.Errorf("rotate keys: %w", err)
	}
	return st, nil
}

// maintainKeys runs on every connection: it republishes a key update the
// relay does not have yet, rotates when the current key is older than the
// scheme's rotation period (or when forced), and erases identities retired
// longer ago than the grace window.
func (d *Device) maintainKeys(ctx context.Context, c *relay.Conn, force bool) error {
	if _, err := d.rotate(ctx, c, force); err != nil && !errors.Is(err, ErrKeyNotPublished) {
		// ErrKeyNotPublished has raised its alert; the sync goes on.
		return fmt.Errorf("key rotation: %w", err)
	}
	return nil
}

// rotate does maintainKeys' work and reports the resulting state. The vault
// is always saved before a new key is published, so that a key the
// directory names is never lost; an unpublished key is published again on
// the next connection.
func (d *Device) rotate(ctx context.Context, c *relay.Conn, force bool) (*KeyStatus, error) {
	self, err := d.Directory().Device(d.secrets.Device)
	if err != nil {
		// Not approved (or not yet in the directory): nothing to rotate.
		return &KeyStatus{Seq: d.secrets.Encryption[0].Seq, Created: d.secrets.Encryption[0].Created}, nil
	}
	if self.Revoked != nil {
		return nil, fmt.Errorf("%w: revoked at %s", ErrDeviceRevoked, self.Revoked.RevokedAt.UTC().Format(time.RFC3339))
	}
	now := d.now()
	cur := d.secrets.Encryption[0]
	period := time.Duration(d.scheme.RotationDays) * 24 * time.Hour
	switch {
	case cur.Seq < self.KeySeq:
		// Restored from a backup made before the device's newest published
		// key: the keys after cur.Seq are not in this vault, and whatever
		// was sealed to them cannot be opened here. Say so, and publish a
		// new key numbered after the lost ones so that senders stop using
		// them.
		d.mu.Lock()
		d.stale = &StaleKeys{Held: cur.Seq, Published: self.KeySeq}
		d.mu.Unlock()
		before := append([]crypto.EncryptionKey(nil), d.secrets.Encryption...)
		if _, err := d.secrets.RotateAbove(now, self.KeySeq); err != nil {
			return nil, err
		}
		if err := d.saveVault(); err != nil {
			d.secrets.Encryption = before
			return nil, err
		}
		if err := d.publishKey(ctx, c, force); err != nil {
			return nil, err
		}
	case cur.Seq > self.KeySeq:
		// Saved but not yet published (the relay was unreachable, or
		// dropped it).
		if err := d.publishKey(ctx, c, force); err != nil {
			return nil, err
		}
	case force || !now.Before(cur.Created.Add(period)):
		before := append([]crypto.EncryptionKey(nil), d.secrets.Encryption...)
		if _, err := d.secrets.Rotate(now); err != nil {
			return nil, err
		}
		if err := d.saveVault(); err != nil {
			// Never publish a key the vault does not hold.
			d.secrets.Encryption = before
			return nil, err
		}
		if err := d.publishKey(ctx, c, force); err != nil {
			return nil, err
		}
	}
	st := &KeyStatus{}
	// Erase only once the directory names the current key: until then
	// senders may still be using the one before.
	if self, err = d.Directory().Device(d.secrets.Device); err == nil && self.KeySeq == d.secrets.Encryption[0].Seq {
		st.Published = true
		if n := d.secrets.Prune(now.Add(-d.graceWindow())); n > 0 {
			if err := d.saveVault(); err != nil {
				return nil, err
			}
			st.Erased = n
		}
	}
	cur = d.secrets.Encryption[0]
	st.Seq, st.Created, st.Retained = cur.Seq, cur.Created, len(d.secrets.Encryption)-1
	st.LogIndex, st.CheckpointSize = d.keyProof(cur.Seq)
	st.Recipient, _ = d.secrets.Recipient()
	return st, nil
}

// publishKey signs the key update for the current encryption key (signing
// is deterministic, so a republished update has the same bytes), publishes
// it, and refreshes the directory so that it is verified like any other
// entry. Then it confirms the publication (confirmKey): with wait (keys
// rotate) it waits for it up to the bound; otherwise (scheduled rotation
// on a sync) it looks once, and a key still missing a bound after it was
// made raises the alert.
func (d *Device) publishKey(ctx context.Context, c *relay.Conn, wait bool) error {
	cur := d.secrets.Encryption[0]
	rcpt, err := d.secrets.Recipient()
	if err != nil {
		return err
	}
	u, err := crypto.SignKeyUpdate(&crypto.KeyUpdate{Device: d.secrets.Device, Seq: cur.Seq, Recipient: rcpt, Created: cur.Created},
		ed25519.NewKeyFromSeed(d.secrets.SigningSeed))
	if err != nil {
		return err
	}
	if _, err := c.Publish(ctx, u); err != nil {
		return fmt.Errorf("publish key update %d: %w", cur.Seq, err)
	}
	if _, err = d.refreshDirectory(ctx, c); err != nil {
		return err
	}
	return d.confirmKey(ctx, c, cur, wait)
}

// keyPublished reports whether the directory names the current key and
// its key update is in a witnessed checkpoint.
func (d *Device) keyPublished(seq uint64) bool {
	self, err := d.Directory().Device(d.secrets.Device)
	if err != nil || self.KeySeq != seq {
		return false
	}
	d.mu.Lock()
	rec, ok := d.keyRec[d.secrets.Device]
	d.mu.Unlock()
	return ok && d.inWitnessed(rec.index)
}

// keyProof returns the log index of the current key's update and the size
// of the checkpoint covering it (witnessed, when the scheme names
// witnesses), or zeros.
func (d *Device) keyProof(seq uint64) (uint64, int64) {
	if seq == 0 || !d.keyPublished(seq) {
		return 0, 0
	}
	d.mu.Lock()
	rec := d.keyRec[d.secrets.Device]
	m := d.monitor
	d.mu.Unlock()
	if w := m.Witnessed(); m.Witnesses() != nil && w != nil {
		return rec.index, w.Size
	}
	if l := m.Latest(); l != nil {
		return rec.index, l.Size
	}
	return rec.index, 0
}

// confirmKey waits (up to publishWait when wait is set) for the current
// key's update to be in a witnessed checkpoint. If it is not, it raises
// the key-unpublished alert — unless, when not waiting, the key is younger
// than the bound — and returns ErrKeyNotPublished. The old key is kept
// meanwhile: erasure waits for the directory to name the new one
// (SECURITY.md).
func (d *Device) confirmKey(ctx context.Context, c *relay.Conn, cur crypto.EncryptionKey, wait bool) error {
	// A scheduled rotation (or a republish) on a sync waits less: an
	// honest relay has its witnesses cosign within a second.
	bound := d.publishWait
	if !wait {
		bound = min(bound, 5*time.Second)
	}
	deadline := time.Now().Add(bound)
	for !d.keyPublished(cur.Seq) {
		if !time.Now().Before(deadline) {
			if !wait && d.now().Before(cur.Created.Add(d.publishWait)) {
				return nil // just made on this sync: look again next time
			}
			msg := fmt.Sprintf("your new encryption key has not been published: the relay has not put it in a witnessed checkpoint (key %d, made %s); senders may keep sealing to your old key, which is kept meanwhile; tell your organisation admin and the relay operator", cur.Seq, cur.Created.UTC().Format(time.RFC3339))
			d.alert(ctx, AlertKeyUnpublished, msg)
			return fmt.Errorf("%w: %s", ErrKeyNotPublished, msg)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
		if _, err := d.refreshDirectory(ctx, c); err != nil {
			return err
		}
	}
	d.store.ResolveAlertsOfKind(ctx, AlertKeyUnpublished)
	return nil
}

// saveVault rewrites the device vault (atomically) with the current
// secrets, and reloads the parsed keys. The caller holds netMu.
func (d *Device) saveVault() error {
	keys, err := d.secrets.Keys()
	if err != nil {
		return err
	}
	plain, err := d.secrets.Marshal()
	if err != nil {
		return err
	}
	defer clear(plain)
	d.mu.Lock()
	pass := string(d.passphrase)
	d.mu.Unlock()
	if pass == "" {
		return errors.New("save device vault: the device is closed")
	}
	file, err := vault.Seal(plain, pass, d.vaultWF)
	if err != nil {
		return fmt.Errorf("save device vault: %w", err)
	}
	if err := vault.WriteFile(filepath.Join(d.home, VaultFile), file); err != nil {
		return fmt.Errorf("save device vault: %w", err)
	}
	d.keys = keys // guarded by netMu, which the caller holds
	return nil
}

// KeyStatus reports the device's encryption keys as they are now, without
// contacting the relay (Erased is always 0).
func (d *Device) KeyStatus() *KeyStatus {
	d.netMu.Lock() // rotation runs under netMu
	defer d.netMu.Unlock()
	cur := d.secrets.Encryption[0]
	st := &KeyStatus{Seq: cur.Seq, Created: cur.Created, Retained: len(d.secrets.Encryption) - 1}
	st.Recipient, _ = d.secrets.Recipient()
	if e, err := d.Directory().Device(d.secrets.Device); err == nil && e.KeySeq == cur.Seq {
		st.Published = true
	}
	return st
}

// StaleKeys reports a device restored from a backup older than its newest
// published encryption key.
type StaleKeys struct {
	Held      uint64 // newest key in the restored vault
	Published uint64 // newest key the directory named for the device
}

func (s *StaleKeys) String() string {
	return fmt.Sprintf("this device was restored from a backup made before its encryption key %d: "+
		"anything sealed to keys %d to %d (sent to this device after the backup) cannot be opened here and is rejected; "+
		"a new key has been published for what comes next, and a colleague's device can hand over the open cases",
		s.Held+1, s.Held+1, s.Published)
}

// takeStale returns and forgets the stale-key report of the last connection.
func (d *Device) takeStale() *StaleKeys {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.stale
	d.stale = nil
	return s
}

// ChangePassphrase re-encrypts the device vault under a new passphrase,
// which must pass the strength rule (CheckPassphrase), at the release work
// factor or the vault's own, whichever is higher. old must be the
// passphrase the device was unlocked with.
func (d *Device) ChangePassphrase(old, new string) error {
	d.mu.Lock()
	current := string(d.passphrase)
	d.mu.Unlock()
	if current == "" {
		return errors.New("change passphrase: the device is closed")
	}
	if old != current {
		return fmt.Errorf("change passphrase: %w", vault.ErrWrongPassphrase)
	}
	if err := CheckPassphrase(new, d.cfg.Name); err != nil {
		return fmt.Errorf("change passphrase: %w", err)
	}
	wf := max(d.vaultWF, vault.UnlockFloor(nil))
	if err := vault.ChangePassphrase(filepath.Join(d.home, VaultFile), old, new, wf); err != nil {
		return err
	}
	d.mu.Lock()
	clear(d.passphrase)
	d.passphrase = []byte(new)
	d.vaultWF = wf
	d.mu.Unlock()
	return nil
}
