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
