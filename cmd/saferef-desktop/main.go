// Command saferef-desktop is the Saferef desktop app for caseworkers and
// landlord liaison officers: saferef-desktop [--home HOME].
//
// The device home defaults to $SAFEREF_HOME, else the per-user data
// directory (~/.local/share/saferef on Linux, %LOCALAPPDATA%\Saferef on
// Windows), the same choice as the saferef CLI's (client.DefaultHome);
// docs/INSTALL.md lists what is written there.
package main

import (
	_ "embed"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"github.com/go-gl/glfw/v3.3/glfw"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/internal/desktop"
	"github.com/saferef/saferef/internal/desktop/devicecore"
)

//go:embed Icon.png
var icon []byte

func main() {
	home := flag.String("home", defaultHome(os.Getenv, os.Stderr), "the device home `directory` (default $SAFEREF_HOME, else the per-user data directory)")
	flag.Parse()
	a := app.NewWithID("uk.org.saferef.desktop")
	a.SetIcon(fyne.NewStaticResource("Icon.png", icon))
	ui, err := desktop.New(a, desktop.Options{
		Home: *home, Homes: devicecore.Homes{}, SyncEvery: 30 * time.Second, Screen: screenSize(),
		SchemeFile: client.ProvisionedSchemeFile(os.Getenv)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "saferef-desktop: error:", err)
		os.Exit(1)
	}
	ui.Run()
}

// screenSize is the primary screen's size, for the first window's size
// (Fyne 2.7 does not say it; GLFW, which its driver runs on, does, from
// the main thread that Fyne locks). Zero when unknown.
func screenSize() fyne.Size {
	if err := glfw.Init(); err != nil {
		return fyne.Size{}
	}
	m := glfw.GetPrimaryMonitor()
	if m == nil {
		return fyne.Size{}
	}
	v := m.GetVideoMode()
	if v == nil {
		return fyne.Size{}
	}
	return fyne.NewSize(float32(v.Width), float32(v.Height))
}

// defaultHome is the device home when --home is not given, announcing an
// older release's home if that is the one in use.
func defaultHome(getenv func(string) string, stderr io.Writer) string {
	c := client.DefaultHome(getenv)
	if c.Legacy {
		fmt.Fprintln(stderr, "saferef-desktop: note:", c.Notice)
	}
	return c.Dir
}
