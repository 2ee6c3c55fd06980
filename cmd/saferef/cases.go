package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// JSON shapes of 'cases list --json' and 'cases show --json'.
type (
	orgJSON struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Kind string `json:"kind"`
	}
	caseSummaryJSON struct {
		ID            string    `json:"id"`
		Reference     string    `json:"reference"`
		Status        string    `json:"status"`
		Organisations []orgJSON `json:"organisations"`
		Created       time.Time `json:"created"`
		LastActivity  time.Time `json:"last_activity"`
	}
	partyJSON struct {
		Org        string `json:"org"`
		OrgName    string `json:"org_name"`
		Device     string `json:"device"`
		DeviceName string `json:"device_name"`
	}
	entryJSON struct {
		Envelope  string            `json:"envelope"`
		Kind      string            `json:"kind"`
		Direction string            `json:"direction"`
		At        time.Time         `json:"at"`
		From      partyJSON         `json:"from"`
		Text      string            `json:"text,omitempty"`
		Referral  *payload.Referral `json:"referral,omitempty"`
	}
	receiptJSON struct {
		Envelope string    `json:"envelope"`
		Reader   partyJSON `json:"reader"`
		ReadAt   time.Time `json:"read_at"`
		Received time.Time `json:"received"`
	}
	caseJSON struct {
		caseSummaryJSON
		Referral     *payload.Referral `json:"referral"`
		ReferralFrom *partyJSON        `json:"referral_from"`
		Messages     []entryJSON       `json:"messages"`
		Entries      []entryJSON       `json:"entries"`
		Receipts     []receiptJSON     `json:"receipts"`
	}
)

func summaryJSON(s client.CaseSummary) caseSummaryJSON {
	j := caseSummaryJSON{ID: s.ID.String(), Reference: s.Reference, Status: s.Status, Organisations: []orgJSON{},
		Created: s.Created, LastActivity: s.LastActivity}
	for _, o := range s.Organisations {
		j.Organisations = append(j.Organisations, orgJSON{ID: o.ID.String(), Name: o.Name, Kind: string(o.Kind)})
	}
	return j
}

func toPartyJSON(p client.Party) partyJSON {
	return partyJSON{Org: p.Org.String(), OrgName: p.OrgName, Device: p.Device.String(), DeviceName: p.DeviceName}
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func orgNames(orgs []client.OrgRef) string {
	names := make([]string, len(orgs))
	for i, o := range orgs {
		names[i] = o.Name
		if names[i] == "" {
			names[i] = o.ID.String()
		}
	}
	return strings.Join(names, ", ")
}

const listUsage = `Usage: saferef [--home HOME] cases list [--json]

Lists the cases on this device: id, reference, status, organisations and
last activity, most recent first.`

func (g *globals) casesList(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "cases list", listUsage)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := fs.Parse(args)
	if err != nil {
		return err
	}
	if err := fs.NArgs(pos, 0, ""); err != nil {
		return err
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	cs, err := d.Cases(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]caseSummaryJSON, 0, len(cs))
		for _, c := range cs {
			out = append(out, summaryJSON(c))
		}
		return writeJSON(env.Stdout, out)
	}
	if len(cs) == 0 {
		fmt.Fprintln(env.Stdout, "no cases yet")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE\tREFERENCE\tSTATUS\tLAST ACTIVITY\tORGANISATIONS")
	for _, c := range cs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.ID, c.Reference, c.Status,
			c.LastActivity.Local().Format("2006-01-02 15:04"), orgNames(c.Organisations))
	}
	return tw.Flush()
}

const showUsage = `Usage: saferef [--home HOME] cases show CASE_ID [--json]

Shows one case: the referral, the messages with who sent them (organisation
and device names from their verified certificates), and delivery receipts.`

func (g *globals) casesShow(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "cases show", showUsage)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := fs.Parse(args)
	if err != nil {
		return err
	}
	if err := fs.NArgs(pos, 1, "CASE_ID"); err != nil {
		return err
	}
	caseID, err := crypto.ParseCaseID(pos[0])
	if err != nil {
		return cli.Usagef("case ids are 32 hex digits; 'saferef cases list' shows them", "bad case id: %v", err)
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	c, err := d.Case(ctx, caseID)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.Stdout, caseToJSON(c))
	}
	return printCase(env.Stdout, c)
}

func caseToJSON(c *client.Case) caseJSON {
	j := caseJSON{caseSummaryJSON: summaryJSON(c.CaseSummary), Referral: c.Referral,
		Messages: []entryJSON{}, Entries: []entryJSON{}, Receipts: []receiptJSON{}}
	for _, e := range c.Entries {
		ej := entryJSON{Envelope: e.Envelope.String(), Kind: e.Kind, Direction: e.Direction, At: e.At,
			From: toPartyJSON(e.From), Text: e.Text, Referral: e.Referral}
		j.Entries = append(j.Entries, ej)
		switch e.Kind {
		case "message":
			j.Messages = append(j.Messages, ej)
		case "referral":
			p := ej.From
			j.ReferralFrom = &p
		}
	}
	for _, r := range c.Receipts {
		j.Receipts = append(j.Receipts, receiptJSON{Envelope: r.Envelope.String(), Reader: toPartyJSON(r.Reader),
			ReadAt: r.ReadAt, Received: r.Received})
	}
	return j
}

func printCase(w io.Writer, c *client.Case) error {
	when := func(t time.Time) string { return t.Local().Format("2006-01-02 15:04") }
	who := func(p client.Party) string { return fmt.Sprintf("%s (%s)", p.DeviceName, p.OrgName) }
	fmt.Fprintf(w, "case %s\n", c.ID)
	fmt.Fprintf(w, "reference:      %s\n", c.Reference)
	fmt.Fprintf(w, "status:         %s\n", c.Status)
	fmt.Fprintf(w, "organisations:  %s\n", orgNames(c.Organisations))
	fmt.Fprintf(w, "last activity:  %s\n", when(c.LastActivity))
	if r := c.Referral; r != nil {
		fmt.Fprintln(w, "\nreferral:")
		children := make([]string, len(r.Children))
		for i, ch := range r.Children {
			children[i] = ch.AgeBand
		}
		fmt.Fprintf(w, "  household:    %d adult(s), children %s, pregnant %v\n", r.Adults, orEmpty(strings.Join(children, ", ")), r.Pregnant)
		fmt.Fprintf(w, "  bedrooms:     %d\n", r.Bedrooms)
		fmt.Fprintf(w, "  accessibility: %s\n", r.Accessibility)
		if len(r.Adaptations) > 0 {
			fmt.Fprintf(w, "  adaptations:  %s\n", strings.Join(r.Adaptations, ", "))
		}
		fmt.Fprintf(w, "  pets:         %s\n", r.Pets)
		fmt.Fprintf(w, "  districts:    %s\n", strings.Join(r.DistrictsAcceptable, ", "))
		fmt.Fprintf(w, "  avoid:        %s\n", orEmpty(strings.Join(r.DistrictsToAvoid, ", ")))
		fmt.Fprintf(w, "  risk:         DASH %s, MARAC %v\n", r.Risk.DASHBand, r.Risk.MARAC)
		fmt.Fprintf(w, "  urgency:      %s\n", r.Urgency)
		fmt.Fprintf(w, "  tenancy:      %s\n", r.CurrentTenancy)
		fmt.Fprintf(w, "  support:      %s\n", r.SupportInPlace)
		if r.NeededBy != "" {
			fmt.Fprintf(w, "  needed by:    %s\n", r.NeededBy)
		}
		fmt.Fprintf(w, "  notes:        %s\n", orEmpty(r.Notes))
	}
	fmt.Fprintln(w, "\nhistory:")
	for _, e := range c.Entries {
		verb := "from"
		if e.Direction == "sent" {
			verb = "sent by"
		}
		switch e.Kind {
		case "referral":
			fmt.Fprintf(w, "  %s  referral %s %s\n", when(e.At), verb, who(e.From))
		default:
			fmt.Fprintf(w, "  %s  message %s %s:\n", when(e.At), verb, who(e.From))
			for _, line := range strings.Split(e.Text, "\n") {
				fmt.Fprintf(w, "      %s\n", line)
			}
		}
	}
	if len(c.Receipts) > 0 {
		fmt.Fprintln(w, "\ndelivery receipts:")
		for _, r := range c.Receipts {
			fmt.Fprintf(w, "  %s  envelope %s opened by %s\n", when(r.ReadAt), r.Envelope, who(r.Reader))
		}
	}
	return nil
}

func orEmpty(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
