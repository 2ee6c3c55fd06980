package desktop

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// luminance is the WCAG relative luminance of an opaque colour.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is the WCAG contrast ratio of two opaque colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// blend draws c (possibly translucent) over the opaque bg.
func blend(c, bg color.Color) color.Color {
	r, g, b, a := c.RGBA()
	br, bgc, bb, _ := bg.RGBA()
	mix := func(f, k uint32) uint8 { return uint8(((f*a + k*(0xffff-a)) / 0xffff) >> 8) }
	// RGBA() is premultiplied: undo for the foreground.
	if a > 0 {
		r, g, b = r*0xffff/a, g*0xffff/a, b*0xffff/a
	}
	return color.NRGBA{R: mix(r, br), G: mix(g, bgc), B: mix(b, bb), A: 0xff}
}

// TestThemeContrast checks every text colour the app uses against every
// background it is drawn on, in light and dark, for WCAG AA (4.5:1).
// Fyne's own disabled text was about 1.3:1.
func TestThemeContrast(t *testing.T) {
	a := test.NewTempApp(t)
	s := settings{p: a.Preferences()}
	th := newAppTheme(s)
	type pair struct{ fg, bg fyne.ThemeColorName }
	pairs := []pair{
		{theme.ColorNameForeground, theme.ColorNameBackground},
		{theme.ColorNameForeground, theme.ColorNameInputBackground},
		{theme.ColorNameForeground, theme.ColorNameButton},
		{theme.ColorNameForeground, theme.ColorNameHeaderBackground},
		{theme.ColorNameForeground, theme.ColorNameMenuBackground},
		{theme.ColorNameForeground, theme.ColorNameOverlayBackground},
		{theme.ColorNameDisabled, theme.ColorNameBackground},
		{theme.ColorNameDisabled, theme.ColorNameInputBackground},
		{theme.ColorNameDisabled, theme.ColorNameDisabledButton},
		{theme.ColorNamePlaceHolder, theme.ColorNameInputBackground},
		{theme.ColorNamePlaceHolder, theme.ColorNameBackground},
		{theme.ColorNameForegroundOnPrimary, theme.ColorNamePrimary},
		{theme.ColorNameForegroundOnError, theme.ColorNameError},
		{theme.ColorNameForegroundOnSuccess, theme.ColorNameSuccess},
		{theme.ColorNameForegroundOnWarning, theme.ColorNameWarning},
		{theme.ColorNameError, theme.ColorNameBackground},        // danger labels
		{theme.ColorNameSuccess, theme.ColorNameBackground},      // success labels
		{theme.ColorNameWarning, theme.ColorNameBackground},      // warning labels
		{theme.ColorNamePrimary, theme.ColorNameBackground},      // high-importance labels
		{theme.ColorNameHyperlink, theme.ColorNameBackground},    // links
		{theme.ColorNameError, theme.ColorNameOverlayBackground}, // danger text in dialogs
	}
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		for _, p := range pairs {
			bg := th.Color(p.bg, v)
			bgOpaque := blend(bg, th.Color(theme.ColorNameBackground, v))
			fg := blend(th.Color(p.fg, v), bgOpaque)
			if r := contrast(fg, bgOpaque); r < 4.5 {
				t.Errorf("variant %d: %s on %s is %.2f:1, want at least 4.5:1", v, p.fg, p.bg, r)
			}
		}
		// Text on a hovered or focused primary button keeps its contrast.
		for _, over := range []fyne.ThemeColorName{theme.ColorNameHover, theme.ColorNameFocus} {
			bg := blend(th.Color(over, v), th.Color(theme.ColorNamePrimary, v))
			if r := contrast(th.Color(theme.ColorNameForegroundOnPrimary, v), bg); r < 4.5 {
				t.Errorf("variant %d: text on a primary button with %s is %.2f:1", v, over, r)
			}
		}
		// The focus ring shows against the page (WCAG non-text 3:1).
		if r := contrast(blend(th.Color(theme.ColorNameFocus, v), th.Color(theme.ColorNameBackground, v)), th.Color(theme.ColorNameBackground, v)); r < 3 {
			t.Errorf("variant %d: focus %.2f:1 against the page", v, r)
		}
	}
	// The same pairs in Fyne's default theme fail (the test can fail).
	def := theme.DefaultTheme()
	if r := contrast(def.Color(theme.ColorNameDisabled, theme.VariantLight), def.Color(theme.ColorNameBackground, theme.VariantLight)); r >= 4.5 {
		t.Errorf("Fyne's disabled text passes (%.2f:1): the check is broken", r)
	}
}

// TestThemeSettings: the theme follows the settings.
func TestThemeSettings(t *testing.T) {
	a := test.NewTempApp(t)
	s := settings{p: a.Preferences()}
	s.p.SetString(prefTheme, "dark")
	s.p.SetInt(prefTextScale, 130)
	th := newAppTheme(s)
	if th.Color(theme.ColorNameBackground, theme.VariantLight) != theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantDark) {
		t.Error("dark chosen, light shown")
	}
	if got, want := th.Size(theme.SizeNameText), theme.DefaultTheme().Size(theme.SizeNameText)*1.3; math.Abs(float64(got-want)) > 0.01 {
		t.Errorf("text size %v, want %v", got, want)
	}
	s.p.SetInt(prefTextScale, 999)
	if s.textScale() != 100 {
		t.Error("a bad text size is not ignored")
	}
}
