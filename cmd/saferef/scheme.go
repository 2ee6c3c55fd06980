package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/saferef/saferef/cmd/internal/cli"
)

// balanceJSON is one line of 'scheme balance --json'.
type balanceJSON struct {
	Landlord string `json:"landlord"`
	Name     string `json:"name"`
	Given    int    `json:"given"`
	Received int    `json:"received"`
	Net      int    `json:"net"`
}

const balanceUsage = `Usage: saferef [--home HOME] scheme balance [--json]

For the scheme coordinator: the central pot, from the outcome statistics the
nominating organisations send when a case closes with a move (counts only,
never a person or a case). For each landlord: homes given to the scheme,
homes received from it (its tenants rehoused elsewhere), and the net. Run
'saferef sync' first to receive the latest outcomes.`

func (g *globals) schemeBalance(ctx context.Context, env *cli.Env, args []string) error {
	fs, home := g.flags(env, "scheme balance", balanceUsage)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.ParseNoArgs(args); err != nil {
		return err
	}
	d, err := open(ctx, env, *home)
	if err != nil {
		return err
	}
	defer d.Close()
	rows, err := d.Balance(ctx)
	if err != nil {
		return explain(err)
	}
	if *asJSON {
		out := make([]balanceJSON, 0, len(rows))
		for _, r := range rows {
			out = append(out, balanceJSON{Landlord: r.Landlord.String(), Name: r.Name, Given: r.Given, Received: r.Received, Net: r.Net})
		}
		return writeJSON(env.Stdout, out)
	}
	if len(rows) == 0 {
		fmt.Fprintln(env.Stdout, "no outcomes received yet")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "LANDLORD\tGIVEN\tRECEIVED\tNET\t")
	for _, r := range rows {
		name := r.Name
		if name == "" {
			name = r.Landlord.String()
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%+d\t\n", name, r.Given, r.Received, r.Net)
	}
	return tw.Flush()
}
