package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/protocol/payload"
)

// EnvExportPassphrase supplies the passphrase a case export is encrypted
// to, for scripts; otherwise it is asked for twice on the terminal.
const EnvExportPassphrase = "SAFEREF_EXPORT_PASSPHRASE"

const readUsage = `Usage: saferef [--home HOME] cases read CASE_ID

Marks every packet received in the case as read by you, and sends each
sender's organisation a signed read receipt (which device opened it, when).
Run it once you have read the case ('saferef cases show').`

func (g *globals) casesRead(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "cases read", readUsage)
	arg, err := fs.ParseOneArg(args, "CASE_ID")
	if err != nil {
		return err
	}
	caseRef, err := parseCaseRef("case id", arg)
	if err != nil {
		return err
	}
	var caseID payload.ID
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	if caseID, err = caseRef.resolve(ctx, d); err != nil {
		return err
	}
	if err := d.MarkRead(ctx, caseID); err != nil {
		return explain(err)
	}
	fmt.Fprintf(env.Stdout, "marked case %s read; read receipts sent\n", caseID)
	return nil
}

const exportUsage = `Usage: saferef [--home HOME] cases export CASE_ID --out FILE

Writes one whole case (referral, offers, details held, messages, receipts,
history) to FILE, encrypted to a passphrase of your choice, for a records
request. The passphrase is asked for twice on the terminal, or taken from
SAFEREF_EXPORT_PASSPHRASE. An existing FILE is not overwritten.`

func (g *globals) casesExport(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "cases export", exportUsage)
	out := fs.String("out", "", "the `file` to write")
	arg, err := fs.ParseOneArg(args, "CASE_ID", "out")
	if err != nil {
		return err
	}
	caseRef, err := parseCaseRef("case id", arg)
	if err != nil {
		return err
	}
	var caseID payload.ID
	if _, err := os.Lstat(*out); err == nil {
		return cli.WithHint(fmt.Errorf("export: %s already exists", *out), "choose another --out, or remove the file first")
	}
	pass := env.Getenv(EnvExportPassphrase)
	if pass == "" {
		if env.ReadPassword == nil {
			return cli.WithHint(errors.New("no terminal to ask for the export passphrase"),
				"run it in a terminal, or set "+EnvExportPassphrase+" for scripts")
		}
		if pass, err = env.ReadPassword("new passphrase for the export: "); err != nil {
			return err
		}
		again, err := env.ReadPassword("confirm passphrase for the export: ")
		if err != nil {
			return err
		}
		if pass == "" || again != pass {
			return cli.WithHint(errors.New("export passphrases empty or do not match"), "run the command again and type the same passphrase twice")
		}
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	if caseID, err = caseRef.resolve(ctx, d); err != nil {
		return err
	}
	b, err := d.ExportCase(ctx, caseID, pass)
	if err != nil {
		return explain(err)
	}
	if err := writeNew(*out, b); err != nil {
		return fmt.Errorf("export case %s: %w", caseID, err)
	}
	fmt.Fprintf(env.Stdout, "exported case %s, encrypted to your passphrase, to\n%s\n", caseID, *out)
	return nil
}

const shredUsage = `Usage: saferef [--home HOME] cases shred-expired

Crypto-shreds every closed, withdrawn or filled case whose retention period
has passed: its key is erased, its rows removed and the database vacuumed,
so nothing of it can be recovered from this device. 'saferef sync' does this
too. Prints how many cases were shredded.`

func (g *globals) casesShredExpired(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "cases shred-expired", shredUsage)
	if err := fs.ParseNoArgs(args); err != nil {
		return err
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	n, err := d.ShredExpired(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "shredded %d case(s)\n", n)
	return nil
}

const retentionUsage = `Usage: saferef [--home HOME] cases retention [--set-days N]

Prints how long this device keeps closed, withdrawn and filled cases before
crypto-shredding them, or with --set-days sets it (at least 1 day). Your
organisation admin may set it for every device of the organisation.`

func (g *globals) casesRetention(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "cases retention", retentionUsage)
	days := fs.Int("set-days", 0, "set the retention period to `N` days")
	if err := fs.ParseNoArgs(args); err != nil {
		return err
	}
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "set-days" })
	if set && *days < 1 {
		return cli.Usagef("give a whole number of days, at least 1", "bad --set-days %d", *days)
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	if set {
		if err := d.SetRetention(ctx, time.Duration(*days)*24*time.Hour); err != nil {
			return err
		}
	}
	r, err := d.Retention(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "retention: %d days\n", int(r/(24*time.Hour)))
	return nil
}
