package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/guard"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/protocol/payload"
)

const templateUsage = `Usage: saferef referral template

Prints a complete example referral (a household's needs profile, with no
identifying details) as JSON, to copy and fill in. Its case id and case
nonce are all zeros, which 'saferef referral send' replaces with new ones
(the case id is derived from your organisation and the nonce). If the household's
current landlord is in the scheme, add "current_landlord_org" with that
landlord's organisation id: the referral then goes to it for approval first.`

func (g *globals) referralTemplate(_ context.Context, env *cli.Env, args []string) error {
	fs, _ := g.flags(env, "referral template", templateUsage)
	if err := fs.ParseNoArgs(args); err != nil {
		return err
	}
	r := payload.ExampleReferral()
	// A template must not fix a case id: send assigns the case id and its
	// nonce together (payload.CaseIDFor).
	r.Case, r.CaseNonce = payload.ID{}, payload.ID{}
	// Nor a placeholder landlord: the household's current landlord, if it
	// is in the scheme, is for the caseworker to fill in.
	r.CurrentLandlordOrg = payload.ID{}
	// Dated from today.
	today, err := templateToday(env)
	if err != nil {
		return err
	}
	r.NeededBy = today.AddDate(0, 0, 42).Format(time.DateOnly)
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("print template: %w", err)
	}
	fmt.Fprintf(env.Stdout, "%s\n", b)
	return nil
}

const sendUsage = `Usage: saferef [--home HOME] referral send [--to ORG_ID[,ORG_ID...]] --file REFERRAL.json --household DETAILS.json [--again]

Validates the referral in REFERRAL.json (every field problem is listed),
gives it a new case id and case nonce if it has no case id, checks its free-text fields with the
disclosure guard, and sends it end-to-end encrypted. Prints the case id last.

When the referral names the household's current landlord
(current_landlord_org), it goes to that landlord only, for approval: leave
--to out and circulate after approval ('saferef referral circulate').
Otherwise it is circulated at once: to the landlords given with --to (each
must have homes in an acceptable district, none only in districts to avoid),
or with no --to to every landlord that qualifies. Each organisation gets its
own envelope, so none learns who else received it.

--household names the household's details file (as 'saferef details template'
prints; sharing_basis may be left empty until release). It is required for
a new referral: the details are kept sealed on this device and on your
organisation's other devices, sent to nobody else until you release them
to the landlord whose offer you accept, and every later send in the case
(the referral, messages, reasons, notes, offers, attachment names) is
checked against them, so that the household's names, dates of birth,
address and contact details are refused anywhere.

If an open case of your organisation already has the referral's reference,
nothing is sent unless --again confirms that a second case is meant.`

func (g *globals) referralSend(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "referral send", sendUsage)
	var to cli.ListFlag
	fs.Var(&to, "to", "recipient organisation `ids or names` (repeat the flag or separate with commas; a unique start of a name will do)")
	file := fs.String("file", "", "the referral JSON `file` ('saferef referral template' shows one)")
	household := fs.String("household", "", "the household details JSON `file` (kept on this device, not sent)")
	again := fs.Bool("again", false, "send even though an open case already has this reference")
	if err := fs.ParseNoArgs(args, "file"); err != nil {
		return err
	}
	r, err := readReferral(*file)
	if err != nil {
		return err
	}
	now, err := clock(env)
	if err != nil {
		return err
	}
	var h *payload.HouseholdDetails
	switch {
	case *household != "":
		if h, err = checkAgainstHousehold(*household, r, now); err != nil {
			return err
		}
	case r.Case.IsZero():
		return cli.Usagef("'saferef details template > household.json' writes one to fill in; it stays on this device",
			"a new referral needs the household's details: give --household FILE")
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	orgs, err := resolveOrgs(d, "to", to)
	if err != nil {
		return err
	}
	caseID, err := d.SendReferral(ctx, orgs, r, client.ReferralOptions{Household: h, Again: *again})
	if errors.Is(err, client.ErrDuplicateReference) {
		return cli.WithHint(err, "check 'saferef cases list --reference "+r.Reference+"'; if a second case is meant, run the command again with --again")
	}
	if err != nil {
		return explain(err)
	}
	fmt.Fprintln(env.Stdout, caseID)
	return nil
}

// checkAgainstHousehold reads the household details in path and runs the
// disclosure guard over the referral's anonymous fields with them, before
// the vault is opened (the core checks again before sending). It returns
// the details.
func checkAgainstHousehold(path string, r *payload.Referral, now func() time.Time) (*payload.HouseholdDetails, error) {
	caseID := r.Case
	if r.Case.IsZero() {
		// A new case gets its id when sent; the details are only read
		// here, so any id stands in for it.
		caseID = payload.NewID()
	}
	p, err := readPayload(payload.TypeHouseholdDetails, path, caseID, "saferef details template")
	if err != nil {
		return nil, err
	}
	h := p.(*payload.HouseholdDetails)
	if err := h.Validate(); err != nil {
		return nil, fieldErrorsHint(err, "fix the household details file; 'saferef details template' prints a complete example")
	}
	today := time.Now()
	if now != nil {
		today = now()
	}
	if err := explain(guard.Verify(guardFields(r.AnonymousFields()), householdOf(h), today)); err != nil {
		return nil, err
	}
	return h, nil
}

// guardFields converts payload fields for the disclosure guard.
func guardFields(fs []payload.Field) []guard.Field {
	out := make([]guard.Field, len(fs))
	for i, f := range fs {
		out[i] = guard.Field{Name: f.Name, Value: f.Value}
	}
	return out
}

// householdOf is what the disclosure guard looks for from household details.
func householdOf(h *payload.HouseholdDetails) *guard.Household {
	g := &guard.Household{Names: h.Names, DatesOfBirth: h.DatesOfBirth, Address: h.CurrentAddress}
	if h.SafeContact.Phone != "" {
		g.Phones = append(g.Phones, h.SafeContact.Phone)
	}
	if h.SafeContact.Email != "" {
		g.Emails = append(g.Emails, h.SafeContact.Email)
	}
	for _, s := range []string{h.RiskNotes, h.SupportWorker, h.SafeContact.SafeToCall} {
		if s != "" {
			g.Passages = append(g.Passages, s)
		}
	}
	return g
}

// readReferral reads a referral from JSON strictly and validates it; a
// zero or missing schema is filled in. A zero or missing case id is left
// zero for SendReferral to assign with a new nonce (the id derives from
// this organisation, which the file does not name).
func readReferral(path string) (*payload.Referral, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, cli.WithHint(fmt.Errorf("read referral: %w", err), "'saferef referral template > referral.json' writes one to fill in")
	}
	if len(b) > payload.MaxSize {
		return nil, fmt.Errorf("read referral %s: larger than %d bytes", path, payload.MaxSize)
	}
	var r payload.Referral
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, cli.WithHint(fmt.Errorf("read referral %s: %v", path, err),
			"the file must be one JSON object with the fields of 'saferef referral template'")
	}
	if dec.More() {
		return nil, fmt.Errorf("read referral %s: data after the JSON object", path)
	}
	if r.Schema == 0 {
		r.Schema = payload.SchemaVersion
	}
	check := r
	if r.Case.IsZero() {
		// Validate everything else now; send assigns both.
		check.Case, check.CaseNonce = payload.ID{1}, payload.ID{1}
	}
	if err := check.Validate(); err != nil {
		return nil, fieldErrors(err)
	}
	return &r, nil
}

const messageUsage = `Usage: saferef [--home HOME] message send --case CASE_ID --text TEXT

Sends a case message, end-to-end encrypted, and records it here. Messages
go hub and spoke: the nominating organisation writes to every organisation
in the case, any other organisation to the nominator only (and always to
your colleagues' devices). Every message is checked by the disclosure guard
first, whether it goes to one organisation or several, unless it goes only
to the landlord the household's details were released to.`

func (g *globals) messageSend(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "message send", messageUsage)
	caseFlag := fs.String("case", "", "the case `id` or reference code")
	text := fs.String("text", "", "the message `text`")
	if err := fs.ParseNoArgs(args, "case", "text"); err != nil {
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
	id, err := d.SendMessage(ctx, caseID, *text)
	if err != nil {
		return explain(err)
	}
	fmt.Fprintf(env.Stdout, "sent message %s in case %s\n", id, caseID)
	return nil
}
