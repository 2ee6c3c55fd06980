package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/protocol/payload"
)

const candidatesUsage = `Usage: saferef [--home HOME] referral candidates --case CASE_ID [--json]

Lists the landlords a circulation of the case's referral would go to: every
landlord whose signed directory entry lists one of the referral's acceptable
districts (and not only districts to avoid). Check the list before
'saferef referral circulate'.`

func (g *globals) referralCandidates(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "referral candidates", candidatesUsage)
	caseFlag := fs.String("case", "", "the case `id` or reference code")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.ParseNoArgs(args, "case"); err != nil {
		return err
	}
	caseRef, err := parseCaseRef("--case", *caseFlag)
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
	orgs, err := d.CirculationCandidates(ctx, caseID)
	if err != nil {
		return explain(err)
	}
	if *asJSON {
		out := make([]orgJSON, 0, len(orgs))
		for _, o := range orgs {
			out = append(out, orgJSON{ID: o.ID.String(), Name: o.Name, Kind: string(o.Kind)})
		}
		return writeJSON(env.Stdout, out)
	}
	if len(orgs) == 0 {
		fmt.Fprintln(env.Stdout, "no landlord has homes in the referral's acceptable districts")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ORGANISATION\tNAME")
	for _, o := range orgs {
		fmt.Fprintf(tw, "%s\t%s\n", o.ID, o.Name)
	}
	return tw.Flush()
}

const approvalTemplateUsage = `Usage: saferef approval template

Prints a complete example approval as JSON, to copy and fill in for
'saferef referral approve --file'. Its case id is all zeros: --case fills it in.`

func (g *globals) approvalTemplate(_ context.Context, env *cli.Env, args []string) error {
	return g.template(env, args, "approval template", approvalTemplateUsage, payload.TypeApproval, nil)
}

// template runs a "... template" command.
func (g *globals) template(env *cli.Env, args []string, name, usage, pt string, edit func(payload.Payload)) error {
	fs, _ := g.flags(env, name, usage)
	if err := fs.ParseNoArgs(args); err != nil {
		return err
	}
	return printTemplate(env, pt, edit)
}

const approveUsage = `Usage: saferef [--home HOME] referral approve --case CASE_ID --file APPROVAL.json
       saferef [--home HOME] referral approve --case CASE_ID --approve --lead NAME --no-suitable-home --will-give-home-back [--reason TEXT]
       saferef [--home HOME] referral approve --case CASE_ID --decline --lead NAME --reason TEXT

For the household's current landlord: answers a referral sent to you for
approval. Approving needs your named lead and both confirmations (no
suitable home in your own stock; you will give a home back to the scheme);
declining needs a reason. The answer goes to the nominating organisation
only. The reason is checked by the disclosure guard.`

func (g *globals) referralApprove(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "referral approve", approveUsage)
	caseFlag := fs.String("case", "", "the case `id` or reference code")
	file := fs.String("file", "", "the approval JSON `file` ('saferef approval template' shows one)")
	approve := fs.Bool("approve", false, "approve the referral")
	decline := fs.Bool("decline", false, "decline the referral (needs --reason)")
	lead := fs.String("lead", "", "your organisation's named lead for the scheme (a member of staff)")
	noHome := fs.Bool("no-suitable-home", false, "confirm there is no suitable home in your own stock")
	giveBack := fs.Bool("will-give-home-back", false, "confirm you will give a home back to the scheme")
	reason := fs.String("reason", "", "the reason (required to decline)")
	if err := fs.ParseNoArgs(args, "case"); err != nil {
		return err
	}
	caseRef, err := parseCaseRef("--case", *caseFlag)
	if err != nil {
		return err
	}
	caseID := caseRef.early()
	var a *payload.Approval
	switch {
	case *file != "" && (*approve || *decline || *lead != "" || *noHome || *giveBack || *reason != ""):
		return cli.Usagef("give either --file or the flags, not both", "--file with answer flags")
	case *file != "":
		p, err := readPayload(payload.TypeApproval, *file, caseID, "saferef approval template")
		if err != nil {
			return err
		}
		a = p.(*payload.Approval)
	case *approve == *decline:
		return cli.Usagef("give --approve or --decline (or --file)", "approve or decline?")
	default:
		a = &payload.Approval{Schema: payload.SchemaVersion, Case: caseID, Approved: *approve,
			NoSuitableHome: *noHome, WillGiveHomeBack: *giveBack, LeadName: *lead, Reason: *reason}
		if err := a.Validate(); err != nil {
			return fieldErrorsHint(err, "approving needs --lead, --no-suitable-home and --will-give-home-back; declining needs --lead and --reason")
		}
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	early := caseID
	if caseID, err = caseRef.resolve(ctx, d); err != nil {
		return err
	}
	if err := settleCase(&a.Case, early, caseID); err != nil {
		return err
	}
	if err := d.Approve(ctx, caseID, a); err != nil {
		return explain(err)
	}
	verb := "approved"
	if !a.Approved {
		verb = "declined"
	}
	fmt.Fprintf(env.Stdout, "%s referral in case %s\n", verb, caseID)
	return nil
}

const circulateUsage = `Usage: saferef [--home HOME] referral circulate --case CASE_ID [--to ORG_ID[,ORG_ID...]]

For the nominating organisation, once the current landlord has approved
(or to widen a circulation before an offer is accepted): sends the case's
referral to the landlords given with --to, or with no --to to every
qualifying landlord it has not yet gone to ('saferef referral candidates'
lists them). A landlord without homes in an acceptable district is refused.
Each landlord gets its own envelope and never learns who else received it.`

func (g *globals) referralCirculate(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "referral circulate", circulateUsage)
	caseFlag := fs.String("case", "", "the case `id` or reference code")
	var to cli.ListFlag
	fs.Var(&to, "to", "landlord organisation `ids or names` (repeat the flag or separate with commas; a unique start of a name will do)")
	if err := fs.ParseNoArgs(args, "case"); err != nil {
		return err
	}
	caseRef, err := parseCaseRef("--case", *caseFlag)
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
	orgs, err := resolveOrgs(d, "to", to)
	if err != nil {
		return err
	}
	if err := d.Circulate(ctx, caseID, orgs); err != nil {
		return explain(err)
	}
	what := "every qualifying landlord"
	if len(to) > 0 {
		what = strings.Join(to, ", ")
	}
	fmt.Fprintf(env.Stdout, "circulated case %s to %s\n", caseID, what)
	return nil
}
