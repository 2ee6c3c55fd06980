package desktop

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// attachForm sends a file to the case with a progress bar: the core reads
// it in chunks as it seals them, and reports progress, which comes back to
// the bar through fyne.Do.
type attachForm struct {
	*stepPanel
	path     *entry
	browse   *widget.Button
	progress *widget.ProgressBar
}

func newAttachForm(a *App, m *mainScreen, c *CaseView) *attachForm {
	f := &attachForm{}
	f.stepPanel = newStepPanel(a, m, c, tr("Send file"), f.submitForm, "file")
	f.path = newEntry(a)
	f.path.SetPlaceHolder(tr("Path of the file to send"))
	f.browse = widget.NewButton(tr("Choose…"), func() {
		a.touch()
		dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil || r == nil {
				return
			}
			r.Close()
			f.path.SetText(r.URI().Path())
		}, a.win)
	})
	f.progress = widget.NewProgressBar()
	f.progress.Hide()
	f.first = f.path
	f.build(tr("Attach a file"),
		tr("The file goes to the organisations you exchange messages with on this case. Its name must not identify the household."),
		f.errs.row(tr("File"), "file", container.NewBorder(nil, nil, nil, f.browse, f.path)), f.progress)
	return f
}

func (f *attachForm) submitForm() {
	f.errs.clear()
	path := strings.TrimSpace(f.path.Text)
	if path == "" {
		f.errs.set("file", tr("Choose a file."))
		f.invalid()
		return
	}
	f.progress.SetValue(0)
	f.progress.Show()
	a := f.app
	f.send(func(ctx context.Context, core Core) error {
		file, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("open %s: %w", filepath.Base(path), err)
		}
		defer file.Close()
		st, err := file.Stat()
		if err != nil {
			return fmt.Errorf("open %s: %w", filepath.Base(path), err)
		}
		_, err = core.Attach(ctx, f.c.ID, filepath.Base(path), file, st.Size(), func(sent, total int64) {
			fyne.Do(func() {
				if total > 0 && a.core == core {
					f.progress.SetValue(float64(sent) / float64(total))
				}
			})
		})
		return err
	})
}
