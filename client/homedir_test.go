package client

import (
	"testing"
)

// TestDefaultHome checks where the CLI and the desktop app (which both call
// DefaultHome) keep a device home on Linux and Windows, that
// SAFEREF_HOME wins, and that an older release's home is found and
// announced rather than silently abandoned.
func TestDefaultHome(t *testing.T) {
	linux := map[string]string{"HOME": "/home/amira"}
	windows := map[string]string{"USERPROFILE": `C:\Users\amira`, "LocalAppData": `C:\Users\amira\AppData\Local`, "AppData": `C:\Users\amira\AppData\Roaming`}
	with := func(env map[string]string, k, v string) map[string]string {
		out := map[string]string{k: v}
		for a, b := range env {
			if a != k {
				out[a] = b
			}
		}
		return out
	}
	for _, tc := range []struct {
		name, goos string
		env        map[string]string
		enrolled   []string
		want       string
		legacy     bool
	}{
		{"linux default", "linux", linux, nil, "/home/amira/.local/share/saferef", false},
		{"linux XDG_DATA_HOME", "linux", with(linux, "XDG_DATA_HOME", "/data/amira"), nil, "/data/amira/saferef", false},
		{"linux relative XDG_DATA_HOME ignored", "linux", with(linux, "XDG_DATA_HOME", "rel"), nil, "/home/amira/.local/share/saferef", false},
		{"linux SAFEREF_HOME", "linux", with(linux, "SAFEREF_HOME", "/srv/home"), []string{"/home/amira/.saferef"}, "/srv/home", false},
		{"linux old desktop home", "linux", linux, []string{"/home/amira/.saferef"}, "/home/amira/.saferef", true},
		{"linux old CLI home", "linux", linux, []string{"/home/amira/.config/saferef"}, "/home/amira/.config/saferef", true},
		{"linux new home wins over old", "linux", linux, []string{"/home/amira/.saferef", "/home/amira/.local/share/saferef"}, "/home/amira/.local/share/saferef", false},
		{"windows default", "windows", windows, nil, `C:\Users\amira\AppData\Local\Saferef`, false},
		{"windows old CLI home (roaming)", "windows", windows, []string{`C:\Users\amira\AppData\Roaming\saferef`}, `C:\Users\amira\AppData\Roaming\saferef`, true},
		{"windows SAFEREF_HOME", "windows", with(windows, "SAFEREF_HOME", `D:\saferef`), nil, `D:\saferef`, false},
		{"no home at all", "linux", map[string]string{}, nil, ".saferef", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := defaultHome(tc.goos, func(k string) string { return tc.env[k] }, func(dir string) bool {
				for _, e := range tc.enrolled {
					if e == dir {
						return true
					}
				}
				return false
			})
			if got.Dir != tc.want || got.Legacy != tc.legacy || (got.Notice != "") != tc.legacy {
				t.Fatalf("got %+v, want %s (legacy %v)", got, tc.want, tc.legacy)
			}
		})
	}
}

// TestProvisionedSchemeFile checks where the enrolment form finds a scheme
// file placed by IT: SAFEREF_SCHEME_FILE first, then the machine-wide
// location for the platform, and only files that exist.
func TestProvisionedSchemeFile(t *testing.T) {
	for _, tc := range []struct {
		name, goos string
		env        map[string]string
		present    []string
		want       string
	}{
		{"windows programdata", "windows", map[string]string{"ProgramData": `C:\ProgramData`}, []string{`C:\ProgramData\Saferef\scheme.json`}, `C:\ProgramData\Saferef\scheme.json`},
		{"linux etc", "linux", nil, []string{"/etc/saferef/scheme.json"}, "/etc/saferef/scheme.json"},
		{"env wins", "linux", map[string]string{"SAFEREF_SCHEME_FILE": "/srv/kent.json"}, []string{"/srv/kent.json", "/etc/saferef/scheme.json"}, "/srv/kent.json"},
		{"env names a missing file", "linux", map[string]string{"SAFEREF_SCHEME_FILE": "/srv/missing.json"}, []string{"/etc/saferef/scheme.json"}, "/etc/saferef/scheme.json"},
		{"none", "windows", map[string]string{"ProgramData": `C:\ProgramData`}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := provisionedSchemeFile(tc.goos, func(k string) string { return tc.env[k] }, func(p string) bool {
				for _, q := range tc.present {
					if p == q {
						return true
					}
				}
				return false
			})
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
