package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/recoverykey"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
)

// Environment variables for scripted backups and restores.
const (
	// envBackupPassphrase chooses a backup passphrase instead of a
	// recovery key (with --passphrase), without a terminal.
	envBackupPassphrase = "SAFEREF_BACKUP_PASSPHRASE"
	// envRecoveryKey gives restore the recovery key or backup passphrase.
	envRecoveryKey = "SAFEREF_RECOVERY_KEY"
)

const backupUsage = `Usage: saferef [--home HOME] backup --out FILE [--passphrase]

Writes an encrypted backup of this device to FILE (which must not exist):
its vault, its sealed settings and a copy of its case store. By default the
backup is protected by a new recovery key of 12 words, printed once: write
it down and keep it apart from the laptop. With --passphrase you choose a
passphrase instead (asked twice, or from ` + envBackupPassphrase + `); it
must pass the same strength rule as the device passphrase. Restoring also
needs the device passphrase, as unlocking does now.`

func (g *globals) backup(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "backup", backupUsage)
	out := fs.String("out", "", "backup `file` to write")
	usePass := fs.Bool("passphrase", false, "protect the backup with a passphrase you choose instead of a recovery key")
	if err := fs.ParseNoArgs(args); err != nil {
		return err
	}
	if *out == "" {
		return cli.Usagef("give the file to write, e.g. --out saferef-backup.age", "no --out file")
	}
	if _, err := os.Lstat(*out); err == nil {
		return cli.WithHint(fmt.Errorf("%s already exists", *out), "choose a new file name: a backup never overwrites a file")
	}
	var secret string
	if *usePass {
		penv := *env
		penv.Getenv = func(k string) string {
			if k == cli.EnvPassphrase {
				return env.Getenv(envBackupPassphrase)
			}
			return env.Getenv(k)
		}
		p, err := penv.NewPassphrase("the backup")
		if err != nil {
			return err
		}
		secret = p
	} else {
		k, err := recoverykey.New()
		if err != nil {
			return err
		}
		secret = k
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	f, err := os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+".tmp-*")
	if err != nil {
		return cli.WithHint(fmt.Errorf("write backup: %w", err), "check that the folder exists and you can write to it")
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	m, err := d.Backup(ctx, f, client.BackupOptions{Secret: secret, WorkFactor: env.WorkFactor()})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Link(tmp, *out); err != nil {
		return cli.WithHint(fmt.Errorf("write backup: %w", err), "choose a new file name: a backup never overwrites a file")
	}
	fmt.Fprintf(env.Stdout, "backup of %s written to %s (%s)\n", m.Name, *out, m.Created.Format("2 Jan 2006 15:04 MST"))
	if !*usePass {
		fmt.Fprintln(env.Stdout, "recovery key (write it down now: it is shown only once and is not stored anywhere):")
		fmt.Fprintf(env.Stdout, "  %s\n", secret)
	}
	return nil
}

const restoreUsage = `Usage: saferef [--home HOME] restore --from FILE

Brings a device back from a backup made with 'saferef backup', into HOME
(which must not hold a device). Asks for the recovery key or the backup
passphrase (or reads it from ` + envRecoveryKey + `). Then run 'saferef sync'
with the device passphrase: the device catches up with what the relay holds
for it. A backup older than the device's newest encryption key cannot open
what was sent to that key; sync says so.`

func (g *globals) restore(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "restore", restoreUsage)
	from := fs.String("from", "", "backup `file` to restore")
	if err := fs.ParseNoArgs(args); err != nil {
		return err
	}
	if *from == "" {
		return cli.Usagef("give the backup file, e.g. --from saferef-backup.age", "no --from file")
	}
	if client.IsHome(*home) {
		return cli.WithHint(fmt.Errorf("%s already holds a device", *home), "restore into a new --home, or move the existing home away first")
	}
	f, err := os.Open(*from)
	if err != nil {
		return cli.WithHint(fmt.Errorf("open backup: %w", err), "check the path of the backup file")
	}
	defer f.Close()
	secret := strings.TrimSpace(env.Getenv(envRecoveryKey))
	if secret == "" {
		if env.ReadPassword == nil {
			return cli.WithHint(errors.New("no terminal to ask for the recovery key"),
				"run it in a terminal, or set "+envRecoveryKey+" for scripts")
		}
		if secret, err = env.ReadPassword("recovery key (12 words) or backup passphrase: "); err != nil {
			return err
		}
	}
	m, err := client.Restore(ctx, f, *home, secret)
	if err != nil {
		switch {
		case errors.Is(err, client.ErrBackupSecret):
			return cli.WithHint(err, "type the 12 words exactly as written down (case and spacing do not matter), or the backup passphrase")
		case errors.Is(err, client.ErrBadBackup):
			return cli.WithHint(err, "this file is damaged or is not a saferef backup: try another copy")
		}
		return err
	}
	fmt.Fprintf(env.Stdout, "restored %s from its backup of %s into %s\n", m.Name, m.Created.Format("2 Jan 2006 15:04 MST"), *home)
	fmt.Fprintln(env.Stdout, "next: run 'saferef sync' with the device passphrase to catch up")
	return nil
}

const handoverUsage = `Usage: saferef [--home HOME] handover --to DEVICE

Hands every open case on this device, and every draft referral, to a
colleague's device of your organisation (DEVICE is its device id, from
'saferef-admin device list' or the colleague's enrolment). The colleague's
device receives the original signed packets on its next sync and checks
every sender's signature itself. Do this before your admin revokes your
device when you leave (docs/ADMIN.md, "Staff leaving"). Newly approved
devices get the open cases without this command, from every colleague's
next sync.`

func (g *globals) handover(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "handover", handoverUsage)
	to := fs.String("to", "", "the colleague's device `id`")
	if err := fs.ParseNoArgs(args); err != nil {
		return err
	}
	dev, err := crypto.ParseDeviceID(strings.TrimSpace(*to))
	if err != nil {
		return cli.Usagef("give the colleague's device id (32 letters and digits) with --to", "bad --to: %v", err)
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	res, err := d.HandOver(ctx, dev)
	if errors.Is(err, client.ErrNoRecipients) {
		return cli.WithHint(err, "check the id with 'saferef-admin device list': it must be an approved, current device of your organisation")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "handed %d case(s), %d packet(s), to device %s\n", res.Cases, res.Packets, res.To)
	return nil
}

// envNewPassphrase gives 'passphrase change' the new passphrase without a
// terminal (SAFEREF_PASSPHRASE holds the current one).
const envNewPassphrase = "SAFEREF_NEW_PASSPHRASE"

const passphraseChangeUsage = `Usage: saferef [--home HOME] passphrase change

Changes the passphrase of this device's vault. Asks for the current one
(or reads SAFEREF_PASSPHRASE) and the new one twice (or reads
` + envNewPassphrase + `). The new passphrase must pass the same strength
rule as at enrolment.`

func (g *globals) passphraseChange(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "passphrase change", passphraseChangeUsage)
	if err := fs.ParseNoArgs(args); err != nil {
		return err
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	old, err := env.Passphrase("the device vault in " + *home)
	if err != nil {
		return err
	}
	penv := *env
	penv.Getenv = func(k string) string {
		if k == cli.EnvPassphrase {
			return env.Getenv(envNewPassphrase)
		}
		return env.Getenv(k)
	}
	newPass, err := penv.NewPassphrase("the device vault in " + *home)
	if err != nil {
		return err
	}
	if err := d.ChangePassphrase(old, newPass); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "passphrase changed")
	return nil
}
