package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/cmd/internal/cli"
)

const alertsUsage = `Usage: saferef [--home HOME] alerts [--json]

Lists the unresolved warnings this device raised about the relay (a split
view, a rolled-back log, a directory that does not match the relay's signed
log, a changed log key), oldest first, each with what to do. While any of
those is unresolved the device sends nothing. Also listed: a view of the
keys the scheme's witnesses have not confirmed recently (stale-view: it
clears by itself, and until it does household details are not released),
an envelope refused for a malformed log checkpoint (peer-checkpoint), a
peer sealing to a device revoked before (held-back), and a new encryption
key the relay has not published (key-unpublished); these do not stop
sending. Ends with a count line; --json prints
one JSON array instead.`

const alertsResolveUsage = `Usage: saferef [--home HOME] alerts resolve

Marks every warning about the relay resolved, so that this device sends
again. Do this only after your scheme coordinator has found the cause and
told you to (for example, the relay operator restored the newest data).
Prints each warning it cleared, then how many.`

// alertInfo is one warning as 'alerts --json' prints it.
type alertInfo struct {
	ID      int64  `json:"id"`
	At      string `json:"at"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Advice  string `json:"advice"`
}

// alertAdvice says, in plain words, what the user should do about an alert.
func alertAdvice(kind string) string {
	switch kind {
	case client.AlertSplitView:
		return "the relay may be misbehaving or compromised: tell your scheme coordinator, who compares the relay's log from two places; do not send anything meanwhile"
	case client.AlertRollback:
		return "the relay may have been restored from an old backup: tell your scheme coordinator and the relay operator; never re-approve devices to fix it"
	case client.AlertLogKey:
		return "the relay signs with a different key: tell your scheme coordinator; if the operator really replaced it, the coordinator hands out a scheme file with the new key"
	case client.AlertStale:
		return "the scheme's witnesses have not confirmed this device's list of keys recently: sync again; if it persists, tell your scheme coordinator and the relay operator. This warning clears by itself once they confirm it; releasing household details waits until then"
	case client.AlertPeerCheckpoint:
		return "one envelope from the device named was refused; your sending is not affected: tell that organisation's admin, whose device may be faulty or compromised"
	case client.AlertHeldBack:
		return "phone the organisation named: its view of the scheme's keys is behind, so it may still be sealing to a revoked device; tell your scheme coordinator"
	case client.AlertKeyUnpublished:
		return "tell your organisation admin and the relay operator; your old key is kept until the new one is published, and this warning clears once it is"
	default:
		return "the relay served a list of keys it did not sign: tell your scheme coordinator and the relay operator"
	}
}

func (g *globals) alerts(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "alerts", alertsUsage)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.ParseNoArgs(args); err != nil {
		return err
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	alerts, err := d.Alerts(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]alertInfo, 0, len(alerts))
		for _, a := range alerts {
			out = append(out, alertInfo{ID: a.ID, At: a.At.UTC().Format(time.RFC3339), Kind: a.Kind, Message: a.Message, Advice: alertAdvice(a.Kind)})
		}
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, string(b))
		return nil
	}
	for _, a := range alerts {
		printAlert(env, &a)
	}
	if len(alerts) == 0 {
		fmt.Fprintln(env.Stdout, "no unresolved warnings about the relay")
		return nil
	}
	fmt.Fprintf(env.Stdout, "%d unresolved warnings: this device sends nothing until your scheme coordinator has found the cause and you run 'saferef alerts resolve'\n", len(alerts))
	return nil
}

func printAlert(env *cli.Env, a *client.Alert) {
	fmt.Fprintf(env.Stdout, "%s  %s\n", a.At.UTC().Format(time.RFC3339), a.Message)
	fmt.Fprintf(env.Stdout, "  what to do: %s\n", alertAdvice(a.Kind))
}

func (g *globals) alertsResolve(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "alerts resolve", alertsResolveUsage)
	if err := fs.ParseNoArgs(args); err != nil {
		return err
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	alerts, err := d.Alerts(ctx)
	if err != nil {
		return err
	}
	n, err := d.ResolveAlerts(ctx)
	if err != nil {
		return err
	}
	for _, a := range alerts {
		fmt.Fprintf(env.Stdout, "cleared: %s  %s\n", a.At.UTC().Format(time.RFC3339), a.Message)
	}
	fmt.Fprintf(env.Stdout, "resolved %d warnings: this device sends again\n", n)
	return nil
}
