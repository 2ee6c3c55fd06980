package client

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/saferef/saferef/client/casestore"
	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// Errors of the referral and circulation steps.
var (
	// ErrNotCandidate means an organisation cannot receive the referral:
	// not a landlord, or no home in an acceptable district per its signed
	// directory entry.
	ErrNotCandidate = errors.New("not a candidate landlord for this referral")
	// ErrNoCandidates means no landlord qualifies for circulation.
	ErrNoCandidates = errors.New("no landlord with homes in an acceptable district")
	// ErrApprovalFirst means recipients were named for a referral that must
	// first go to the household's current landlord for approval.
	ErrApprovalFirst = errors.New("the household's current landlord must approve before circulation")
	// ErrNoHousehold means a new referral came without the household's
	// details: the nominator enters them with the first draft (kept sealed
	// on the device, never sent until release) so that the disclosure
	// guard always knows the names, dates of birth, address, phone and
	// email it must refuse.
	ErrNoHousehold = errors.New("a new referral needs the household's details (kept on this device, not sent)")
	// ErrDuplicateReference means this organisation already has an open
	// case with the referral's reference; send again only when that is
	// meant (ReferralOptions.Again).
	ErrDuplicateReference = errors.New("an open case of this organisation already has this reference")
)

// ReferralOptions are the choices of SendReferral.
type ReferralOptions struct {
	// Household is the household's details, required for a new case
	// (ErrNoHousehold) unless the case was drafted with them. They are
	// stored sealed on this device, sent sealed to this organisation's
	// other devices (so their guard has them too) and to nobody else
	// until they are released to the accepting landlord.
	Household *payload.HouseholdDetails
	// Again confirms sending a referral whose reference is already that of
	// an open case of this organisation (ErrDuplicateReference otherwise).
	Again bool
}

// checkHousehold validates household details for a case.
func checkHousehold(caseID payload.ID, h *payload.HouseholdDetails) error {
	if h == nil {
		return ErrNoHousehold
	}
	h.Case = caseID
	if h.Schema == 0 {
		h.Schema = payload.SchemaVersion
	}
	if err := h.Validate(); err != nil {
		return fmt.Errorf("household details: %w", err)
	}
	return nil
}

// duplicateReference returns ErrDuplicateReference, naming the case, when
// an open case other than id that this organisation nominated has the
// reference ref.
func (d *Device) duplicateReference(ctx context.Context, id payload.ID, ref string) error {
	found, err := d.store.Find(ctx, casestore.Filter{Reference: ref})
	if err != nil {
		return err
	}
	for _, s := range found {
		if s.ID == [16]byte(id) {
			continue
		}
		wc, _, err := d.loadFlow(ctx, d.store, payload.ID(s.ID))
		if err != nil {
			return err
		}
		if wc.MyRole() == workflow.RoleNominator && wc.Stage.Open() {
			return fmt.Errorf("%w: %s is case %s (stage %s); send again only if a second case is meant",
				ErrDuplicateReference, ref, payload.ID(s.ID), stageName(wc.Stage))
		}
	}
	return nil
}

// DraftReferral records a referral and the household's details (required:
// ErrNoHousehold) as a local draft (nothing is sent). The details stay on this
// device until released to the accepting landlord; meanwhile the disclosure
// guard checks every later send of the case against them. It returns the
// case id (a new one, with a new r.CaseNonce, when r.Case is zero; see
// payload.CaseIDFor).
func (d *Device) DraftReferral(ctx context.Context, r *payload.Referral, h *payload.HouseholdDetails) (payload.ID, error) {
	caseID, err := prepareReferral(d.secrets.Org, r)
	if err != nil {
		return caseID, fmt.Errorf("draft referral: %w", err)
	}
	now := d.now()
	wc, known, err := d.loadFlow(ctx, d.store, caseID)
	if err != nil {
		return caseID, fmt.Errorf("draft referral: %w", err)
	}
	if known {
		return caseID, fmt.Errorf("draft referral: case %s already exists on this device", caseID)
	}
	if err := checkHousehold(caseID, h); err != nil {
		return caseID, fmt.Errorf("draft referral: %w", err)
	}
	ev := workflow.Event{Kind: workflow.EventReferralDrafted, Actor: d.me(), At: now, Landlord: crypto.OrgID(r.CurrentLandlordOrg)}
	if err := wc.Apply(ev); err != nil {
		return caseID, fmt.Errorf("draft referral: %w", err)
	}
	body, err := payload.Marshal(r)
	if err != nil {
		return caseID, fmt.Errorf("draft referral: %w", err)
	}
	var hbody []byte
	if h != nil {
		if hbody, err = payload.Marshal(h); err != nil {
			return caseID, fmt.Errorf("draft referral: household details: %w", err)
		}
	}
	orgName, devName := d.ownNames()
	err = d.store.Update(ctx, func(tx *casestore.Tx) error {
		if err := d.saveFlow(ctx, tx, wc, &casestore.Case{Reference: r.Reference, Districts: r.DistrictsAcceptable, Created: now}); err != nil {
			return err
		}
		for _, e := range []struct {
			kind string
			body []byte
		}{{casestore.KindReferral, body}, {casestore.KindDetails, hbody}} {
			if e.body == nil {
				continue
			}
			id, err := crypto.NewEnvelopeID(nil)
			if err != nil {
				return err
			}
			if err := tx.AddEntry(ctx, &casestore.Entry{Envelope: id, Case: caseID, Kind: e.kind, Direction: DirectionDraft,
				At: now, SenderOrg: d.secrets.Org, SenderDevice: d.secrets.Device, SenderOrgName: orgName,
				SenderDeviceName: devName, Body: e.body}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return caseID, fmt.Errorf("draft referral: %w", err)
	}
	return caseID, nil
}

// DirectionDraft marks an entry recorded locally and never sent: a draft
// referral, or household details kept before their release.
const DirectionDraft = "draft"

// prepareReferral fills in a referral's schema and, for a new case (zero
// case id), a fresh case nonce and the case id derived from it and the
// nominating organisation org (payload.CaseIDFor); any nonce already in a
// referral without a case id is replaced, so that a template's placeholder
// never makes two cases share an id. A referral that has a case id must
// carry the nonce that binds it to org (ErrCaseIDNotBound otherwise): an
// organisation never sends a referral under another's case id.
func prepareReferral(org crypto.OrgID, r *payload.Referral) (payload.ID, error) {
	if r.Schema == 0 {
		r.Schema = payload.SchemaVersion
	}
	if r.Case.IsZero() {
		nonce, err := payload.NewCaseNonce(nil)
		if err != nil {
			return payload.ID{}, err
		}
		r.CaseNonce = nonce
		r.Case = payload.CaseIDFor(org, nonce)
	}
	caseID := r.Case
	if err := r.Validate(); err != nil {
		return caseID, err
	}
	if payload.CaseIDFor(org, r.CaseNonce) != r.Case {
		return caseID, fmt.Errorf("case %s: %w: it does not derive from this organisation and the case nonce; leave case and case_nonce zero (all zeros) to start a new case",
			caseID, ErrCaseIDNotBound)
	}
	return caseID, nil
}

// SendReferral sends a referral (a new one, or a draft or a declined one
// of this device) and returns its case id; a referral without a case id
// gets a new one, derived from this organisation and a fresh case nonce
// (payload.CaseIDFor), and one with a case id must carry the nonce binding
// it to this organisation (ErrCaseIDNotBound). The referral is validated first (a
// *payload.ValidationError lists every field problem) and its anonymous
// fields pass the disclosure guard (a *guard.Error names each field and
// match; with household details in the case, their names and address are
// checked too).
//
// When r.CurrentLandlordOrg names another organisation, the referral goes
// to that landlord only, for approval (stage awaiting-approval); to must
// then be empty (ErrApprovalFirst): circulate after approval. Otherwise it
// circulates to to, or with to empty to every landlord whose signed
// districts include an acceptable one; a named organisation that does not
// qualify is refused (ErrNotCandidate, naming it and why). Each recipient
// gets its own envelope, so none learns who else received it.
func (d *Device) SendReferral(ctx context.Context, to []crypto.OrgID, r *payload.Referral, opt ReferralOptions) (payload.ID, error) {
	caseID, err := prepareReferral(d.secrets.Org, r)
	if err != nil {
		return caseID, fmt.Errorf("send referral: %w", err)
	}
	wc, known, err := d.loadFlow(ctx, d.store, caseID)
	if err != nil {
		return caseID, fmt.Errorf("send referral: %w", err)
	}
	if known && wc.Stage != workflow.StageDraft {
		return caseID, fmt.Errorf("send referral: case %s already exists on this device (stage %s); circulate it instead", caseID, stageName(wc.Stage))
	}
	h := opt.Household
	if h == nil && known {
		if h, err = d.householdDetails(ctx, caseID); err != nil {
			return caseID, fmt.Errorf("send referral: %w", err)
		}
	}
	if err := checkHousehold(caseID, h); err != nil {
		return caseID, fmt.Errorf("send referral: %w", err)
	}
	if !opt.Again {
		if err := d.duplicateReference(ctx, caseID, r.Reference); err != nil {
			return caseID, fmt.Errorf("send referral: %w", err)
		}
	}
	if err := d.refresh(ctx); err != nil {
		return caseID, fmt.Errorf("send referral: %w", err)
	}
	cl := crypto.OrgID(r.CurrentLandlordOrg)
	var pkts []*outgoing
	if wc.Stage == workflow.StageNone {
		pkts = append(pkts, &outgoing{event: &workflow.Event{Kind: workflow.EventReferralDrafted, Landlord: cl}})
	}
	base := &casestore.Case{Reference: r.Reference, Districts: r.DistrictsAcceptable, Created: d.now()}
	if !cl.IsZero() && cl != d.secrets.Org && !wc.Approved {
		if len(to) > 0 {
			return caseID, fmt.Errorf("send referral: %w: the referral names the household's current landlord %s; send it with no recipients for approval, then circulate",
				ErrApprovalFirst, d.orgLabel(cl))
		}
		if err := d.checkOrg(cl); err != nil {
			return caseID, fmt.Errorf("send referral: current landlord: %w", err)
		}
		pkts = append(pkts, &outgoing{event: &workflow.Event{Kind: workflow.EventApprovalRequested, Landlord: cl},
			p: r, to: []crypto.OrgID{cl}, ownCopy: true, kind: casestore.KindReferral, guarded: true})
	} else {
		cands, err := d.candidates(r, to, wc)
		if err != nil {
			return caseID, fmt.Errorf("send referral: %w", err)
		}
		pkts = append(pkts, &outgoing{event: &workflow.Event{Kind: workflow.EventCirculated, Landlord: cl, Orgs: cands},
			p: r, to: cands, ownCopy: true, kind: casestore.KindReferral, guarded: true})
	}
	if opt.Household != nil || !known {
		// The household's details, sealed to this organisation's other
		// devices only (after the referral, so that they know the case),
		// and kept here: every later send is checked against them.
		pkts = append(pkts, &outgoing{p: h, ownCopy: true, kind: casestore.KindDetails, localOK: true})
	}
	for _, p := range pkts {
		p.household = guardHousehold(h)
	}
	if _, err := d.sendPackets(ctx, caseID, base, pkts, nil); err != nil {
		return caseID, fmt.Errorf("send referral %s: %w", caseID, err)
	}
	return caseID, nil
}

// Circulate sends a case's referral to more candidate landlords: after the
// current landlord's approval, or to widen circulation while no offer is
// accepted. An empty to means every qualifying landlord not yet sent to.
func (d *Device) Circulate(ctx context.Context, id payload.ID, to []crypto.OrgID) error {
	r, err := d.caseReferral(ctx, id)
	if err != nil {
		return fmt.Errorf("circulate %s: %w", id, err)
	}
	wc, _, err := d.loadFlow(ctx, d.store, id)
	if err != nil {
		return fmt.Errorf("circulate %s: %w", id, err)
	}
	if err := d.refresh(ctx); err != nil {
		return fmt.Errorf("circulate %s: %w", id, err)
	}
	cands, err := d.candidates(r, to, wc)
	if err != nil {
		return fmt.Errorf("circulate %s: %w", id, err)
	}
	// Colleagues already hold the referral: only the candidates get it.
	pkts := []*outgoing{{event: &workflow.Event{Kind: workflow.EventCirculated, Landlord: crypto.OrgID(r.CurrentLandlordOrg), Orgs: cands},
		p: r, to: cands, kind: casestore.KindReferral, guarded: true}}
	if _, err := d.sendPackets(ctx, id, nil, pkts, nil); err != nil {
		return fmt.Errorf("circulate %s: %w", id, err)
	}
	return nil
}

// CirculationCandidates returns the landlords a circulation of the case
// would reach now, by the directory as last fetched (Sync refreshes it):
// every landlord with a current device whose signed
// districts include one of the referral's acceptable districts, other than
// the household's current landlord and those already sent to.
func (d *Device) CirculationCandidates(ctx context.Context, id payload.ID) ([]OrgRef, error) {
	r, err := d.caseReferral(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("circulation candidates of %s: %w", id, err)
	}
	wc, _, err := d.loadFlow(ctx, d.store, id)
	if err != nil {
		return nil, fmt.Errorf("circulation candidates of %s: %w", id, err)
	}
	cands, err := d.candidates(r, nil, wc)
	if errors.Is(err, ErrNoCandidates) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("circulation candidates of %s: %w", id, err)
	}
	out := make([]OrgRef, len(cands))
	for i, o := range cands {
		out[i] = d.orgRef(o)
	}
	return out, nil
}

// Approve sends the current landlord's answer to a referral it was asked to
// approve, to the nominating organisation (and this organisation's other
// devices). Approving needs both confirmations and a named lead; declining
// a reason (a *payload.ValidationError otherwise).
func (d *Device) Approve(ctx context.Context, id payload.ID, a *payload.Approval) error {
	if a.Schema == 0 {
		a.Schema = payload.SchemaVersion
	}
	a.Case = id
	wc, _, err := d.loadFlow(ctx, d.store, id)
	if err != nil {
		return fmt.Errorf("approve %s: %w", id, err)
	}
	ev := &workflow.Event{Kind: workflow.EventApproved, NoSuitableHome: a.NoSuitableHome, WillGiveHomeBack: a.WillGiveHomeBack, Why: a.Reason}
	if !a.Approved {
		ev = &workflow.Event{Kind: workflow.EventApprovalDeclined, Why: a.Reason}
	}
	pkts := []*outgoing{{event: ev, p: a, to: d.nominatorOf(wc), ownCopy: true, kind: casestore.KindApproval, guarded: true}}
	if _, err := d.sendPackets(ctx, id, nil, pkts, nil); err != nil {
		return fmt.Errorf("approve %s: %w", id, err)
	}
	return nil
}

// nominatorOf returns the case's nominating organisation as a recipient
// list (empty when it is this organisation or unknown: Apply refuses).
func (d *Device) nominatorOf(wc *workflow.Case) []crypto.OrgID {
	if wc.Nominator.IsZero() || wc.Nominator == d.secrets.Org {
		return nil
	}
	return []crypto.OrgID{wc.Nominator}
}

// caseReferral returns the latest referral recorded in a case.
func (d *Device) caseReferral(ctx context.Context, id payload.ID) (*payload.Referral, error) {
	entries, err := d.store.Entries(ctx, [16]byte(id))
	if errors.Is(err, casestore.ErrNoCase) {
		return nil, fmt.Errorf("case %s: %w", id, ErrNotInCase)
	}
	if err != nil {
		return nil, err
	}
	var r *payload.Referral
	for _, e := range entries {
		if e.Unreadable {
			continue
		}
		if e.Kind != casestore.KindReferral {
			continue
		}
		p, err := payload.Unmarshal(payload.TypeReferral, e.Body)
		if err != nil {
			return nil, fmt.Errorf("case %s: referral %x: %w", id, e.Envelope, err)
		}
		r = p.(*payload.Referral)
	}
	if r == nil {
		return nil, fmt.Errorf("case %s: no referral recorded", id)
	}
	return r, nil
}

// candidates validates the named landlords for circulating r, or with to
// empty picks every qualifying landlord with a current device, leaving out
// those already circulated to.
func (d *Device) candidates(r *payload.Referral, to []crypto.OrgID, wc *workflow.Case) ([]crypto.OrgID, error) {
	cl := crypto.OrgID(r.CurrentLandlordOrg)
	if len(to) > 0 {
		to = uniqueOrgs(to)
		for _, o := range to {
			if err := d.qualifies(o, r, cl); err != nil {
				return nil, err
			}
		}
		return to, nil
	}
	now := d.now()
	var out []crypto.OrgID
	for _, e := range d.Directory().Orgs() {
		o := e.Cert.Org
		if slices.Contains(wc.Candidates, o) || d.qualifies(o, r, cl) != nil {
			continue
		}
		if len(d.Directory().Recipients(o, now)) == 0 {
			continue
		}
		out = append(out, o)
	}
	if len(out) == 0 {
		return nil, ErrNoCandidates
	}
	slices.SortFunc(out, func(a, b crypto.OrgID) int { return strings.Compare(a.String(), b.String()) })
	return out, nil
}

// qualifies reports why organisation o may not receive referral r, or nil.
func (d *Device) qualifies(o crypto.OrgID, r *payload.Referral, cl crypto.OrgID) error {
	if o == d.secrets.Org {
		return errors.New("your own organisation always gets a copy; list only the other organisations")
	}
	if err := d.checkOrg(o); err != nil {
		return err
	}
	e, err := d.Directory().Org(o)
	if err != nil {
		return fmt.Errorf("organisation %s: %w", o, err)
	}
	label := d.orgLabel(o)
	switch {
	case e.Cert.Kind != crypto.KindLandlord:
		return fmt.Errorf("%w: %s is a %s, not a landlord", ErrNotCandidate, label, e.Cert.Kind)
	case o == cl:
		return fmt.Errorf("%w: %s is the household's current landlord", ErrNotCandidate, label)
	}
	for _, dist := range e.Cert.Districts {
		if slices.Contains(r.DistrictsAcceptable, dist) {
			return nil
		}
	}
	return fmt.Errorf("%w: %s has homes only in %s, none of the acceptable districts (%s)", ErrNotCandidate, label,
		strings.Join(e.Cert.Districts, ", "), strings.Join(r.DistrictsAcceptable, ", "))
}

// orgLabel names an organisation for an error message: "Name (id)".
func (d *Device) orgLabel(o crypto.OrgID) string {
	if ref := d.orgRef(o); ref.Name != "" {
		return fmt.Sprintf("%s (%s)", ref.Name, o)
	}
	return o.String()
}

func stageName(s workflow.Stage) string {
	if s == workflow.StageNone {
		return "none"
	}
	return string(s)
}

// refresh fetches the directory entries this device has not seen, so that
// recipients are checked against the current directory. Offline
// (ErrRelayUnreachable) the directory as last fetched is used.
func (d *Device) refresh(ctx context.Context) error {
	d.netMu.Lock()
	defer d.netMu.Unlock()
	c, err := d.connect(ctx)
	if errors.Is(err, ErrRelayUnreachable) {
		return nil
	}
	if err != nil {
		return err
	}
	return c.Close()
}

// receiveReferral applies a referral packet. Every referral packet comes
// from the case's nominator (the workflow lets no other role send one), so
// its case id must derive from the verified sender organisation: a
// landlord that has seen a case id cannot open the case elsewhere as
// nominator.
func (d *Device) receiveReferral(ctx context.Context, in *inbound, p *payload.Referral) (func(*casestore.Tx) error, error) {
	if payload.CaseIDFor(in.sender(), p.CaseNonce) != p.Case {
		return nil, fmt.Errorf("referral for case %s from %s: %w", p.Case, in.sender(), ErrCaseIDNotBound)
	}
	cl, me := crypto.OrgID(p.CurrentLandlordOrg), in.me
	rc := &received{caseID: p.Case, kind: casestore.KindReferral, oweReceipt: true,
		base: &casestore.Case{Reference: p.Reference, Districts: p.DistrictsAcceptable, Created: in.o.Created}}
	rc.events = func(wc *workflow.Case) ([]workflow.Event, error) {
		switch {
		case in.mine:
			return colleagueReferralEvents(wc, cl, me), nil
		case cl == me:
			return []workflow.Event{{Kind: workflow.EventApprovalRequested, Landlord: cl}}, nil
		default:
			return []workflow.Event{{Kind: workflow.EventCirculated, Landlord: cl, Orgs: []crypto.OrgID{me}}}, nil
		}
	}
	return d.receiveEvents(ctx, in, rc)
}

// colleagueReferralEvents follows a colleague's referral: this device
// cannot know the candidates (no payload names them), so it follows the
// draft and the approval request of current landlord cl only.
func colleagueReferralEvents(wc *workflow.Case, cl, me crypto.OrgID) []workflow.Event {
	var evs []workflow.Event
	if wc.Stage == workflow.StageNone {
		evs = append(evs, workflow.Event{Kind: workflow.EventReferralDrafted, Landlord: cl})
	}
	if !cl.IsZero() && cl != me && !wc.Approved && (wc.Stage == workflow.StageNone || wc.Stage == workflow.StageDraft) {
		evs = append(evs, workflow.Event{Kind: workflow.EventApprovalRequested, Landlord: cl})
	}
	return evs
}

// receiveApproval applies the current landlord's answer to a request for
// approval (Approve sends it).
func (d *Device) receiveApproval(ctx context.Context, in *inbound, p *payload.Approval) (func(*casestore.Tx) error, error) {
	ev := workflow.Event{Kind: workflow.EventApproved, NoSuitableHome: p.NoSuitableHome, WillGiveHomeBack: p.WillGiveHomeBack, Why: p.Reason}
	if !p.Approved {
		ev = workflow.Event{Kind: workflow.EventApprovalDeclined, Why: p.Reason}
	}
	return d.receiveEvents(ctx, in, &received{caseID: p.Case, kind: casestore.KindApproval, events: oneEvent(ev)})
}
