// Command saferef-desktop is the Saferef desktop app for caseworkers and
// landlord liaison officers: saferef-desktop --home HOME.
package main

import (
	_ "embed"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/saferef/saferef/client/desktop"
	"github.com/saferef/saferef/client/desktop/devicecore"
)

//go:embed Icon.png
var icon []byte

func main() {
	home := flag.String("home", filepath.Join(os.Getenv("HOME"), ".saferef"), "the device home directory")
	flag.Parse()
	a := app.NewWithID("uk.org.saferef.desktop")
	a.SetIcon(fyne.NewStaticResource("Icon.png", icon))
	ui, err := desktop.New(a, desktop.Options{
		Home: *home, Homes: devicecore.Homes{}, SyncEvery: 30 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, "saferef-desktop: error:", err)
		os.Exit(1)
	}
	ui.Run()
}
