package client

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"

	"github.com/saferef/saferef/client/recoverykey"
	"github.com/saferef/saferef/crypto/vault"
)

// A device backup is one binary age file, encrypted with a single scrypt
// passphrase stanza: the passphrase is either a recovery key (package
// client/recoverykey: twelve words, printed once) or a passphrase the user
// chose, which must pass the strength rule. Inside is a tar archive of
// regular files, in this order:
//
//	saferef-backup.json  manifest: format, creation time, device, organisation, newest key
//	device.vault         the vault, still under the device passphrase
//	config.sealed        the sealed config
//	scheme.json          the pinned scheme
//	contacts.sealed      the sealed contacts (when there are any)
//	cases.db             a consistent copy of the case store (VACUUM INTO), encrypted as on disk
//
// Restoring needs the recovery key (or backup passphrase) to open the file
// and then, as before, the device passphrase to unlock the device. The
// archive reader accepts only these names, once each, as regular files,
// each within its size cap.

// BackupFormat names the backup manifest's format.
const BackupFormat = "saferef-backup/v1"

const (
	backupManifestName = "saferef-backup.json"
	maxBackupCases     = 8 << 30
	maxBackupSmall     = 16 << 20
)

// Errors callers branch on.
var (
	// ErrBadBackup means a backup file opened but its contents are not a
	// device backup.
	ErrBadBackup = errors.New("not a saferef device backup")
	// ErrBackupSecret means the recovery key or backup passphrase does not
	// open the backup.
	ErrBackupSecret = errors.New("the recovery key or passphrase does not open this backup")
)

// BackupManifest describes a backup.
type BackupManifest struct {
	Format  string    `json:"format"`
	Created time.Time `json:"created"`
	Device  string    `json:"device"`
	Org     string    `json:"org"`
	Name    string    `json:"name"`
	KeySeq  uint64    `json:"key_seq"` // the newest encryption key in the vault
}

// BackupOptions tune Backup.
type BackupOptions struct {
	// Secret protects the backup: a recovery key (recoverykey.New) or a
	// passphrase the user chose, which must pass CheckPassphrase.
	Secret string
	// WorkFactor is the scrypt work factor; 0 means vault.DefaultWorkFactor.
	WorkFactor int
}

// backupFiles are the home files a backup carries, in archive order,
// with their size caps; cases.db is added from a snapshot.
var backupFiles = []struct {
	name     string
	optional bool
	max      int64
}{
	{VaultFile, false, vault.MaxFileSize},
	{ConfigFile, false, maxConfigSize + 64},
	{SchemeFile, false, maxSchemeSize},
	{ContactsFile, true, maxContactsFile},
}

// Backup writes an encrypted backup of the device (vault, sealed files and
// a consistent copy of the case store) to w. The device stays open and
// usable.
func (d *Device) Backup(ctx context.Context, w io.Writer, o BackupOptions) (*BackupManifest, error) {
	if !recoverykey.Looks(o.Secret) {
		if err := CheckPassphrase(o.Secret, d.cfg.Name); err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
	}
	wf := o.WorkFactor
	if wf == 0 {
		wf = vault.DefaultWorkFactor
	}
	tmp, err := os.MkdirTemp("", "saferef-backup-")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)
	snap := filepath.Join(tmp, CasesFile)
	if err := d.store.Snapshot(ctx, snap); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	d.mu.Lock()
	m := &BackupManifest{Format: BackupFormat, Created: d.now().UTC().Truncate(time.Second), Device: d.cfg.Device,
		Org: d.cfg.Org, Name: d.cfg.Name, KeySeq: d.secrets.Encryption[0].Seq}
	d.mu.Unlock()
	mb, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	r, err := age.NewScryptRecipient(o.Secret)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	r.SetWorkFactor(wf)
	aw, err := age.Encrypt(w, r)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	tw := tar.NewWriter(aw)
	add := func(name string, size int64, src io.Reader) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: size, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
			return err
		}
		_, err := io.Copy(tw, src)
		return err
	}
	if err := add(backupManifestName, int64(len(mb)), bytes.NewReader(mb)); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	for _, f := range backupFiles {
		b, err := readLimited(filepath.Join(d.home, f.name), f.max)
		if errors.Is(err, os.ErrNotExist) && f.optional {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
		if err := add(f.name, int64(len(b)), bytes.NewReader(b)); err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
	}
	sf, err := os.Open(snap)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer sf.Close()
	fi, err := sf.Stat()
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := add(CasesFile, fi.Size(), sf); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := aw.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	return m, nil
}

// Restore opens a backup with its recovery key or passphrase and writes
// the device back into home, which must not hold a device. It returns the
// backup's manifest. The restored device then unlocks with its device
// passphrase as before, and its next Sync catches up with what the relay
// still holds for it (see SyncResult.StaleKeys for what a backup older
// than the device's newest key cannot open).
func Restore(ctx context.Context, r io.Reader, home, secret string) (*BackupManifest, error) {
	if k, err := recoverykey.Normalize(secret); err == nil {
		secret = k
	}
	if secret == "" {
		return nil, fmt.Errorf("restore: %w: empty", ErrBackupSecret)
	}
	id, err := age.NewScryptIdentity(secret)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	id.SetMaxWorkFactor(vault.MaxWorkFactor)
	ar, err := age.Decrypt(r, id)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return nil, fmt.Errorf("restore: %w", ErrBackupSecret)
		}
		return nil, fmt.Errorf("restore: %w: %v", ErrBadBackup, err)
	}
	if err := makeHome(home); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	staging, err := os.MkdirTemp(home, ".restore-")
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	defer os.RemoveAll(staging)
	m, names, err := readBackupArchive(ctx, ar, staging)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	// Move the files into place, the vault last: a home counts as enrolled
	// once its vault is there.
	for i := len(names) - 1; i >= 0; i-- {
		if names[i] == VaultFile {
			names = append(append(names[:i:i], names[i+1:]...), VaultFile)
			break
		}
	}
	for _, n := range names {
		if err := os.Rename(filepath.Join(staging, n), filepath.Join(home, n)); err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
	}
	if err := syncDir(home); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	return m, nil
}

// readBackupArchive reads the tar archive of a backup into dir, checking
// every header, and returns the manifest and the names written.
func readBackupArchive(ctx context.Context, r io.Reader, dir string) (*BackupManifest, []string, error) {
	caps := map[string]int64{backupManifestName: 64 << 10, CasesFile: maxBackupCases}
	for _, f := range backupFiles {
		caps[f.name] = f.max
	}
	tr := tar.NewReader(r)
	seen := map[string]bool{}
	var names []string
	var m *BackupManifest
	for {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrBadBackup, err)
		}
		limit, ok := caps[h.Name]
		if !ok || h.Typeflag != tar.TypeReg || seen[h.Name] {
			return nil, nil, fmt.Errorf("%w: unexpected entry %q", ErrBadBackup, h.Name)
		}
		if h.Size < 0 || h.Size > limit {
			return nil, nil, fmt.Errorf("%w: %s is %d bytes", ErrBadBackup, h.Name, h.Size)
		}
		seen[h.Name] = true
		if h.Name == backupManifestName {
			if len(names) > 0 || m != nil {
				return nil, nil, fmt.Errorf("%w: manifest not first", ErrBadBackup)
			}
			b, err := io.ReadAll(io.LimitReader(tr, limit))
			if err != nil {
				return nil, nil, fmt.Errorf("%w: %v", ErrBadBackup, err)
			}
			var mm BackupManifest
			if err := decodeStrictJSON(b, &mm); err != nil || mm.Format != BackupFormat {
				return nil, nil, fmt.Errorf("%w: bad manifest", ErrBadBackup)
			}
			m = &mm
			continue
		}
		if m == nil {
			return nil, nil, fmt.Errorf("%w: no manifest", ErrBadBackup)
		}
		f, err := os.OpenFile(filepath.Join(dir, h.Name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, nil, err
		}
		n, err := io.Copy(f, io.LimitReader(tr, limit))
		if err == nil && n != h.Size {
			err = fmt.Errorf("%w: %s truncated", ErrBadBackup, h.Name)
		}
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			if !errors.Is(err, ErrBadBackup) {
				err = fmt.Errorf("%w: %v", ErrBadBackup, err)
			}
			return nil, nil, err
		}
		names = append(names, h.Name)
	}
	if m == nil {
		return nil, nil, fmt.Errorf("%w: no manifest", ErrBadBackup)
	}
	for _, need := range []string{VaultFile, ConfigFile, SchemeFile, CasesFile} {
		if !seen[need] {
			return nil, nil, fmt.Errorf("%w: no %s", ErrBadBackup, need)
		}
	}
	return m, names, nil
}

// syncDir makes renames in dir durable (a no-op where directories cannot
// be synced).
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
