package main

import (
	"context"
	"fmt"

	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/protocol/payload"
)

const statusSetUsage = `Usage: saferef [--home HOME] status set --case CASE_ID --status signed-up|moved-in|closed|withdrawn [--effective YYYY-MM-DD] [--note TEXT]

Records a change in the case's status and tells the organisations in it:
  signed-up, moved-in  by the accepting landlord, to the nominator
  closed               by the nominator, after the move; an outcome
                       statistic (no person, no case id) also goes to the
                       scheme coordinator
  withdrawn            by the nominator, from any open stage, to every
                       organisation in the case (needs --note, the reason)
--effective defaults to today. The note is checked by the disclosure guard.`

func (g *globals) statusSet(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "status set", statusSetUsage)
	caseFlag := fs.String("case", "", "the case `id` or reference code")
	status := fs.String("status", "", "signed-up, moved-in, closed or withdrawn")
	effective := fs.String("effective", "", "the `date` it took effect, YYYY-MM-DD (default today)")
	note := fs.String("note", "", "a `note` (required to withdraw: the reason)")
	if err := fs.ParseNoArgs(args, "case", "status"); err != nil {
		return err
	}
	caseRef, err := parseCaseRef("--case", *caseFlag)
	if err != nil {
		return err
	}
	var caseID payload.ID
	switch *status {
	case payload.StatusSignedUp, payload.StatusMovedIn, payload.StatusClosed:
	case payload.StatusWithdrawn:
		if *note == "" {
			return cli.Usagef("say why with --note", "withdrawing a referral needs a reason")
		}
	case payload.StatusFilled:
		return cli.Usagef("accepting an offer tells the other landlords; use 'saferef offer decide'", "%q is sent by the client, not set by hand", *status)
	default:
		return cli.Usagef("use --status signed-up, moved-in, closed or withdrawn", "unknown status %q", *status)
	}
	eff, err := parseDate("effective", *effective)
	if err != nil {
		return err
	}
	now, err := clock(env)
	if err != nil {
		return err
	}
	if eff == "" {
		eff = today(now)
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	if caseID, err = caseRef.resolve(ctx, d); err != nil {
		return err
	}
	if err := d.SetStatus(ctx, caseID, *status, eff, *note); err != nil {
		return explain(err)
	}
	fmt.Fprintf(env.Stdout, "case %s: %s (effective %s)\n", caseID, *status, eff)
	return nil
}
