package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// FlagSet is a flag.FlagSet that knows its command's usage text.
type FlagSet struct {
	*flag.FlagSet
	prog  string
	usage string // synopsis and description, printed by -h
	out   io.Writer
}

// NewFlagSet returns a FlagSet for the command `prog name`, whose -h prints
// usage (a synopsis line, a blank line, a description) and the flags on out.
func NewFlagSet(prog, name, usage string, out io.Writer) *FlagSet {
	fs := flag.NewFlagSet(strings.TrimSpace(prog+" "+name), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &FlagSet{FlagSet: fs, prog: prog, usage: usage, out: out}
}

// PrintUsage prints the usage text and the flags.
func (fs *FlagSet) PrintUsage() {
	fmt.Fprintln(fs.out, strings.TrimRight(fs.usage, "\n"))
	var has bool
	fs.VisitAll(func(*flag.Flag) { has = true })
	if has {
		fmt.Fprintln(fs.out, "\nFlags:")
		fs.SetOutput(fs.out)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
}

// Parse parses args, allowing flags after positional arguments (a lone
// "--" ends flag parsing), and returns the positional arguments. -h prints
// usage and returns ErrHelp; a bad flag returns a usage error.
func (fs *FlagSet) Parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.FlagSet.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.PrintUsage()
				return nil, ErrHelp
			}
			return nil, Usagef(FlagHint(fs.FlagSet, err), "%s", FlagError(err))
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// Required returns a usage error naming the first of the flags that was
// left empty.
func (fs *FlagSet) Required(flags ...string) error {
	for _, name := range flags {
		f := fs.Lookup(name)
		if f == nil || f.Value.String() == "" || f.Value.String() == "[]" {
			return Usagef(fmt.Sprintf("run '%s -h' for usage", fs.Name()), "missing --%s", name)
		}
	}
	return nil
}

// NArgs returns a usage error unless exactly n positional arguments were given.
func (fs *FlagSet) NArgs(pos []string, n int, what string) error {
	if len(pos) != n {
		if len(pos) < n {
			return Usagef(fmt.Sprintf("run '%s -h' for usage", fs.Name()), "missing %s", what)
		}
		return Usagef(fmt.Sprintf("run '%s -h' for usage", fs.Name()), "unexpected argument %q", pos[n])
	}
	return nil
}

// ListFlag is a flag that may be repeated and whose values may also be
// comma-separated: --district A --district "B,C".
type ListFlag []string

// String returns the values joined by commas.
func (l *ListFlag) String() string { return strings.Join(*l, ",") }

// Set adds one or more comma-separated values.
func (l *ListFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// ParseNoArgs parses args for a command that takes flags only: it refuses
// positional arguments and any of the required flags left unset.
func (fs *FlagSet) ParseNoArgs(args []string, required ...string) error {
	pos, err := fs.Parse(args)
	if err != nil {
		return err
	}
	if err := fs.NArgs(pos, 0, ""); err != nil {
		return err
	}
	return fs.Required(required...)
}

// ParseOneArg parses args for a command that takes exactly one positional
// argument, named what in the usage error, and refuses any of the required
// flags left unset. It returns the argument.
func (fs *FlagSet) ParseOneArg(args []string, what string, required ...string) (string, error) {
	pos, err := fs.Parse(args)
	if err != nil {
		return "", err
	}
	if err := fs.NArgs(pos, 1, what); err != nil {
		return "", err
	}
	if err := fs.Required(required...); err != nil {
		return "", err
	}
	return pos[0], nil
}
