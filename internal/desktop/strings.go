package desktop

import (
	"embed"
	"fmt"

	"fyne.io/fyne/v2/lang"
)

// translations holds the app's strings, one JSON file per language, keyed by
// the English text. English ships; a Welsh cy.json can be added beside it.
//
//go:embed translation
var translations embed.FS

// loadTranslations registers the embedded translations with Fyne.
func loadTranslations() error {
	if err := lang.AddTranslationsFS(translations, "translation"); err != nil {
		return fmt.Errorf("load translations: %w", err)
	}
	return nil
}

// tr translates an English string.
func tr(s string) string { return lang.L(s) }

// trf translates an English template, filled from data
// (e.g. "Try again in {{.Seconds}} s").
func trf(s string, data map[string]any) string { return lang.L(s, data) }
