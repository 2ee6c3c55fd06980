package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/client/guard"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

const prog = "saferef"

const overview = `Usage: saferef [--home HOME] COMMAND [flags]

saferef carries end-to-end encrypted housing referrals between the landlords
and support providers of a reciprocal scheme. HOME is this device's home
directory (default $SAFEREF_HOME, else the per-user data directory:
~/.local/share/saferef on Linux, %LOCALAPPDATA%\Saferef on Windows).
Passphrases come from a terminal prompt, or SAFEREF_PASSPHRASE for scripts.`

// globals are the flags given before the command.
type globals struct {
	home string
}

func commands(g *globals) []cli.Command {
	return []cli.Command{
		{Name: "enrol", Synopsis: "create this device's home and an enrolment request for your admin", Run: g.enrol},
		{Name: "sync", Synopsis: "send what is queued and receive everything waiting at the relay", Run: g.sync},
		{Name: "relay set", Synopsis: "move this device to another relay of the same scheme (failover, new address)", Run: g.relaySet},
		{Name: "backup", Synopsis: "write an encrypted backup of this device, under a recovery key", Run: g.backup},
		{Name: "passphrase change", Synopsis: "change this device's passphrase (the same strength rule applies)", Run: g.passphraseChange},
		{Name: "handover", Synopsis: "hand every open case and draft to a colleague's device (before you leave)", Run: g.handover},
		{Name: "restore", Synopsis: "bring a device back from its backup on a new machine", Run: g.restore},
		{Name: "keys rotate", Synopsis: "rotate this device's encryption key now", Run: g.keysRotate},
		{Name: "alerts", Synopsis: "list this device's unresolved warnings about the relay", Run: g.alerts},
		{Name: "alerts resolve", Synopsis: "clear the warnings once your scheme coordinator has found the cause", Run: g.alertsResolve},
		{Name: "referral template", Synopsis: "print a complete example referral as JSON", Run: g.referralTemplate},
		{Name: "referral send", Synopsis: "send a referral: to the current landlord for approval, or to landlords", Run: g.referralSend},
		{Name: "referral candidates", Synopsis: "list the landlords a circulation would go to, by district", Run: g.referralCandidates},
		{Name: "referral approve", Synopsis: "as the current landlord, approve or decline a referral", Run: g.referralApprove},
		{Name: "referral circulate", Synopsis: "send an approved referral to the qualifying landlords", Run: g.referralCirculate},
		{Name: "approval template", Synopsis: "print a complete example approval as JSON", Run: g.approvalTemplate},
		{Name: "offer template", Synopsis: "print a complete example offer as JSON", Run: g.offerTemplate},
		{Name: "offer send", Synopsis: "offer a home for a referral (to the nominator only)", Run: g.offerSend},
		{Name: "offer decide", Synopsis: "accept or decline an offer", Run: g.offerDecide},
		{Name: "offer none", Synopsis: "as a landlord, answer that you have no suitable home (the nominator learns only \"declined\")", Run: g.offerNone},
		{Name: "details template", Synopsis: "print complete example household details as JSON", Run: g.detailsTemplate},
		{Name: "details release", Synopsis: "release the household's details to the accepting landlord", Run: g.detailsRelease},
		{Name: "status set", Synopsis: "record signed-up, moved-in, closed or withdrawn", Run: g.statusSet},
		{Name: "message send", Synopsis: "send a message to everyone in a case", Run: g.messageSend},
		{Name: "attach", Synopsis: "attach a file to a case", Run: g.attach},
		{Name: "attachment save", Synopsis: "save a received attachment to a file", Run: g.attachmentSave},
		{Name: "recall", Synopsis: "ask recipients to shred packets sent in error", Run: g.recall},
		{Name: "guard override", Synopsis: "let one non-identifying match of the disclosure guard through in a case", Run: g.guardOverride},
		{Name: "cases list", Synopsis: "list (and filter) the cases on this device", Run: g.casesList},
		{Name: "cases show", Synopsis: "show one case: stage, history, offers, details, receipts", Run: g.casesShow},
		{Name: "cases read", Synopsis: "mark a case read and send read receipts", Run: g.casesRead},
		{Name: "cases export", Synopsis: "export one case, encrypted to a passphrase, for a records request", Run: g.casesExport},
		{Name: "cases shred-expired", Synopsis: "crypto-shred finished cases past their retention period", Run: g.casesShredExpired},
		{Name: "cases retention", Synopsis: "show or set how long finished cases are kept", Run: g.casesRetention},
		{Name: "scheme balance", Synopsis: "as the coordinator, print homes given and received per landlord", Run: g.schemeBalance},
	}
}

func run(ctx context.Context, env *cli.Env, args []string) error {
	g := &globals{home: defaultHome(env)}
	fs := cli.NewFlagSet(prog, "", overview, env.Stdout)
	fs.StringVar(&g.home, "home", g.home, "device home `directory`")
	// Global flags come before the command: stop at the first word.
	if err := fs.FlagSet.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cli.Dispatch(ctx, prog, overview, env, commands(g), []string{"-h"})
		}
		return cli.Usagef("only --home comes before the command; put other flags after it, e.g. 'saferef sync --home DIR'; run 'saferef -h' for the list of commands", "%s", cli.FlagError(err))
	}
	return cli.Dispatch(ctx, prog, overview, env, commands(g), fs.Args())
}

// defaultHome is the device home when --home is not given: the same
// choice as the desktop app's (client.DefaultHome), announcing an older
// release's home if that is the one in use.
func defaultHome(env *cli.Env) string {
	c := client.DefaultHome(env.Getenv)
	if c.Legacy {
		fmt.Fprintf(env.Stderr, "saferef: note: %s\n", c.Notice)
	}
	return c.Dir
}

// flags returns a command's flag set with --home (defaulting to the global one).
func (g *globals) flags(env *cli.Env, name, usage string) (*cli.FlagSet, *string) {
	fs := cli.NewFlagSet(prog, name, usage, env.Stdout)
	home := fs.String("home", g.home, "device home `directory`")
	return fs, home
}

// open unlocks the device home.
func open(ctx context.Context, env *cli.Env, home string) (*client.Device, error) {
	if !client.IsHome(home) {
		return nil, cli.WithHint(errors.New("no device in "+home),
			"run 'saferef enrol' first, or point --home (or SAFEREF_HOME) at your device home")
	}
	now, err := clock(env)
	if err != nil {
		return nil, err
	}
	pass, err := env.Passphrase("the device vault in " + home)
	if err != nil {
		return nil, err
	}
	return client.OpenHomeWith(ctx, home, pass, &client.Options{Now: now})
}

// hint suggests what to do next for errors that carry no hint of their own.
func hint(err error) string {
	var ve payload.ValidationError
	switch {
	case errors.Is(err, client.ErrOrgNotInDirectory):
		return "check the organisation id and the relay url with your organisation admin ('saferef-admin org show'); nothing was written"
	case errors.Is(err, client.ErrClockWrong):
		return "set this computer's date, time and time zone right (automatic time is best), then run the command again"
	case errors.Is(err, client.ErrLogInconsistent):
		return "do not ask for approval again: tell your scheme coordinator and your relay operator (the relay may have lost or rolled back its data)"
	case errors.Is(err, client.ErrNotSameLog):
		return "that relay is not a node of your scheme's relay (or has a different history): check the address with your relay operator; this device still uses its old relay"
	case errors.Is(err, client.ErrHomeExists):
		return "this home already holds a device: use it, or choose another --home"
	case errors.Is(err, client.ErrNotSent):
		return "the rest is queued on this device: run 'saferef sync' to send it"
	case errors.Is(err, client.ErrNotInCase):
		return "run 'saferef cases list' to see the cases on this device"
	case errors.Is(err, crypto.ErrUnknownOrg):
		return "check the organisation id with your scheme coordinator; the relay's directory does not list it"
	case errors.Is(err, client.ErrNoRecipients):
		return "that organisation has no approved devices yet: ask its admin to approve one"
	case errors.As(err, &ve):
		return "fix the fields above; 'saferef referral template' prints a complete example"
	case errors.Is(err, guard.ErrRefused):
		return guardHint
	}
	return transitionHint(err)
}
