package desktop

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"github.com/saferef/saferef/protocol/payload"
)

// saveAttachment asks where to save a received file, then fetches it from
// the core (reassembled and checked) and writes it there.
func (v *caseView) saveAttachment(at AttachmentInfo) {
	a, core, id := v.app, v.app.core, v.c.ID
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		a.bg(func(ctx context.Context) {
			werr := writeAttachment(ctx, core, id, at, w)
			fyne.Do(func() {
				if a.core != core {
					return
				}
				if werr != nil {
					v.feedback.SetText(trf("{{.Name}} was not saved: {{.Why}}", map[string]any{"Name": at.Name, "Why": werr.Error()}))
					return
				}
				v.feedback.SetText(trf("Saved {{.Name}}.", map[string]any{"Name": at.Name}))
			})
		})
	}, a.win)
	d.SetFileName(at.Name)
	d.Show()
}

// writeAttachment fetches an attachment and writes it to w, closing w.
func writeAttachment(ctx context.Context, core Core, id payload.ID, at AttachmentInfo, w fyne.URIWriteCloser) error {
	_, data, err := core.Attachment(ctx, id, at.ID)
	if err != nil {
		w.Close()
		return fmt.Errorf("fetch attachment: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return fmt.Errorf("write attachment: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("write attachment: %w", err)
	}
	return nil
}
