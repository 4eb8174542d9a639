package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/flotilla/flotilla/charts"
	"github.com/flotilla/flotilla/pkg/render"
)

// runList prints the charts embedded in the binary, as rendered by CHART names.
func runList(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("list", "list", stderr)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: list takes no arguments, got %q", errUsage, pos)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERSION\tAPP VERSION\tDESCRIPTION")
	for _, name := range charts.Names {
		ch, err := render.LoadFS(charts.FS, name)
		if err != nil {
			return fmt.Errorf("embedded chart %s: %w", name, err)
		}
		m := ch.Metadata
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.Name, m.Version, m.AppVersion, m.Description)
	}
	return tw.Flush()
}
