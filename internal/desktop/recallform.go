package desktop

import (
	"context"
	"strings"

	"fyne.io/fyne/v2/widget"

	"github.com/saferef/saferef/crypto"
)

// recallable are the packets this organisation sent that are not yet
// recalled.
func recallable(c *CaseView) []SentPacket {
	var out []SentPacket
	for _, p := range c.Sent {
		if !p.Recalled {
			out = append(out, p)
		}
	}
	return out
}

// recallForm asks the recipients of packets sent in error to shred them.
type recallForm struct {
	*stepPanel
	packets []SentPacket
	pick    *widget.CheckGroup
	reason  *entry
}

func newRecallForm(a *App, m *mainScreen, c *CaseView) *recallForm {
	f := &recallForm{packets: recallable(c)}
	f.stepPanel = newStepPanel(a, m, c, tr("Ask them to delete it"), f.submitForm, "envelopes", "reason")
	var names []string
	for _, p := range f.packets {
		names = append(names, f.packetName(p))
	}
	f.pick = widget.NewCheckGroup(names, func([]string) { a.touch() })
	f.reason = newMultiLineEntry(a)
	f.reason.SetPlaceHolder(tr("Why (optional); no names, addresses or phone numbers"))
	f.reason.SetMinRowsVisible(2)

	f.guardOnLeave(f.reason, "reason", "recall.reason")
	f.build(tr("Take back something sent in error"),
		tr("Every device that received it is asked to delete it and confirm that it did. A device that does not cooperate cannot be forced to."),
		f.errs.row(tr("Sent by your organisation"), "envelopes", f.pick),
		f.errs.row(tr("Reason"), "reason", f.reason))
	return f
}

// packetName describes a sent packet in the list.
func (f *recallForm) packetName(p SentPacket) string {
	return trf("{{.What}} you sent on {{.When}}", map[string]any{"What": packetLabel(p.Kind), "When": when(p.At, f.app.opt.Location)})
}

func (f *recallForm) submitForm() {
	f.errs.clear()
	var ids []crypto.EnvelopeID
	for _, p := range f.packets {
		for _, s := range f.pick.Selected {
			if s == f.packetName(p) {
				ids = append(ids, p.Envelope)
			}
		}
	}
	if len(ids) == 0 {
		f.errs.set("envelopes", tr("Tick what to recall."))
		f.invalid()
		return
	}
	reason := strings.TrimSpace(f.reason.Text)
	f.app.confirmAction(tr("Ask for it to be deleted?"),
		tr("Every device that received what you ticked is asked to delete it and confirm. The people who already read it have seen it; this cannot be undone."),
		tr("Ask them to delete it"), func() {
			f.send(func(ctx context.Context, core Core) error { return core.Recall(ctx, f.c.ID, ids, reason) })
		})
}
