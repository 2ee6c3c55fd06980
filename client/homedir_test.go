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
