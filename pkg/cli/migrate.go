package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/flotilla/flotilla/pkg/catalog"
	"github.com/flotilla/flotilla/pkg/chartkit"
	"github.com/flotilla/flotilla/pkg/migrate"
)

// runMigrate rewrites a values file written for another chart into an embedded chart's keys.
func runMigrate(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", "migrate [CHART] --from SOURCE -f old.yaml [-o new.yaml]", stderr)
	from := fs.String("from", "", "the chart the values file was written for (helmforge)")
	in := fs.String("f", "", "the values file to migrate")
	out := fs.String("o", "", "where to write the migrated file (default: stdout)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return fmt.Errorf("%w: migrate takes at most one CHART, got %q", errUsage, pos)
	}
	if *from == "" || *in == "" {
		return fmt.Errorf("%w: --from and -f are required", errUsage)
	}
	c, err := compatChart(*from, pos)
	if err != nil {
		return err
	}
	src, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(c.Defaults)
	if err != nil {
		return err
	}
	var defaults map[string]any
	if err := json.Unmarshal(raw, &defaults); err != nil {
		return err
	}
	res, err := migrate.Migrate(src, c.Compat, defaults)
	if err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	if *out == "" {
		if _, err := stdout.Write(res.Values); err != nil {
			return err
		}
	} else if err := os.WriteFile(*out, res.Values, 0o644); err != nil {
		return err
	}
	moved := make([]string, 0, len(res.Moved))
	for k := range res.Moved {
		moved = append(moved, k)
	}
	sort.Strings(moved)
	for _, k := range moved {
		fmt.Fprintf(stderr, "renamed %s → %s\n", k, res.Moved[k])
	}
	for _, d := range res.Dropped {
		fmt.Fprintf(stderr, "NOT carried over: %s\n", d.Reason)
	}
	for _, p := range res.Unknown {
		fmt.Fprintf(stderr, "kept, but %s has no key %s (nor does %s's chart): check it with flotilla validate %s\n", c.Name, p, *from, c.Name)
	}
	fmt.Fprintf(stderr, "%s values for %s: %d renamed, %d not carried over, %d unknown\n", *from, c.Name, len(res.Moved), len(res.Dropped), len(res.Unknown))
	return nil
}

// compatChart is the embedded chart that declares compatibility with from: the one named in
// pos, or the only one.
func compatChart(from string, pos []string) (chartkit.Chart, error) {
	var matches, sources []string
	var found []chartkit.Chart
	seen := map[string]bool{}
	for _, c := range catalog.Charts() {
		if c.Compat == nil {
			continue
		}
		if !seen[c.Compat.From] {
			seen[c.Compat.From] = true
			sources = append(sources, c.Compat.From)
		}
		if c.Compat.From == from && (len(pos) == 0 || pos[0] == c.Name) {
			matches = append(matches, c.Name)
			found = append(found, c)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) > 1:
		return chartkit.Chart{}, fmt.Errorf("%w: several charts take %s values (%s): name one", errUsage, from, strings.Join(matches, ", "))
	case len(pos) == 1:
		return chartkit.Chart{}, fmt.Errorf("%w: chart %q does not take values of %q (charts that migrate: %s)", errUsage, pos[0], from, strings.Join(sources, ", "))
	}
	return chartkit.Chart{}, fmt.Errorf("%w: --from %q: no chart takes its values (want one of: %s)", errUsage, from, strings.Join(sources, ", "))
}
