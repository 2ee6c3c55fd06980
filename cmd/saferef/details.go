package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

const detailsTemplateUsage = `Usage: saferef details template

Prints complete example household details as JSON (every value invented),
to copy and fill in for 'saferef details release'. Its case id is all zeros:
--case fills it in. sharing_basis records the household's consent ("basis":
"consent") or the legal basis for sharing without it ("basis":
"legal-basis" with "legal_basis" naming the law), who recorded it and when
(Unix seconds).`

func (g *globals) detailsTemplate(_ context.Context, env *cli.Env, args []string) error {
	return g.template(env, args, "details template", detailsTemplateUsage, payload.TypeHouseholdDetails, nil)
}

const detailsReleaseUsage = `Usage: saferef [--home HOME] details release --case CASE_ID --file DETAILS.json [--to ORG_ID] [--confirm-readers DIGEST]

For the nominating organisation, after accepting an offer: releases the
household's details (names, dates of birth, address, safe contact, risk
notes, support worker) to the accepting landlord only, and only with a
recorded consent or legal basis in the file's sharing_basis.

Without --confirm-readers it sends nothing: it prints every device that
will be able to read the details (organisation, device name, fingerprint)
and a digest of that list, and exits 1. Check the list, then run the command
again with --confirm-readers DIGEST; if the list changed in between, the
release is refused. --to, if given, must be the accepting landlord: a check
that you are releasing to the landlord you think you are.`

func (g *globals) detailsRelease(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "details release", detailsReleaseUsage)
	caseFlag := fs.String("case", "", "the case `id`")
	file := fs.String("file", "", "the household details JSON `file` ('saferef details template' shows one)")
	toFlag := fs.String("to", "", "the accepting landlord's organisation `id` (checked, optional)")
	confirm := fs.String("confirm-readers", "", "the readers `digest` printed by a run without this flag")
	if err := fs.ParseNoArgs(args, "case", "file"); err != nil {
		return err
	}
	caseID, err := parseCaseFlag("--case", *caseFlag)
	if err != nil {
		return err
	}
	var to crypto.OrgID
	if *toFlag != "" {
		if to, err = crypto.ParseOrgID(*toFlag); err != nil {
			return cli.Usagef("organisation ids are 32 hex digits", "bad --to: %v", err)
		}
	}
	p, err := readPayload(payload.TypeHouseholdDetails, *file, caseID, "saferef details template")
	if err != nil {
		return err
	}
	h := p.(*payload.HouseholdDetails)
	if err := h.ValidateForRelease(); err != nil {
		return fieldErrorsHint(err, "record the household's consent (or the legal basis for sharing without it) in sharing_basis; 'saferef details template' shows one")
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	readers, digest, err := d.DetailsReaders(ctx, caseID)
	if err != nil {
		return explain(err)
	}
	if *toFlag != "" {
		if err := checkReadersOrg(d.Org(), to, readers); err != nil {
			return err
		}
	}
	if *confirm == "" {
		printReaders(env, readers, digest)
		return cli.WithHint(errors.New("household details not sent: confirm who will be able to read them"),
			fmt.Sprintf("check every device above, then run the command again with --confirm-readers %s", digest))
	}
	if err := d.ReleaseDetails(ctx, caseID, h, *confirm); err != nil {
		return explain(err)
	}
	fmt.Fprintf(env.Stdout, "released household details in case %s to %d device(s):\n", caseID, len(readers))
	printReaderTable(env, readers)
	return nil
}

// checkReadersOrg refuses a release whose readers (apart from this
// organisation's own devices) are not all at the landlord the user named.
func checkReadersOrg(self, want crypto.OrgID, readers []client.Reader) error {
	for _, r := range readers {
		if r.Org != self && r.Org != want {
			name := r.OrgName
			if name == "" {
				name = r.Org.String()
			}
			return cli.WithHint(fmt.Errorf("household details go only to the accepting landlord, %s (%s), not to %s", name, r.Org, want),
				"check the case with 'saferef cases show CASE_ID'; nothing was sent")
		}
	}
	if want == self {
		return cli.WithHint(fmt.Errorf("--to %s is your own organisation, not the accepting landlord", want), "nothing was sent")
	}
	return nil
}

func printReaders(env *cli.Env, readers []client.Reader, digest string) {
	fmt.Fprintln(env.Stdout, "these devices will be able to read the household's details:")
	printReaderTable(env, readers)
	fmt.Fprintf(env.Stdout, "readers digest: %s\n", digest)
}

func printReaderTable(env *cli.Env, readers []client.Reader) {
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ORGANISATION\tDEVICE\tFINGERPRINT")
	for _, r := range readers {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", r.OrgName, r.DeviceName, r.Fingerprint)
	}
	tw.Flush()
}
