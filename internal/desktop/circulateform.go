package desktop

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/saferef/saferef/crypto"
)

// circulateForm sends the referral to landlords. Before anything is sent
// it shows the landlords the core chose by district (CirculationCandidates),
// all ticked; the user may untick some.
type circulateForm struct {
	*stepPanel
	landlords *widget.CheckGroup
	ids       map[string]crypto.OrgID
	loading   *widget.Label
}

func newCirculateForm(a *App, m *mainScreen, c *CaseView) *circulateForm {
	f := &circulateForm{ids: map[string]crypto.OrgID{}}
	f.stepPanel = newStepPanel(a, m, c, tr("Circulate"), f.submitForm, "landlords")
	f.landlords = widget.NewCheckGroup(nil, func([]string) { a.touch() })
	f.loading = wrapped(tr("Finding the landlords with homes in the acceptable districts…"))

	f.submit.Disable()
	f.build(tr("Circulate the referral"),
		tr("The needs profile goes to each landlord ticked below, separately: no landlord learns who else received it."),
		f.errs.row(tr("Landlords with homes in an acceptable district"), "landlords", f.landlords), f.loading)
	f.load()
	return f
}

// load asks the core for the candidates.
func (f *circulateForm) load() {
	a, core, id := f.app, f.app.core, f.c.ID
	a.bg(func(ctx context.Context) {
		orgs, err := core.CirculationCandidates(ctx, id)
		fyne.Do(func() {
			if a.core != core {
				return
			}
			if err != nil {
				f.loading.SetText(tr("The landlords could not be listed."))
				f.errs.showSendError(err)
				return
			}
			var names []string
			for _, o := range orgs {
				names = append(names, o.Name)
				f.ids[o.Name] = o.ID
			}
			f.landlords.Options = names
			f.landlords.Selected = append([]string(nil), names...)
			f.landlords.Refresh()
			if len(names) == 0 {
				f.loading.SetText(tr("No landlord that has not had it yet has homes in an acceptable district."))
				return
			}
			f.loading.SetText(trf("{{.N}} landlords. Untick any that should not receive it.", map[string]any{"N": len(names)}))
			f.submit.Enable()
		})
	})
}

func (f *circulateForm) submitForm() {
	f.errs.clear()
	var to []crypto.OrgID
	for _, n := range f.landlords.Selected {
		to = append(to, f.ids[n])
	}
	if len(to) == 0 {
		f.errs.set("landlords", tr("Tick at least one landlord."))
		f.invalid()
		return
	}
	f.send(func(ctx context.Context, core Core) error { return core.Circulate(ctx, f.c.ID, to) })
}
