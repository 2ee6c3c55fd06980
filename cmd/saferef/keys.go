package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/cmd/internal/cli"
)

const keysRotateUsage = `Usage: saferef [--home HOME] keys rotate

Rotates this device's encryption key now, whatever the schedule (devices
also rotate by themselves every rotation_days of the scheme, 7 by default,
at their next sync). The new key is saved in the device vault and published
to the relay as a key update signed by this device; senders encrypt to it
from their next sync. It waits until the relay shows the update in a
checkpoint the scheme's witnesses cosigned and prints its log index and
the checkpoint's size; if that does not come, it fails with "your new
encryption key has not been published" (the old key is kept). Old keys are kept for the grace window (30 days by
default) so that nothing already sent is lost, then erased. Ends with the
new key's sequence number.`

func (g *globals) keysRotate(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "keys rotate", keysRotateUsage)
	if err := fs.ParseNoArgs(args); err != nil {
		return err
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	st, err := d.RotateKeys(ctx)
	if errors.Is(err, client.ErrKeyNotPublished) {
		return cli.WithHint(err, "tell your organisation admin and the relay operator: senders keep using your old key, which this device keeps; it publishes the new one again at each sync")
	}
	if err != nil {
		return err
	}
	if st.Erased > 0 {
		fmt.Fprintf(env.Stdout, "erased %d old keys past the grace window\n", st.Erased)
	}
	fmt.Fprintf(env.Stdout, "old keys kept for the grace window: %d\n", st.Retained)
	if st.CheckpointSize > 0 {
		fmt.Fprintf(env.Stdout, "published: log index %d, in the checkpoint of size %d\n", st.LogIndex, st.CheckpointSize)
	}
	fmt.Fprintf(env.Stdout, "rotated: encryption key %d, made %s, published\n", st.Seq, st.Created.UTC().Format(time.RFC3339))
	return nil
}
