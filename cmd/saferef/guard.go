package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/saferef/saferef/client/guard"
	"github.com/saferef/saferef/cmd/internal/cli"
)

const guardOverrideUsage = `Usage: saferef [--home HOME] guard override --case CASE_ID --match TEXT --reason TEXT

Lets one match of the disclosure guard through in one case, when it is not
identifying: a caseworker writing about "Church Road Surgery" is not stuck.
TEXT is the match exactly as the guard's error quoted it. The override and
its reason are recorded in the case's timeline on this device, and apply to
that match in every field sent from this device in this case. The
household's own details (names, dates of birth, address, phone, email) can
never be let through. Nothing is sent.`

func (g *globals) guardOverride(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "guard override", guardOverrideUsage)
	caseFlag := fs.String("case", "", "the case `id`")
	match := fs.String("match", "", "the flagged `text`, as the guard quoted it")
	reason := fs.String("reason", "", "why it is not identifying")
	if err := fs.ParseNoArgs(args, "case", "match", "reason"); err != nil {
		return err
	}
	caseID, err := parseCaseFlag("--case", *caseFlag)
	if err != nil {
		return err
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	err = d.OverrideGuard(ctx, caseID, *match, *reason)
	if errors.Is(err, guard.ErrOverrideOwnData) {
		return cli.WithHint(err, "reword the text instead: the household's own details never go to an organisation not entitled to them")
	}
	if err != nil {
		return explain(err)
	}
	fmt.Fprintf(env.Stdout, "case %s: the guard lets %q through from now on (recorded in the timeline)\n", caseID, *match)
	return nil
}
