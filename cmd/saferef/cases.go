package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/workflow"
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
		Stage         string    `json:"stage"`
		MyRole        string    `json:"my_role"`
		WaitingOn     string    `json:"waiting_on"`
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
		Payload   payload.Payload   `json:"payload,omitempty"`
		// Unreadable: the entry could not be opened on this device (Text
		// says so); the rest of the case is shown.
		Unreadable bool `json:"unreadable,omitempty"`
	}
	receiptJSON struct {
		Kind     string    `json:"kind"`
		Envelope string    `json:"envelope"`
		Packet   string    `json:"packet"`
		Reader   partyJSON `json:"reader"`
		ReadAt   time.Time `json:"read_at"`
		Received time.Time `json:"received"`
		Reason   string    `json:"reason,omitempty"` // for "rejected" and "not-sent"
	}
	eventJSON struct {
		Kind      string    `json:"kind"`
		At        time.Time `json:"at"`
		Actor     partyJSON `json:"actor"`
		ActorRole string    `json:"actor_role"`
		// Verified is true when the actor's device is in this device's
		// verified directory under the organisation named.
		Verified bool   `json:"verified"`
		Why      string `json:"why,omitempty"`
		Status   string `json:"status,omitempty"`
		Offer    string `json:"offer,omitempty"`
		Landlord string `json:"landlord,omitempty"`
		Packet   string `json:"packet,omitempty"`
		// Effective is a status's effective date, Expires an offer's
		// last day, Match the text a guard override lets through.
		Effective string `json:"effective,omitempty"`
		Expires   string `json:"expires,omitempty"`
		Match     string `json:"match,omitempty"`
	}
	offerJSON struct {
		ID    string         `json:"id"`
		State string         `json:"state"`
		From  partyJSON      `json:"from"`
		At    time.Time      `json:"at"`
		Offer *payload.Offer `json:"offer"`
	}
	attachmentJSON struct {
		ID        string    `json:"id"`
		Name      string    `json:"name"`
		MediaType string    `json:"media_type"`
		Size      int64     `json:"size"`
		Chunks    int       `json:"chunks"`
		Have      int       `json:"have"`
		Complete  bool      `json:"complete"`
		From      partyJSON `json:"from"`
		At        time.Time `json:"at"`
	}
	caseJSON struct {
		caseSummaryJSON
		Allowed          []string                  `json:"allowed"`
		Referral         *payload.Referral         `json:"referral"`
		ReferralFrom     *partyJSON                `json:"referral_from"`
		Events           []eventJSON               `json:"events"`
		Offers           []offerJSON               `json:"offers"`
		HouseholdDetails *payload.HouseholdDetails `json:"household_details"`
		Messages         []entryJSON               `json:"messages"`
		Entries          []entryJSON               `json:"entries"`
		Receipts         []receiptJSON             `json:"receipts"`
		Attachments      []attachmentJSON          `json:"attachments"`
		EndedWhy         string                    `json:"ended_why,omitempty"`
	}
)

func summaryJSON(s client.CaseSummary) caseSummaryJSON {
	// "status" is the stage, as the store's status column has always
	// held it (docs/ARCHITECTURE.md, "Case list").
	j := caseSummaryJSON{ID: s.ID.String(), Reference: s.Reference, Status: string(s.Stage), Stage: string(s.Stage),
		MyRole: string(s.MyRole), WaitingOn: string(s.WaitingOn), Organisations: []orgJSON{},
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

const listUsage = `Usage: saferef [--home HOME] cases list [--json] [--stage S] [--org ORG_ID] [--district D] [--from DATE] [--to DATE] [--reference REF]

Lists the cases on this device, most recent activity first: id, reference,
stage, your organisation's role, what the case waits on you to do, last
activity and the organisations in it. The filters work on the store's clear
and keyed columns, so only the cases listed are decrypted:
  --stage S       cases at this stage (repeat, or separate with commas):
                  draft, awaiting-approval, circulated, offers-received,
                  offer-accepted, details-released, moved, closed,
                  withdrawn, filled
  --org ORG_ID    cases this organisation takes part in
  --district D    cases whose referral lists D as acceptable
  --from, --to    last activity on or after --from and on or before --to
                  (YYYY-MM-DD, this computer's time zone)
  --reference REF the case with this scheme reference code`

func (g *globals) casesList(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "cases list", listUsage)
	asJSON := fs.Bool("json", false, "print JSON")
	var stages cli.ListFlag
	fs.Var(&stages, "stage", "keep cases at these `stages`")
	org := fs.String("org", "", "keep cases this organisation takes part in (its `id` or name)")
	district := fs.String("district", "", "keep cases whose referral lists this acceptable `district`")
	from := fs.String("from", "", "keep cases with activity on or after this `date` (YYYY-MM-DD)")
	to := fs.String("to", "", "keep cases with activity on or before this `date` (YYYY-MM-DD)")
	reference := fs.String("reference", "", "keep the case with this scheme reference `code`")
	if err := fs.ParseNoArgs(args); err != nil {
		return err
	}
	orgID := ""
	if _, err := crypto.ParseOrgID(*org); err == nil || *org == "" {
		orgID = *org
	}
	f, err := listFilter(stages, orgID, *district, *from, *to, *reference)
	if err != nil {
		return err
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	if *org != "" && orgID == "" {
		id, err := resolveOrg(d, "org", *org)
		if err != nil {
			return err
		}
		f.Org = [16]byte(id)
	}
	cs, err := d.FindCases(ctx, f)
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
		fmt.Fprintln(env.Stdout, "no cases")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE\tREFERENCE\tSTAGE\tROLE\tWAITING ON YOU\tLAST ACTIVITY\tORGANISATIONS")
	for _, c := range cs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Reference, shownStage(c), c.MyRole, orDash(string(c.WaitingOn)),
			c.LastActivity.Local().Format("2006-01-02 15:04"), orgNames(c.Organisations))
	}
	return tw.Flush()
}

// listFilter builds the case store filter of 'cases list' from its flags.
func listFilter(stages []string, org, district, from, to, reference string) (casestore.Filter, error) {
	var f casestore.Filter
	known := workflow.Stages()
	for _, s := range stages {
		if !slices.Contains(known, workflow.Stage(s)) {
			return f, cli.Usagef("stages are draft, awaiting-approval, circulated, offers-received, offer-accepted, details-released, moved, closed, withdrawn and filled",
				"unknown stage %q", s)
		}
		f.Stages = append(f.Stages, s)
	}
	if org != "" {
		id, err := crypto.ParseOrgID(org)
		if err != nil {
			return f, cli.Usagef("organisation ids are 32 hex digits", "bad --org: %v", err)
		}
		f.Org = [16]byte(id)
	}
	if district != "" {
		i := slices.IndexFunc(payload.Districts(), func(d string) bool { return strings.EqualFold(d, strings.TrimSpace(district)) })
		if i < 0 {
			return f, cli.Usagef("districts are: "+strings.Join(payload.Districts(), ", "), "unknown district %q", district)
		}
		f.District = payload.Districts()[i]
	}
	day := func(name, v string) (time.Time, error) {
		if v == "" {
			return time.Time{}, nil
		}
		t, err := time.ParseInLocation(time.DateOnly, v, time.Local)
		if err != nil {
			return t, cli.Usagef("give dates as YYYY-MM-DD", "bad --%s %q", name, v)
		}
		return t, nil
	}
	var err error
	if f.From, err = day("from", from); err != nil {
		return f, err
	}
	if f.To, err = day("to", to); err != nil {
		return f, err
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // --to is inclusive; the filter's To is not
	}
	f.Reference = strings.TrimSpace(reference)
	return f, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

const showUsage = `Usage: saferef [--home HOME] cases show CASE_ID [--json]

Shows one case as your organisation sees it: its stage, your role, what it
waits on you to do and the steps allowed now; the referral; the timeline of
events (who, at which organisation and on which device, when, and whether
that device is verified in the signed directory); the offers side by side;
the household's details if you hold them; messages; attachments; and the
receipts for your packets (delivered, read, shredded at a recall).`

func (g *globals) casesShow(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "cases show", showUsage)
	asJSON := fs.Bool("json", false, "print JSON")
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
	c, err := d.Case(ctx, caseID)
	if err != nil {
		return err
	}
	j := caseToJSON(c)
	if *asJSON {
		return writeJSON(env.Stdout, j)
	}
	queued, err := d.QueuedEntries(ctx, caseID)
	if err != nil {
		return err
	}
	return printCase(env.Stdout, c, j, queued)
}

// shownStage is the stage as this organisation should read it: once the
// current landlord approved, neither the nominator nor the landlord sees
// "awaiting-approval" (nor the landlord "circulated", which it is never
// told about): both see "approved".
func shownStage(s client.CaseSummary) string {
	switch {
	case s.Stage == workflow.StageAwaitingApproval && s.MyRole == workflow.RoleNominator && s.WaitingOn == workflow.ActionCirculate:
		return "approved"
	case s.Stage == workflow.StageCirculated && s.MyRole == workflow.RoleCurrentLandlord:
		return "approved"
	}
	return string(s.Stage)
}

// allowedCommands turns the events the workflow allows now into the
// commands that make them, for the case given as ref.
func allowedCommands(c *client.Case, ref string) []string {
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, k := range c.Allowed {
		switch k {
		case workflow.EventApproved, workflow.EventApprovalDeclined:
			add("saferef referral approve --case " + ref + " --approve|--decline --lead NAME ...")
		case workflow.EventCirculated:
			add("saferef referral circulate --case " + ref)
		case workflow.EventOfferMade:
			add("saferef offer send --case " + ref + " --file OFFER.json")
		case workflow.EventNoSuitableHome:
			add("saferef offer none --case " + ref)
		case workflow.EventOfferAccepted, workflow.EventOfferDeclined:
			if slices.ContainsFunc(c.Offers, func(o client.CaseOffer) bool { return o.State == workflow.OfferPending }) {
				add("saferef offer decide --case " + ref + " --offer OFFER_ID --accept|--decline --reason ...")
			}
		case workflow.EventDetailsReleased:
			add("saferef details release --case " + ref + " --file DETAILS.json")
		case workflow.EventSignedUp, workflow.EventMovedIn, workflow.EventClosed, workflow.EventWithdrawn:
			add("saferef status set --case " + ref + " --status " + string(k))
		case workflow.EventMessage:
			add("saferef message send --case " + ref + " --text ...")
		case workflow.EventAttachment:
			add("saferef attach --case " + ref + " --file FILE")
		case workflow.EventRecalled:
			add("saferef recall --case " + ref + " --envelope ENVELOPE_ID")
		case workflow.EventRead:
			add("saferef cases read " + ref)
		}
	}
	return out
}

// packetWords names what a receipt is about, from the reader's side of
// this organisation ("your offer", "the referral").
func packetWords(kind string, sent bool) string {
	own := "the"
	if sent {
		own = "your"
	}
	switch kind {
	case "referral":
		return "the referral"
	case "offer":
		return own + " offer"
	case "message":
		return own + " message"
	case "household-details":
		return "the household details"
	case "approval":
		return own + " approval"
	case "offer-decision":
		return own + " decision on an offer"
	case "status-update":
		return own + " status update"
	case "attachment-chunk":
		return own + " attachment"
	}
	return "a packet"
}

func caseToJSON(c *client.Case) caseJSON {
	j := caseJSON{caseSummaryJSON: summaryJSON(c.CaseSummary), Allowed: []string{}, Referral: c.Referral,
		Events: []eventJSON{}, Offers: []offerJSON{}, HouseholdDetails: c.Details,
		Messages: []entryJSON{}, Entries: []entryJSON{}, Receipts: []receiptJSON{}, Attachments: []attachmentJSON{}, EndedWhy: c.EndedWhy}
	for _, a := range c.Allowed {
		j.Allowed = append(j.Allowed, string(a))
	}
	hexOrEmpty := func(id [16]byte) string {
		if id == ([16]byte{}) {
			return ""
		}
		return payload.ID(id).String()
	}
	for i, ev := range c.Events {
		actor := client.Party{Org: ev.Actor.Org, OrgName: ev.Actor.OrgName, Device: ev.Actor.Device, DeviceName: ev.Actor.DeviceName}
		j.Events = append(j.Events, eventJSON{Kind: string(ev.Kind), At: ev.At, Actor: toPartyJSON(actor), ActorRole: string(ev.ActorRole),
			Verified: c.EventVerified(i), Why: ev.Why, Status: ev.Status, Offer: hexOrEmpty(ev.Offer),
			Landlord: hexOrEmpty(ev.Landlord), Packet: hexOrEmpty(ev.Packet), Effective: ev.Effective, Expires: ev.Expires, Match: ev.Match})
	}
	for _, o := range c.Offers {
		j.Offers = append(j.Offers, offerJSON{ID: o.Offer.Offer.String(), State: string(o.State), From: toPartyJSON(o.From), At: o.At, Offer: o.Offer})
	}
	for _, e := range c.Entries {
		ej := entryJSON{Envelope: e.Envelope.String(), Kind: e.Kind, Direction: e.Direction, At: e.At,
			From: toPartyJSON(e.From), Text: e.Text, Referral: e.Referral, Unreadable: e.Unreadable}
		if e.Referral == nil && e.Kind != "message" {
			ej.Payload = e.Payload
		}
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
		j.Receipts = append(j.Receipts, receiptJSON{Kind: r.Kind, Envelope: r.Envelope.String(), Packet: r.Packet.String(),
			Reader: toPartyJSON(r.Reader), ReadAt: r.ReadAt, Received: r.Received, Reason: r.Reason})
	}
	for _, a := range c.Attachments {
		j.Attachments = append(j.Attachments, attachmentJSON{ID: a.ID.String(), Name: a.Name, MediaType: a.MediaType, Size: a.Size,
			Chunks: a.Chunks, Have: a.Have, Complete: a.Have >= a.Chunks, From: toPartyJSON(a.From), At: a.At})
	}
	return j
}

func printCase(w io.Writer, c *client.Case, j caseJSON, queued map[crypto.EnvelopeID]bool) error {
	when := func(t time.Time) string { return t.Local().Format("2006-01-02 15:04") }
	who := func(p client.Party) string { return fmt.Sprintf("%s (%s)", p.DeviceName, p.OrgName) }
	fmt.Fprintf(w, "case %s\n", c.ID)
	fmt.Fprintf(w, "reference:      %s\n", c.Reference)
	fmt.Fprintf(w, "stage:          %s\n", shownStage(c.CaseSummary))
	if c.EndedWhy != "" {
		fmt.Fprintf(w, "ended because:  %s\n", c.EndedWhy)
	}
	fmt.Fprintf(w, "my role:        %s\n", c.MyRole)
	fmt.Fprintf(w, "waiting on you: %s\n", orEmpty(string(c.WaitingOn)))
	ref := c.Reference
	if ref == "" {
		ref = c.ID.String()
	}
	if cmds := allowedCommands(c, ref); len(cmds) == 0 {
		fmt.Fprintln(w, "allowed now:    nothing")
	} else {
		fmt.Fprintln(w, "allowed now:")
		for _, s := range cmds {
			fmt.Fprintf(w, "  %s\n", s)
		}
	}
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
	if len(c.Offers) > 0 {
		fmt.Fprintln(w, "\noffers:")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  OFFER\tSTATE\tFROM\tTYPE\tBEDS\tFLOOR\tRENT/WEEK\tDISTRICT\tAVAILABLE\tEXPIRES\tADDRESS")
		for _, o := range c.Offers {
			p := o.Offer
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%d\t%d\t£%d.%02d\t%s\t%s\t%s\t%s\n", p.Offer, o.State, o.From.OrgName, p.PropertyType,
				p.Bedrooms, p.Floor, p.WeeklyRentPence/100, p.WeeklyRentPence%100, p.District, p.AvailableFrom, orEmpty(p.Expires), orEmpty(p.Address))
		}
		tw.Flush()
	}
	if h := c.Details; h != nil {
		fmt.Fprintln(w, "\nhousehold details (identifying: do not copy elsewhere):")
		fmt.Fprintf(w, "  names:          %s\n", strings.Join(h.Names, ", "))
		fmt.Fprintf(w, "  dates of birth: %s\n", orEmpty(strings.Join(h.DatesOfBirth, ", ")))
		fmt.Fprintf(w, "  address:        %s\n", h.CurrentAddress)
		fmt.Fprintf(w, "  safe contact:   phone %s, email %s, %s, messages ok %v\n", orEmpty(h.SafeContact.Phone),
			orEmpty(h.SafeContact.Email), h.SafeContact.SafeToCall, h.SafeContact.SafeToLeaveMessage)
		fmt.Fprintf(w, "  risk notes:     %s\n", orEmpty(h.RiskNotes))
		fmt.Fprintf(w, "  support worker: %s\n", orEmpty(h.SupportWorker))
		fmt.Fprintf(w, "  shared on:      %s, recorded by %s\n", h.SharingBasis.Basis+" "+h.SharingBasis.LegalBasis, h.SharingBasis.RecordedBy)
	}
	fmt.Fprintln(w, "\ntimeline:")
	for _, e := range j.Events {
		mark := "verified"
		if !e.Verified {
			mark = "NOT verified"
		}
		fmt.Fprintf(w, "  %s  %s by %s (%s, %s; %s)", when(e.At), e.Kind, e.Actor.DeviceName, e.Actor.OrgName, e.ActorRole, mark)
		if e.Effective != "" {
			fmt.Fprintf(w, " effective %s", e.Effective)
		}
		if e.Expires != "" {
			fmt.Fprintf(w, " expires %s", e.Expires)
		}
		if e.Match != "" {
			fmt.Fprintf(w, " let through %q", e.Match)
		}
		if e.Why != "" {
			fmt.Fprintf(w, ": %s", e.Why)
		}
		fmt.Fprintln(w)
	}
	recalled := map[crypto.EnvelopeID]bool{}
	for _, ev := range c.Events {
		if ev.Kind == workflow.EventRecalled {
			recalled[crypto.EnvelopeID(ev.Packet)] = true
		}
	}
	fmt.Fprintln(w, "\nmessages:")
	for _, e := range c.Entries {
		if e.Kind != "message" && !e.Unreadable {
			continue
		}
		if e.Unreadable {
			fmt.Fprintf(w, "  %s  envelope %s (%s, %s):\n      %s\n", when(e.At), e.Envelope, e.Kind, e.Direction, client.UnreadableEntry)
			continue
		}
		verb := "from"
		if e.Direction == "sent" {
			verb = "sent by"
		}
		mark := ""
		if queued[e.Envelope] {
			mark += " [queued: goes with the next sync]"
		}
		if recalled[e.Envelope] {
			mark += " [recalled]"
		}
		fmt.Fprintf(w, "  %s  envelope %s %s %s%s:\n", when(e.At), e.Envelope, verb, who(e.From), mark)
		for _, line := range strings.Split(e.Text, "\n") {
			fmt.Fprintf(w, "      %s\n", line)
		}
	}
	if len(j.Attachments) > 0 {
		fmt.Fprintln(w, "\nattachments:")
		for _, a := range j.Attachments {
			fmt.Fprintf(w, "  %s  %s (%d bytes, %d of %d chunks) from %s (%s)\n", a.ID, a.Name, a.Size, a.Have, a.Chunks, a.From.DeviceName, a.From.OrgName)
		}
	}
	var sentOther []string
	for _, e := range c.Entries {
		if e.Kind == "message" || e.Direction != "sent" {
			continue
		}
		mark := ""
		switch {
		case queued[e.Envelope]:
			mark = "queued: goes with the next sync"
		case recalled[e.Envelope]:
			mark = "recalled"
		}
		if mark != "" {
			sentOther = append(sentOther, fmt.Sprintf("  %s  %s %s [%s]", when(e.At), packetWords(e.Kind, true), e.Envelope, mark))
		}
	}
	if len(sentOther) > 0 {
		fmt.Fprintln(w, "\nsent, not yet delivered or recalled:")
		for _, l := range sentOther {
			fmt.Fprintln(w, l)
		}
	}
	if len(c.Receipts) > 0 {
		kinds := map[crypto.EnvelopeID]client.CaseEntry{}
		for _, e := range c.Entries {
			kinds[e.Envelope] = e
		}
		fmt.Fprintln(w, "\nreceipts:")
		for _, r := range c.Receipts {
			switch r.Kind {
			case client.ReceiptRejected:
				fmt.Fprintf(w, "  %s  packet %s not accepted by %s: %s\n", when(r.ReadAt), r.Packet, r.Reader.OrgName, r.Reason)
				continue
			case client.ReceiptNotSent:
				fmt.Fprintf(w, "  %s  packet %s not sent: %s\n", when(r.ReadAt), r.Packet, r.Reason)
				continue
			}
			verb := map[string]string{client.ReceiptDelivery: "received", client.ReceiptRead: "opened", client.ReceiptRecall: "shredded"}[r.Kind]
			what := "packet " + r.Packet.String()
			if e, ok := kinds[r.Packet]; ok {
				what = packetWords(e.Kind, e.Direction == "sent")
			}
			fmt.Fprintf(w, "  %s  %s %s %s (packet %s)\n", when(r.ReadAt), who(r.Reader), orEmpty(verb), what, r.Packet)
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
