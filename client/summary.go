package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// listSummary is what the case list needs of a case beyond the store's
// clear columns. The case store keeps it sealed with the case key
// (cases.summary), written by storeSummary in every transaction that
// changes the case, so that listing cases opens no entry and no workflow
// state.
type listSummary struct {
	// V is listSummaryVersion when it was written; a summary of another
	// version is computed again.
	V         int             `json:"v"`
	Stage     workflow.Stage  `json:"stage"`
	MyRole    workflow.Role   `json:"role"`
	WaitingOn workflow.Action `json:"waiting_on"`
	Referral  bool            `json:"referral"`
	Districts []string        `json:"districts"`
	Urgency   string          `json:"urgency"`
	NeededBy  string          `json:"needed_by"`
	Next      []crypto.OrgID  `json:"next"`
	Text      string          `json:"text"`
}

// listSummaryVersion is the encoding of listSummary written now.
const listSummaryVersion = 1

// summaryReader is a casestore.Store or casestore.Tx.
type summaryReader interface {
	stateReader
	Case(ctx context.Context, id [16]byte) (*casestore.Case, error)
	EntriesOf(ctx context.Context, caseID [16]byte, kinds ...string) ([]*casestore.Entry, error)
}

// storeSummary is the case store's Summariser: the case's list summary,
// encoded, from inside the transaction that changed it.
func (d *Device) storeSummary(ctx context.Context, tx *casestore.Tx, id [16]byte) ([]byte, error) {
	ls, err := d.listSummary(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return json.Marshal(ls)
}

// listSummary computes a case's list summary from its workflow state, its
// organisations, its latest referral and its messages (entries that do
// not open are left out).
func (d *Device) listSummary(ctx context.Context, q summaryReader, id [16]byte) (*listSummary, error) {
	c, err := q.Case(ctx, id)
	if err != nil {
		return nil, err
	}
	wc, _, err := d.loadFlow(ctx, q, payload.ID(id))
	if err != nil {
		return nil, err
	}
	entries, err := q.EntriesOf(ctx, id, casestore.KindReferral, casestore.KindMessage)
	if err != nil {
		return nil, err
	}
	ls := &listSummary{V: listSummaryVersion, Stage: wc.Stage, WaitingOn: wc.WaitingOn(), Districts: []string{},
		Next: nextOrgs(wc, c.Organisations)}
	if wc.Stage != workflow.StageNone {
		ls.MyRole = wc.MyRole()
	}
	var (
		ref   *payload.Referral
		texts []string
	)
	for _, e := range entries {
		if e.Unreadable {
			continue
		}
		switch e.Kind {
		case casestore.KindReferral:
			if p, err := payload.Unmarshal(payload.TypeReferral, e.Body); err == nil {
				ref = p.(*payload.Referral)
			}
		case casestore.KindMessage:
			if p, err := payload.Unmarshal(payload.TypeCaseMessage, e.Body); err == nil {
				texts = append(texts, p.(*payload.CaseMessage).Text)
			}
		}
	}
	if ref != nil {
		ls.Referral, ls.Urgency, ls.NeededBy = true, ref.Urgency, ref.NeededBy
		ls.Districts = slices.Clone(ref.DistrictsAcceptable)
	}
	ls.Text = searchText(ref, texts)
	return ls, nil
}

// nextOrgs lists the organisations a case waits on when it does not wait
// on this organisation's user: after an acceptance the accepted landlord
// alone (not the landlords told it is filled); otherwise every other
// organisation in the case that is still asked (not a landlord told it is
// filled, nor one that answered "no suitable home").
func nextOrgs(wc *workflow.Case, orgs [][16]byte) []crypto.OrgID {
	switch wc.Stage {
	case workflow.StageOfferAccepted, workflow.StageDetailsReleased:
		if a := wc.AcceptedLandlord; a != ([16]byte{}) && a != wc.Org {
			return []crypto.OrgID{a}
		}
	}
	out := map[[16]byte]bool{}
	for _, e := range wc.History {
		switch e.Kind {
		case workflow.EventFilled:
			out[e.Landlord] = true
		case workflow.EventNoSuitableHome:
			out[e.Actor.Org] = true
		}
	}
	next := []crypto.OrgID{}
	for _, o := range orgs {
		if o != wc.Org && !out[o] {
			next = append(next, o)
		}
	}
	return next
}

// searchText is the case's decrypted needs profile and messages, lower
// case, for the case list's search.
func searchText(r *payload.Referral, messages []string) string {
	var b strings.Builder
	add := func(s string) {
		if s != "" {
			b.WriteString(strings.ToLower(s))
			b.WriteByte(' ')
		}
	}
	if r != nil {
		add(r.Reference)
		add(r.Accessibility)
		add(strings.Join(r.Adaptations, " "))
		add(r.Pets)
		add(strings.Join(r.DistrictsAcceptable, " "))
		add(r.Urgency)
		add(r.CurrentTenancy)
		add(r.SupportInPlace)
		add(r.Notes)
		add(r.Risk.DASHBand)
	}
	for _, m := range messages {
		add(m)
	}
	return b.String()
}

// storedSummary decodes the summary the store keeps, or reports false when
// there is none of this version (a store written before summaries were
// kept, or a damaged column).
func storedSummary(b []byte) (*listSummary, bool) {
	if b == nil {
		return nil, false
	}
	var ls listSummary
	if err := json.Unmarshal(b, &ls); err != nil || ls.V != listSummaryVersion {
		return nil, false
	}
	return &ls, true
}

// caseSummary builds a case list line from the store's listing: from the
// stored summary when there is one, else computed from the case (and
// reported stale, for the caller to store it).
func (d *Device) caseSummary(ctx context.Context, s *casestore.Summary) (sum CaseSummary, stale bool, err error) {
	ls, ok := storedSummary(s.List)
	if !ok {
		if ls, err = d.listSummary(ctx, d.store, s.ID); err != nil {
			return CaseSummary{}, false, fmt.Errorf("case %x: %w", s.ID, err)
		}
	}
	sum = CaseSummary{ID: s.ID, Reference: s.Reference, Created: s.Created, LastActivity: s.Updated,
		Stage: ls.Stage, MyRole: ls.MyRole, WaitingOn: ls.WaitingOn, HasReferral: ls.Referral,
		Districts: ls.Districts, Urgency: ls.Urgency, NeededBy: ls.NeededBy, SearchText: ls.Text}
	for _, o := range s.Organisations {
		sum.Organisations = append(sum.Organisations, d.orgRef(o))
	}
	for _, o := range ls.Next {
		sum.Next = append(sum.Next, d.orgRef(o))
	}
	return sum, !ok, nil
}

// summaries builds the case list lines of a listing, and stores the
// summary of every case that had none (best effort: a read-only store
// keeps computing them).
func (d *Device) summaries(ctx context.Context, ss []casestore.Summary) ([]CaseSummary, error) {
	out := make([]CaseSummary, len(ss))
	var stale [][16]byte
	for i := range ss {
		sum, old, err := d.caseSummary(ctx, &ss[i])
		if err != nil {
			return nil, err
		}
		out[i] = sum
		if old {
			stale = append(stale, ss[i].ID)
		}
	}
	if err := d.store.Resummarise(ctx, stale); err != nil && !errors.Is(err, casestore.ErrReadOnly) {
		return nil, fmt.Errorf("store case summaries: %w", err)
	}
	return out, nil
}
