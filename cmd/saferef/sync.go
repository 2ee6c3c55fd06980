package main

import (
	"context"
	"fmt"

	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
)

const syncUsage = `Usage: saferef [--home HOME] sync

Connects to the relay, receives, opens, stores and acknowledges everything
waiting for this device, then sends anything queued on it (receipts, and
messages written offline). What the relay cannot take yet stays queued for
the next sync. Envelopes that can
never be opened are reported here and counted as rejected. Ends with a
summary line: synced: N new, M rejected.`

func (g *globals) sync(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "sync", syncUsage)
	if err := fs.ParseNoArgs(args); err != nil {
		return err
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	res, err := d.Sync(ctx)
	// Warnings about the relay stay loud until resolved.
	if alerts, aerr := d.Alerts(ctx); aerr == nil {
		for _, a := range alerts {
			fmt.Fprintf(env.Stderr, "warning: %s\n", a.Message)
		}
	}
	if res != nil {
		if res.StaleKeys != nil {
			fmt.Fprintf(env.Stderr, "warning: %s\n", res.StaleKeys)
		}
		for _, r := range res.Rejections {
			if r.Envelope == (crypto.EnvelopeID{}) {
				fmt.Fprintf(env.Stderr, "saferef: rejected an envelope: %v\n", r.Err)
			} else {
				fmt.Fprintf(env.Stderr, "saferef: rejected envelope %s: %v\n", r.Envelope, r.Err)
			}
		}
		for _, e := range res.Dropped {
			fmt.Fprintf(env.Stderr, "saferef: the relay refused a queued %v\n", e)
		}
		if res.Deferred > 0 {
			fmt.Fprintf(env.Stderr, "saferef: %d queued envelopes (receipts and messages) wait for the next sync: the relay asked this device to slow down\n", res.Deferred)
		}
	}
	if err != nil {
		return err
	}
	if res.HandedOver > 0 {
		fmt.Fprintf(env.Stdout, "received %d packets handed over by colleagues' devices, each verified against its sender\n", res.HandedOver)
	}
	if res.HandedOut > 0 {
		fmt.Fprintf(env.Stdout, "handed the open cases to %d new colleague device(s)\n", res.HandedOut)
	}
	fmt.Fprintf(env.Stdout, "synced: %d new, %d rejected\n", res.New, res.Rejected)
	return nil
}
