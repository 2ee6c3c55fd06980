package desktop

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// choice is a set of radio buttons for an outcome: nothing is chosen in
// advance; each option takes the focus (Space or Enter chooses it, Escape
// cancels the form) and scrolls itself into view. Fyne's RadioGroup drops
// Escape and cannot say when an option gets the focus, hence this.
type choice struct {
	widget.BaseWidget
	app        *App
	Options    []string
	Selected   string
	Horizontal bool
	OnChanged  func(string)
	items      []*radioOption
	box        *fyne.Container
}

func newChoiceGroup(a *App, options []string) *choice {
	c := &choice{app: a, Options: options}
	c.ExtendBaseWidget(c)
	c.build()
	return c
}

func (c *choice) build() {
	c.items = nil
	var objs []fyne.CanvasObject
	for _, o := range c.Options {
		it := newRadioOption(c, o)
		c.items = append(c.items, it)
		objs = append(objs, it)
	}
	if c.Horizontal {
		c.box = container.NewHBox(objs...)
	} else {
		c.box = container.NewVBox(objs...)
	}
}

// CreateRenderer lays the options out.
func (c *choice) CreateRenderer() fyne.WidgetRenderer {
	c.build()
	return &choiceRenderer{c: c}
}

type choiceRenderer struct{ c *choice }

func (r *choiceRenderer) Layout(s fyne.Size)           { r.c.box.Resize(s) }
func (r *choiceRenderer) MinSize() fyne.Size           { return r.c.box.MinSize() }
func (r *choiceRenderer) Refresh()                     { r.c.box.Refresh() }
func (r *choiceRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.c.box} }
func (r *choiceRenderer) Destroy()                     {}

// SetSelected chooses an option ("" for none); an unknown one is ignored.
func (c *choice) SetSelected(s string) {
	if s != "" {
		known := false
		for _, o := range c.Options {
			known = known || o == s
		}
		if !known {
			return
		}
	}
	if c.Selected == s {
		return
	}
	c.Selected = s
	for _, it := range c.items {
		it.Refresh()
	}
	if c.OnChanged != nil {
		c.OnChanged(s)
	}
}

// radioOption is one option of a choice.
type radioOption struct {
	widget.BaseWidget
	group   *choice
	label   string
	focused bool
}

func newRadioOption(g *choice, label string) *radioOption {
	o := &radioOption{group: g, label: label}
	o.ExtendBaseWidget(o)
	return o
}

// CreateRenderer draws the radio icon, the label and the focus.
func (o *radioOption) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameFocus))
	bg.CornerRadius = 4
	icon := widget.NewIcon(theme.RadioButtonIcon())
	text := widget.NewLabel(o.label)
	r := &radioRenderer{o: o, bg: bg, icon: icon, text: text}
	r.Refresh()
	return r
}

type radioRenderer struct {
	o    *radioOption
	bg   *canvas.Rectangle
	icon *widget.Icon
	text *widget.Label
}

func (r *radioRenderer) Layout(s fyne.Size) {
	r.bg.Resize(s)
	is := theme.IconInlineSize()
	p := theme.InnerPadding() / 2
	r.icon.Move(fyne.NewPos(p, (s.Height-is)/2))
	r.icon.Resize(fyne.NewSquareSize(is))
	r.text.Move(fyne.NewPos(p+is, 0))
	r.text.Resize(fyne.NewSize(s.Width-p-is, s.Height))
}

func (r *radioRenderer) MinSize() fyne.Size {
	t := r.text.MinSize()
	return fyne.NewSize(t.Width+theme.IconInlineSize()+theme.InnerPadding()/2, t.Height)
}

func (r *radioRenderer) Refresh() {
	if r.o.group.Selected == r.o.label {
		r.icon.SetResource(theme.NewPrimaryThemedResource(theme.RadioButtonCheckedIcon()))
	} else {
		r.icon.SetResource(theme.RadioButtonIcon())
	}
	r.bg.FillColor = theme.Color(theme.ColorNameFocus)
	r.bg.Hidden = !r.o.focused
	r.bg.Refresh()
	r.text.SetText(r.o.label)
}

func (r *radioRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.icon, r.text}
}

func (r *radioRenderer) Destroy() {}

// Tapped chooses the option.
func (o *radioOption) Tapped(*fyne.PointEvent) {
	o.group.app.touch()
	if c := fyne.CurrentApp().Driver().CanvasForObject(o); c != nil {
		c.Focus(o)
	}
	o.group.SetSelected(o.label)
}

// FocusGained shows the focus and scrolls the option into view.
func (o *radioOption) FocusGained() {
	o.focused = true
	o.Refresh()
	o.group.app.reveal(o)
}

// FocusLost hides the focus.
func (o *radioOption) FocusLost() {
	o.focused = false
	o.Refresh()
}

// TypedRune does nothing.
func (o *radioOption) TypedRune(rune) {}

// TypedKey chooses on Space or Enter and cancels on Escape.
func (o *radioOption) TypedKey(k *fyne.KeyEvent) {
	o.group.app.touch()
	switch k.Name {
	case fyne.KeySpace, fyne.KeyReturn, fyne.KeyEnter:
		o.group.SetSelected(o.label)
	case fyne.KeyEscape:
		o.group.app.escape()
	}
}
