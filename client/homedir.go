package client

import (
	"os"
	"path/filepath"
	"runtime"
)

// EnvHome names the environment variable that, when set, is the device
// home directory for every Saferef front end (CLI and desktop).
const EnvHome = "SAFEREF_HOME"

// HomeChoice is where a front end keeps the device home when none is
// given on the command line, and why.
type HomeChoice struct {
	// Dir is the device home directory.
	Dir string
	// Default is the OS's per-user data location for Saferef, which Dir
	// equals unless SAFEREF_HOME is set or an older release's home is in
	// use.
	Default string
	// Legacy is set when Dir is a home an older release made in another
	// place (~/.saferef for the desktop app, the user config directory for
	// the CLI): it is used where it is, and Notice says how to move it.
	Legacy bool
	// Notice is a line for the user when Legacy is set, else "".
	Notice string
}

// DefaultHome chooses the device home directory: $SAFEREF_HOME if set;
// else the OS's per-user data directory — %LOCALAPPDATA%\Saferef on
// Windows (local, not roaming: the vault must not follow a profile to
// other machines), ~/Library/Application Support/Saferef on macOS,
// $XDG_DATA_HOME/saferef (default ~/.local/share/saferef) elsewhere;
// except that when no device is enrolled there and an older release's
// home holds one, that home is used, with a notice. getenv is os.Getenv
// or a test's stand-in; nothing is created or moved.
func DefaultHome(getenv func(string) string) HomeChoice {
	return defaultHome(runtime.GOOS, getenv, func(dir string) bool {
		_, err := os.Stat(filepath.Join(dir, VaultFile))
		return err == nil
	})
}

func defaultHome(goos string, getenv func(string) string, enrolled func(dir string) bool) HomeChoice {
	def, legacy := homeLocations(goos, getenv)
	if h := getenv(EnvHome); h != "" {
		return HomeChoice{Dir: h, Default: def}
	}
	if def == "" {
		return HomeChoice{Dir: ".saferef", Default: def}
	}
	if !enrolled(def) {
		for _, old := range legacy {
			if old != "" && old != def && enrolled(old) {
				return HomeChoice{Dir: old, Default: def, Legacy: true,
					Notice: "using the device home at " + old + " (where an older release put it); to move it to " + def + ", quit Saferef and move the folder there, or set " + EnvHome + " to keep it where it is"}
			}
		}
	}
	return HomeChoice{Dir: def, Default: def}
}

// homeLocations returns the per-user data location for goos and the
// locations older releases used, from the environment alone (so that one
// platform's rules can be tested on another).
func homeLocations(goos string, getenv func(string) string) (def string, legacy []string) {
	join := func(base string, elem ...string) string {
		if base == "" {
			return ""
		}
		if goos == "windows" {
			return base + `\` + joinWindows(elem)
		}
		return filepath.Join(append([]string{base}, elem...)...)
	}
	home := getenv("HOME")
	switch goos {
	case "windows":
		home = getenv("USERPROFILE")
		def = join(getenv("LocalAppData"), "Saferef")
		legacy = []string{join(getenv("AppData"), "saferef"), join(home, ".saferef")}
	case "darwin", "ios":
		def = join(home, "Library", "Application Support", "Saferef")
		legacy = []string{join(home, "Library", "Application Support", "saferef"), join(home, ".saferef")}
	default:
		data := getenv("XDG_DATA_HOME")
		if data == "" || !filepath.IsAbs(data) {
			data = join(home, ".local", "share")
		}
		def = join(data, "saferef")
		config := getenv("XDG_CONFIG_HOME")
		if config == "" || !filepath.IsAbs(config) {
			config = join(home, ".config")
		}
		legacy = []string{join(config, "saferef"), join(home, ".saferef")}
	}
	return def, legacy
}

func joinWindows(elem []string) string {
	s := ""
	for i, e := range elem {
		if i > 0 {
			s += `\`
		}
		s += e
	}
	return s
}

// EnvSchemeFile names the environment variable that, when set, is the
// path of the scheme file the enrolment form starts with.
const EnvSchemeFile = "SAFEREF_SCHEME_FILE"

// ProvisionedSchemeFile returns the scheme file an IT team has placed for
// every user of the machine, for the enrolment form to start with: the
// file named by $SAFEREF_SCHEME_FILE, else %ProgramData%\Saferef\scheme.json
// on Windows or /etc/saferef/scheme.json elsewhere — whichever exists
// first — or "" for none. The user can still choose another file, and the
// file is checked at enrolment like any other (it is public, and its root
// fingerprint is what the user confirms with the coordinator).
func ProvisionedSchemeFile(getenv func(string) string) string {
	return provisionedSchemeFile(runtime.GOOS, getenv, func(p string) bool {
		fi, err := os.Stat(p)
		return err == nil && fi.Mode().IsRegular()
	})
}

func provisionedSchemeFile(goos string, getenv func(string) string, exists func(string) bool) string {
	candidates := []string{getenv(EnvSchemeFile)}
	if goos == "windows" {
		if pd := getenv("ProgramData"); pd != "" {
			candidates = append(candidates, pd+`\Saferef\scheme.json`)
		}
	} else {
		candidates = append(candidates, "/etc/saferef/scheme.json")
	}
	for _, c := range candidates {
		if c != "" && exists(c) {
			return c
		}
	}
	return ""
}
