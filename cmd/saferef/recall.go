package main

import (
	"context"
	"fmt"

	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/protocol/payload"
)

const recallUsage = `Usage: saferef [--home HOME] recall --case CASE_ID --envelope ENVELOPE_ID[,ENVELOPE_ID...] [--reason TEXT]

Asks every device that received the envelopes (packets this organisation
sent in error) to shred them. Honest devices do, and answer with a signed
recall receipt, shown by 'saferef cases show CASE_ID'; a recall cannot reach
into a device that will not cooperate. The reason is checked by the
disclosure guard.`

func (g *globals) recall(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "recall", recallUsage)
	caseFlag := fs.String("case", "", "the case `id` or reference code")
	var envs cli.ListFlag
	fs.Var(&envs, "envelope", "envelope `ids` to recall (repeat the flag or separate with commas)")
	reason := fs.String("reason", "", "the `reason` (optional)")
	if err := fs.ParseNoArgs(args, "case", "envelope"); err != nil {
		return err
	}
	caseRef, err := parseCaseRef("--case", *caseFlag)
	if err != nil {
		return err
	}
	var caseID payload.ID
	ids, err := parseEnvelopes("envelope", envs)
	if err != nil {
		return err
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	if caseID, err = caseRef.resolve(ctx, d); err != nil {
		return err
	}
	if err := d.Recall(ctx, caseID, ids, *reason); err != nil {
		return explain(err)
	}
	fmt.Fprintf(env.Stdout, "recalled %d envelope(s) in case %s; recall receipts arrive with 'saferef sync'\n", len(ids), caseID)
	return nil
}
