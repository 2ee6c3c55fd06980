package main

import (
	"context"
	"fmt"

	"github.com/saferef/saferef/cmd/internal/cli"
)

const relaySetUsage = `Usage: saferef [--home HOME] relay set URL

Moves this device to another relay of the same scheme: the second node of a
failover pair, or the same service under a new address. Nothing changes
unless the new relay answers for URL, signs with the log key this device
follows, proves that its log extends the newest checkpoint this device has
verified (a relay with a shorter or different log is refused and reported),
and accepts this device. Then config.json names URL; anything queued is sent
there at the next sync. Ends with: relay set: URL.`

func (g *globals) relaySet(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "relay set", relaySetUsage)
	url, err := fs.ParseOneArg(args, "URL")
	if err != nil {
		return err
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.SetRelay(ctx, url); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "relay set: %s\n", url)
	return nil
}
