package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

const templateUsage = `Usage: saferef referral template

Prints a complete example referral (a household's needs profile, with no
identifying details) as JSON, to copy and fill in. Its case id is all zeros,
which 'saferef referral send' replaces with a new one.`

func (g *globals) referralTemplate(_ context.Context, env *cli.Env, args []string) error {
	fs, _ := g.flags(env, "referral template", templateUsage)
	pos, err := fs.Parse(args)
	if err != nil {
		return err
	}
	if err := fs.NArgs(pos, 0, ""); err != nil {
		return err
	}
	r := payload.ExampleReferral()
	r.Case = payload.ID{} // a template must not fix a case id: send assigns one
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("print template: %w", err)
	}
	fmt.Fprintf(env.Stdout, "%s\n", b)
	return nil
}

const sendUsage = `Usage: saferef [--home HOME] referral send --to ORG_ID[,ORG_ID...] --file REFERRAL.json

Validates the referral in REFERRAL.json (every field problem is listed),
gives it a new case id if it has none, and sends it end-to-end encrypted to
each organisation listed (each gets its own envelope, so none learns who
else received it) and to your colleagues' devices. Prints the case id last.`

func (g *globals) referralSend(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "referral send", sendUsage)
	var to cli.ListFlag
	fs.Var(&to, "to", "recipient organisation `ids` (repeat the flag or separate with commas)")
	file := fs.String("file", "", "the referral JSON `file` ('saferef referral template' shows one)")
	pos, err := fs.Parse(args)
	if err != nil {
		return err
	}
	if err := fs.NArgs(pos, 0, ""); err != nil {
		return err
	}
	if err := fs.Required("to", "file"); err != nil {
		return err
	}
	var orgs []crypto.OrgID
	for _, s := range to {
		id, err := crypto.ParseOrgID(s)
		if err != nil {
			return cli.Usagef("organisation ids are 32 hex digits", "bad --to %q: %v", s, err)
		}
		orgs = append(orgs, id)
	}
	r, err := readReferral(*file)
	if err != nil {
		return err
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	caseID, err := d.SendReferral(ctx, orgs, r)
	if err != nil {
		return fieldErrors(err)
	}
	fmt.Fprintln(env.Stdout, caseID)
	return nil
}

// readReferral reads a referral from JSON strictly and validates it; a
// zero or missing case id and schema are filled in.
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
	if r.Case.IsZero() {
		id, err := crypto.NewCaseID(nil)
		if err != nil {
			return nil, err
		}
		r.Case = payload.ID(id)
	}
	if err := r.Validate(); err != nil {
		return nil, fieldErrors(err)
	}
	return &r, nil
}

// fieldErrors puts each field problem of a validation error on its own
// line, so that each is printed as its own error line.
func fieldErrors(err error) error {
	var ve payload.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	lines := make([]string, len(ve))
	for i, fe := range ve {
		lines[i] = fe.Error()
	}
	return cli.WithHint(errors.New(strings.Join(lines, "\n")),
		"fix the fields above; 'saferef referral template' prints a complete example")
}

const messageUsage = `Usage: saferef [--home HOME] message send --case CASE_ID --text TEXT

Sends a case message, end-to-end encrypted, to every organisation taking
part in the case (and your colleagues' devices), and records it here.`

func (g *globals) messageSend(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "message send", messageUsage)
	caseFlag := fs.String("case", "", "the case `id`")
	text := fs.String("text", "", "the message `text`")
	pos, err := fs.Parse(args)
	if err != nil {
		return err
	}
	if err := fs.NArgs(pos, 0, ""); err != nil {
		return err
	}
	if err := fs.Required("case", "text"); err != nil {
		return err
	}
	caseID, err := crypto.ParseCaseID(*caseFlag)
	if err != nil {
		return cli.Usagef("case ids are 32 hex digits; 'saferef cases list' shows them", "bad --case: %v", err)
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	id, err := d.SendMessage(ctx, caseID, *text)
	if err != nil {
		return fieldErrors(err)
	}
	fmt.Fprintf(env.Stdout, "sent message %s in case %s\n", id, caseID)
	return nil
}
