package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

const prog = "saferef"

const overview = `Usage: saferef [--home HOME] COMMAND [flags]

saferef carries end-to-end encrypted housing referrals between the landlords
and support providers of a reciprocal scheme. HOME is this device's home
directory (default $SAFEREF_HOME, else the user config directory).
Passphrases come from a terminal prompt, or SAFEREF_PASSPHRASE for scripts.`

// globals are the flags given before the command.
type globals struct {
	home string
}

func commands(g *globals) []cli.Command {
	return []cli.Command{
		{Name: "enrol", Synopsis: "create this device's home and an enrolment request for your admin", Run: g.enrol},
		{Name: "sync", Synopsis: "send what is queued and receive everything waiting at the relay", Run: g.sync},
		{Name: "referral template", Synopsis: "print a complete example referral as JSON", Run: g.referralTemplate},
		{Name: "referral send", Synopsis: "send a referral to landlords", Run: g.referralSend},
		{Name: "message send", Synopsis: "send a message to everyone in a case", Run: g.messageSend},
		{Name: "cases list", Synopsis: "list the cases on this device", Run: g.casesList},
		{Name: "cases show", Synopsis: "show one case: referral, messages, receipts", Run: g.casesShow},
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
		return cli.Usagef("run 'saferef -h' for usage", "%v", err)
	}
	return cli.Dispatch(ctx, prog, overview, env, commands(g), fs.Args())
}

func defaultHome(env *cli.Env) string {
	if h := env.Getenv(cli.EnvHome); h != "" {
		return h
	}
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "saferef")
	}
	return ".saferef"
}

// flags returns a command's flag set with --home (defaulting to the global one).
func (g *globals) flags(env *cli.Env, name, usage string) (*cli.FlagSet, *string) {
	fs := cli.NewFlagSet(prog, name, usage, env.Stdout)
	home := fs.String("home", g.home, "device home `directory`")
	return fs, home
}

// open unlocks the device home.
func open(ctx context.Context, env *cli.Env, home string) (*client.Device, error) {
	if _, err := os.Stat(filepath.Join(home, client.ConfigFile)); err != nil {
		return nil, cli.WithHint(errors.New("no device in "+home),
			"run 'saferef enrol' first, or point --home (or SAFEREF_HOME) at your device home")
	}
	pass, err := env.Passphrase("the device vault in " + home)
	if err != nil {
		return nil, err
	}
	return client.OpenHome(ctx, home, pass)
}

// hint suggests what to do next for errors that carry no hint of their own.
func hint(err error) string {
	var ve payload.ValidationError
	switch {
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
	}
	return ""
}
