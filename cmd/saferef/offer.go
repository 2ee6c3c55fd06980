package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/protocol/payload"
)

const offerTemplateUsage = `Usage: saferef offer template

Prints a complete example offer of a home as JSON, to copy and fill in for
'saferef offer send', dated from today (available in three weeks, standing
for two: an offer must expire in the future when it is sent; left out,
"expires" becomes today plus 14 days). Its case and offer ids are all zeros: --case fills in
the case and sending gives the offer a new id. Only "address" locates the
home, and it goes to the nominating organisation only; keep the viewing
arrangements and adaptations free of anything that locates it.`

func (g *globals) offerTemplate(_ context.Context, env *cli.Env, args []string) error {
	today, err := templateToday(env)
	if err != nil {
		return err
	}
	return g.template(env, args, "offer template", offerTemplateUsage, payload.TypeOffer, func(p payload.Payload) {
		o := p.(*payload.Offer)
		o.Offer = payload.ID{}
		// Dated from today: an offer must stand into the future when sent.
		o.AvailableFrom = today.AddDate(0, 0, 21).Format(time.DateOnly)
		o.Expires = today.AddDate(0, 0, 14).Format(time.DateOnly)
	})
}

// templateToday is the date templates are dated from: today on this
// device's clock.
func templateToday(env *cli.Env) (time.Time, error) {
	now, err := clock(env)
	if err != nil {
		return time.Time{}, err
	}
	if now == nil {
		return time.Now().UTC(), nil
	}
	return now().UTC(), nil
}

const offerSendUsage = `Usage: saferef [--home HOME] offer send --case CASE_ID --file OFFER.json

For a landlord the referral was circulated to: offers a home. The offer
(with the exact address) goes to the nominating organisation only; no other
landlord learns of it. The viewing arrangements and adaptations are checked
by the disclosure guard. Prints the offer id last: the nominator decides on
it with 'saferef offer decide'.`

func (g *globals) offerSend(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "offer send", offerSendUsage)
	caseFlag := fs.String("case", "", "the case `id` or reference code")
	file := fs.String("file", "", "the offer JSON `file` ('saferef offer template' shows one)")
	if err := fs.ParseNoArgs(args, "case", "file"); err != nil {
		return err
	}
	caseRef, err := parseCaseRef("--case", *caseFlag)
	if err != nil {
		return err
	}
	caseID := caseRef.early()
	p, err := readPayload(payload.TypeOffer, *file, caseID, "saferef offer template")
	if err != nil {
		return err
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
	o := p.(*payload.Offer)
	if err := settleCase(&o.Case, early, caseID); err != nil {
		return err
	}
	id, err := d.SendOffer(ctx, caseID, o)
	switch {
	case errors.Is(err, client.ErrOfferDistrict):
		return cli.WithHint(err, "offer only a home in one of the referral's acceptable districts ('saferef cases show CASE_ID' lists them), never in a district to avoid")
	case errors.Is(err, workflow.ErrOfferExpired):
		return cli.WithHint(err, "set \"expires\" to a date from today on ('saferef offer template' prints one), or leave it out")
	case err != nil:
		return explain(err)
	}
	fmt.Fprintf(env.Stdout, "sent offer in case %s; offer id:\n%s\n", caseID, id)
	return nil
}

const offerDecideUsage = `Usage: saferef [--home HOME] offer decide --case CASE_ID --offer OFFER_ID --accept|--decline [--reason TEXT]

For the nominating organisation: accepts or declines one offer ('saferef
cases show CASE_ID' lists them). The decision goes to the offering landlord
only. Accepting tells every other landlord the referral was circulated to
that it is "filled", and nothing more; then release the household's details
with 'saferef details release'. Declining needs a reason, which is checked by
the disclosure guard.`

func (g *globals) offerDecide(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "offer decide", offerDecideUsage)
	caseFlag := fs.String("case", "", "the case `id` or reference code")
	offerFlag := fs.String("offer", "", "the offer `id`")
	accept := fs.Bool("accept", false, "accept the offer")
	decline := fs.Bool("decline", false, "decline the offer (needs --reason)")
	reason := fs.String("reason", "", "the `reason` (required to decline)")
	if err := fs.ParseNoArgs(args, "case", "offer"); err != nil {
		return err
	}
	caseRef, err := parseCaseRef("--case", *caseFlag)
	if err != nil {
		return err
	}
	var caseID payload.ID
	offer, err := payload.ParseID(*offerFlag)
	if err != nil {
		return cli.Usagef("offer ids are 32 hex digits; 'saferef cases show CASE_ID' lists them", "bad --offer: %v", err)
	}
	if *accept == *decline {
		return cli.Usagef("give --accept or --decline", "accept or decline?")
	}
	if *decline && *reason == "" {
		return cli.Usagef("say why with --reason; the landlord reads it", "declining an offer needs --reason")
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	if caseID, err = caseRef.resolve(ctx, d); err != nil {
		return err
	}
	if err := d.DecideOffer(ctx, caseID, offer, *accept, *reason); err != nil {
		return explain(err)
	}
	if *accept {
		fmt.Fprintf(env.Stdout, "accepted offer %s in case %s; the other landlords are told it is filled\n", offer, caseID)
		fmt.Fprintf(env.Stdout, "next: saferef details release --case %s --file DETAILS.json\n", caseID)
		return nil
	}
	fmt.Fprintf(env.Stdout, "declined offer %s in case %s\n", offer, caseID)
	return nil
}

const offerNoneUsage = `Usage: saferef [--home HOME] offer none --case CASE

As a landlord the referral was circulated to: answer that you have no
suitable home for it. The ask is closed for your organisation; the
nominating organisation is told only that you declined, with no reason
(a reason could identify your stock). Any offer of yours still waiting
for a decision is withdrawn with it. This cannot be undone.`

func (g *globals) offerNone(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "offer none", offerNoneUsage)
	caseFlag := fs.String("case", "", "the case `id` or reference code")
	if err := fs.ParseNoArgs(args, "case"); err != nil {
		return err
	}
	caseRef, err := parseCaseRef("--case", *caseFlag)
	if err != nil {
		return err
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	caseID, err := caseRef.resolve(ctx, d)
	if err != nil {
		return err
	}
	if err := d.NoSuitableHome(ctx, caseID); err != nil {
		return explain(err)
	}
	fmt.Fprintf(env.Stdout, "answered case %s: no suitable home; the nominating organisation is told only that you declined\n", caseID)
	return nil
}
