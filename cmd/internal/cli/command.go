package cli

import (
	"context"
	"fmt"
	"strings"
)

// Command is one subcommand, named by its words ("referral send").
type Command struct {
	Name     string
	Synopsis string // one line for the command list
	Run      func(ctx context.Context, env *Env, args []string) error
}

// Dispatch finds the command whose name is the longest prefix of args and
// runs it with the remaining arguments. overview is printed for -h, or when
// no command is given.
func Dispatch(ctx context.Context, prog, overview string, env *Env, cmds []Command, args []string) error {
	var (
		best  *Command
		words int
	)
	for i := range cmds {
		name := strings.Fields(cmds[i].Name)
		if len(name) > len(args) || len(name) <= words {
			continue
		}
		match := true
		for j, w := range name {
			if args[j] != w {
				match = false
				break
			}
		}
		if match {
			best, words = &cmds[i], len(name)
		}
	}
	if best != nil {
		return best.Run(ctx, env, args[words:])
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		printOverview(env, prog, overview, cmds)
		if len(args) == 0 {
			return Usagef(fmt.Sprintf("run '%s -h' for the list of commands", prog), "no command given")
		}
		return ErrHelp
	}
	if strings.HasPrefix(args[0], "-") {
		// A command's flag put before the command: `prog --dir D org add`.
		return Usagef(fmt.Sprintf("put it after the command, e.g. '%s COMMAND %s ...'; run '%s -h' for the list of commands", prog, args[0], prog),
			"%s is not a command: this program's flags go after the command", args[0])
	}
	// A known group word with a missing or unknown subcommand.
	var group []string
	for _, c := range cmds {
		if strings.HasPrefix(c.Name+" ", args[0]+" ") {
			group = append(group, prog+" "+c.Name)
		}
	}
	if len(group) > 0 && len(args) > 1 && (args[1] == "-h" || args[1] == "-help" || args[1] == "--help") {
		fmt.Fprintln(env.Stdout, "Commands:")
		for _, g := range group {
			fmt.Fprintln(env.Stdout, "  "+g)
		}
		return ErrHelp
	}
	if len(group) > 0 {
		return Usagef("try one of: "+strings.Join(group, ", "), "unknown command %q", strings.Join(args[:min(2, len(args))], " "))
	}
	return Usagef(fmt.Sprintf("run '%s -h' for the list of commands", prog), "unknown command %q", args[0])
}

func printOverview(env *Env, prog, overview string, cmds []Command) {
	out := env.Stdout
	fmt.Fprintln(out, strings.TrimRight(overview, "\n"))
	fmt.Fprintln(out, "\nCommands:")
	w := 0
	for _, c := range cmds {
		w = max(w, len(c.Name))
	}
	for _, c := range cmds {
		fmt.Fprintf(out, "  %-*s  %s\n", w, c.Name, c.Synopsis)
	}
	fmt.Fprintf(out, "\nRun '%s COMMAND -h' for a command's usage.\n", prog)
}
