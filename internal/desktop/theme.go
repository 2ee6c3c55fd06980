package desktop

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// appTheme is Fyne's default theme with colours that pass WCAG AA (4.5:1
// for text, checked by TestThemeContrast in light and dark), a focus
// colour that shows on every control (primary buttons included), a fixed
// light or dark variant when the user chose one, and scaled text.
type appTheme struct {
	variant *fyne.ThemeVariant // nil: follow the system
	scale   float32            // text size, 1 = Fyne's default
}

// newAppTheme builds the theme from the settings.
func newAppTheme(s settings) *appTheme {
	t := &appTheme{scale: float32(s.textScale()) / 100}
	switch s.theme() {
	case "light":
		v := theme.VariantLight
		t.variant = &v
	case "dark":
		v := theme.VariantDark
		t.variant = &v
	}
	return t
}

// palettes override Fyne's colours by variant.
var palettes = map[fyne.ThemeVariant]map[fyne.ThemeColorName]color.Color{
	theme.VariantLight: {
		theme.ColorNameForeground:          rgb(0x1f, 0x1f, 0x1f),
		theme.ColorNameDisabled:            rgb(0x5c, 0x5f, 0x66),
		theme.ColorNamePlaceHolder:         rgb(0x5c, 0x5f, 0x66),
		theme.ColorNamePrimary:             rgb(0x0b, 0x57, 0xd0),
		theme.ColorNameHyperlink:           rgb(0x0b, 0x57, 0xd0),
		theme.ColorNameForegroundOnPrimary: rgb(0xff, 0xff, 0xff),
		theme.ColorNameError:               rgb(0xb3, 0x26, 0x1e),
		theme.ColorNameForegroundOnError:   rgb(0xff, 0xff, 0xff),
		theme.ColorNameSuccess:             rgb(0x14, 0x6c, 0x2e),
		theme.ColorNameForegroundOnSuccess: rgb(0xff, 0xff, 0xff),
		theme.ColorNameWarning:             rgb(0x8a, 0x4a, 0x00),
		theme.ColorNameForegroundOnWarning: rgb(0xff, 0xff, 0xff),
		// Darkens what it covers: shows on the page and on a primary button.
		theme.ColorNameFocus:       color.NRGBA{A: 0x70},
		theme.ColorNameInputBorder: rgb(0x76, 0x76, 0x76),
		theme.ColorNameSeparator:   rgb(0xc4, 0xc4, 0xc4),
	},
	theme.VariantDark: {
		theme.ColorNameForeground:          rgb(0xf3, 0xf3, 0xf3),
		theme.ColorNameDisabled:            rgb(0xa3, 0xa3, 0xa8),
		theme.ColorNamePlaceHolder:         rgb(0xb0, 0xb0, 0xb4),
		theme.ColorNamePrimary:             rgb(0x8a, 0xb4, 0xf8),
		theme.ColorNameHyperlink:           rgb(0x8a, 0xb4, 0xf8),
		theme.ColorNameForegroundOnPrimary: rgb(0x0b, 0x1a, 0x33),
		theme.ColorNameError:               rgb(0xf2, 0xb8, 0xb5),
		theme.ColorNameForegroundOnError:   rgb(0x60, 0x14, 0x10),
		theme.ColorNameSuccess:             rgb(0x6d, 0xd5, 0x8c),
		theme.ColorNameForegroundOnSuccess: rgb(0x0a, 0x38, 0x18),
		theme.ColorNameWarning:             rgb(0xff, 0xb9, 0x5c),
		theme.ColorNameForegroundOnWarning: rgb(0x3d, 0x20, 0x00),
		// Lightens what it covers: shows on the page and on a primary button.
		theme.ColorNameFocus:       color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0x99},
		theme.ColorNameInputBorder: rgb(0x8a, 0x8a, 0x90),
	},
}

func rgb(r, g, b uint8) color.NRGBA { return color.NRGBA{R: r, G: g, B: b, A: 0xff} }

// Color returns the palette's colour, or Fyne's.
func (t *appTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.variant != nil {
		v = *t.variant
	}
	if c, ok := palettes[v][n]; ok {
		return c
	}
	return theme.DefaultTheme().Color(n, v)
}

// Font is Fyne's.
func (t *appTheme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

// Icon is Fyne's.
func (t *appTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

// Size scales the text sizes.
func (t *appTheme) Size(n fyne.ThemeSizeName) float32 {
	s := theme.DefaultTheme().Size(n)
	switch n {
	case theme.SizeNameText, theme.SizeNameHeadingText, theme.SizeNameSubHeadingText, theme.SizeNameCaptionText, theme.SizeNameInlineIcon:
		return s * t.scale
	}
	return s
}

// applyTheme sets the theme from the settings.
func (a *App) applyTheme() {
	a.fapp.Settings().SetTheme(newAppTheme(a.prefs))
}
