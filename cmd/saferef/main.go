// Command saferef is the caseworker's command-line client: enrol a device,
// sync with the relay, send referrals and case messages, and read cases.
// Run "saferef -h" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/saferef/saferef/cmd/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, "saferef", cli.OSEnv(), os.Args[1:], run, hint)
	stop()
	os.Exit(code)
}
