package cli

import (
	"flag"
	"fmt"
	"strings"
)

// FlagHint returns the hint for err, an error from parsing fs: for a flag
// the command does not have, the closest flag it does have (a typo, or a
// flag of another command); otherwise, or when nothing is close, where
// the command's flags are listed.
func FlagHint(fs *flag.FlagSet, err error) string {
	usage := fmt.Sprintf("run '%s -h' for usage", fs.Name())
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	if !ok {
		return usage
	}
	name = strings.TrimPrefix(name, "-")
	best, bestDist := "", 3 // suggest only within two edits
	fs.VisitAll(func(f *flag.Flag) {
		d := editDistance(name, f.Name)
		if strings.HasPrefix(f.Name, name) || strings.HasPrefix(name, f.Name) {
			d = min(d, 1)
		}
		if d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	if best == "" {
		return fmt.Sprintf("'%s' has no --%s; %s", fs.Name(), name, usage)
	}
	return fmt.Sprintf("did you mean --%s? %s", best, usage)
}

// FlagError restates an error from the flag package in the words of this
// program's messages: "unknown flag --days" for "flag provided but not
// defined: -days", "--to needs a value" for "flag needs an argument: -to".
func FlagError(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return "unknown flag --" + strings.TrimPrefix(name, "-")
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return "--" + strings.TrimPrefix(name, "-") + " needs a value"
	}
	return msg
}

// editDistance is the Levenshtein distance between a and b, in bytes
// (flag names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
