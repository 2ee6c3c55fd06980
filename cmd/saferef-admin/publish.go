package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/saferef/saferef/client/admin"
	"github.com/saferef/saferef/cmd/internal/cli"
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
		err := run(ctx, &inner, args)
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
