package client_test

import (
	"fmt"

	"github.com/saferef/saferef/client"
)

// On Linux, with no SAFEREF_HOME, the device home is in the user's data
// directory; the CLI and the desktop app both choose it this way.
func ExampleDefaultHome() {
	env := map[string]string{"HOME": "/home/priya-example-nonexistent"}
	c := client.DefaultHome(func(k string) string { return env[k] })
	fmt.Println(c.Dir)
	env["SAFEREF_HOME"] = "/srv/saferef/priya"
	fmt.Println(client.DefaultHome(func(k string) string { return env[k] }).Dir)
	// Output:
	// /home/priya-example-nonexistent/.local/share/saferef
	// /srv/saferef/priya
}
