// Command saferef-admin is the scheme coordinator's and organisation
// admin's tool: create a scheme and its root keys, admit organisations,
// approve devices, and build a demo scheme. Run "saferef-admin -h".
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/saferef/saferef/cmd/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, prog, cli.OSEnv(), os.Args[1:], run, hint)
	stop()
	os.Exit(code)
}
