package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/internal/admin"
)

// notPublishedHint is what to do when the relay did not confirm a
// publication.
const notPublishedHint = "do not assume it took effect: phone the other organisations' admins and the scheme coordinator so they know, and the relay operator; run the command again once the relay and its witnesses answer"

// publishing wraps a command that publishes to the relay: after it
// succeeds, it prints each confirmed publication's log index and
// checkpoint size, just before the command's last line (which stays
// last: scripts read an id from it); a publication the relay did not
// confirm becomes "error: the relay did not publish ..." with a hint.
func publishing(run func(context.Context, *cli.Env, []string) error) func(context.Context, *cli.Env, []string) error {
	return func(ctx context.Context, env *cli.Env, args []string) error {
		args, wait, err := publishWait(args)
		if err != nil {
			return err
		}
		if wait > 0 {
			ctx = admin.WithPublishWait(ctx, wait)
		}
		dir := flagValue(args, "dir")
		before := 0
		if dir != "" {
			if p, err := admin.Publications(dir); err == nil {
				before = len(p)
			}
		}
		var out, published bytes.Buffer
		inner := *env
		inner.Stdout = &out
		err = run(ctx, &inner, args)
		var npe *admin.NotPublishedError
		if errors.As(err, &npe) {
			err = cli.WithHint(npe, notPublishedHint)
		}
		if all, perr := admin.Publications(dir); err == nil && dir != "" && perr == nil && len(all) >= before {
			for _, p := range all[before:] {
				if p.Witnessed.IsZero() {
					fmt.Fprintf(&published, "published: log index %d, in the relay's checkpoint of size %d\n", p.Index, p.Size)
					continue
				}
				fmt.Fprintf(&published, "published: log index %d, in the witnessed checkpoint of size %d (cosigned %s)\n", p.Index, p.Size, p.Witnessed.UTC().Format(time.RFC3339))
			}
		}
		b := out.Bytes()
		i := bytes.LastIndexByte(bytes.TrimSuffix(b, []byte("\n")), '\n') + 1
		env.Stdout.Write(b[:i])
		env.Stdout.Write(published.Bytes())
		env.Stdout.Write(b[i:])
		return err
	}
}

// publishWait takes the --publish-wait D flag (how long to wait for the
// relay to confirm a publication; default 30s) out of args.
func publishWait(args []string) ([]string, time.Duration, error) {
	var out []string
	var wait time.Duration
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "publish-wait" {
			out = append(out, a)
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				return nil, 0, cli.Usagef("give a duration, e.g. --publish-wait 2m", "--publish-wait needs a value")
			}
			i++
			val = args[i]
		}
		d, err := time.ParseDuration(val)
		if err != nil || d <= 0 {
			return nil, 0, cli.Usagef("give a duration, e.g. --publish-wait 2m", "bad --publish-wait %q", val)
		}
		wait = d
	}
	return out, wait, nil
}

// flagValue returns the value of --name (or -name) in args, or "".
func flagValue(args []string, name string) string {
	for i, a := range args {
		a = strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}
