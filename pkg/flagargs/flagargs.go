// Package flagargs parses a flag.FlagSet whose flags may stand anywhere among the positional
// arguments, as both of Flotilla's command lines accept (flotilla render CHART -f v.yaml,
// flotilla-hook cache invalidate QUERY_ID --cascade).
package flagargs

import "flag"

// Parse parses flags anywhere among args and returns the positional arguments in order.
// "--" ends flag parsing for the one argument after it only.
func Parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
