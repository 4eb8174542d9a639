// Package cli implements the flotilla command line: generate, render, validate and schema.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/flotilla/flotilla/pkg/catalog"
	"github.com/flotilla/flotilla/pkg/chartkit"
	"github.com/flotilla/flotilla/pkg/flagargs"
	"github.com/flotilla/flotilla/pkg/render"
)

const usage = `flotilla generates Helm charts from typed Go sources and renders them.

Usage:
  flotilla generate [--check]                      write charts/ and schemas/ (--check: fail on drift)
  flotilla render CHART [-f values.yaml]... [--set k=v]...   print the rendered manifests
  flotilla validate CHART -f values.yaml...         report every problem with the values (exit 1)
  flotilla schema CHART                             print the chart's values.schema.json

CHART is an embedded chart name (flowise), a chart directory, a .tgz or an oci:// reference.
Run "flotilla COMMAND --help" for a command's flags.
`

// errUsage marks errors that print the usage text.
var errUsage = errors.New("usage")

// Run executes the command line and returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmds := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"generate": runGenerate,
		"render":   runRender,
		"validate": runValidate,
		"schema":   runSchema,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "flotilla: unknown command %q (want generate, render, validate or schema)\n\n%s", args[0], usage)
		return 2
	}
	err := cmd(ctx, args[1:], stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "flotilla %s: %v\n", args[0], err)
		return 2
	case errors.Is(err, errReported):
		return 1
	default:
		fmt.Fprintf(stderr, "flotilla %s: %v\n", args[0], err)
		return 1
	}
}

// errReported means the command already printed why it failed.
var errReported = errors.New("reported")

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: flotilla %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func runGenerate(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("generate", "generate [--check] [--root DIR]", stderr)
	check := fs.Bool("check", false, "compare instead of writing; exit 1 naming every file that drifted")
	root := fs.String("root", "", "repository root (default: the directory holding go.mod, found upwards)")
	pos, err := flagargs.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: generate takes no arguments, got %q", errUsage, pos)
	}
	dir := *root
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		if dir, err = chartkit.FindRoot(wd); err != nil {
			return err
		}
	}
	files, err := chartkit.Generate(dir, catalog.Charts())
	if err != nil {
		return err
	}
	if !*check {
		if err := chartkit.Write(dir, files); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "generated %d files\n", len(files))
		return nil
	}
	drift, err := chartkit.Check(dir, files)
	if err != nil {
		return err
	}
	if len(drift) > 0 {
		fmt.Fprintf(stderr, "generated files drifted from the Go sources (run `make generate` and commit):\n")
		for _, d := range drift {
			fmt.Fprintf(stderr, "  %s\n", d)
		}
		return errReported
	}
	fmt.Fprintf(stdout, "%d generated files are up to date\n", len(files))
	return nil
}

// renderFlags are the flags render and validate share.
type renderFlags struct {
	files, set, setString multi
	release, namespace    string
	kubeVersion, version  string
	plainHTTP             bool
}

func (r *renderFlags) register(fs *flag.FlagSet) {
	fs.Var(&r.files, "f", "values file (repeatable; later files win)")
	fs.Var(&r.files, "values", "same as -f")
	fs.Var(&r.set, "set", "set a value: key=value (repeatable, helm syntax)")
	fs.Var(&r.setString, "set-string", "set a string value: key=value (repeatable)")
	fs.StringVar(&r.release, "release", "release", "release name")
	fs.StringVar(&r.namespace, "namespace", "default", "namespace")
	fs.StringVar(&r.kubeVersion, "kube-version", "", "Kubernetes version to render for (e.g. v1.37.0)")
	fs.StringVar(&r.version, "version", "", "chart version (tag) of an oci:// chart")
	fs.BoolVar(&r.plainHTTP, "plain-http", false, "use plain http for an oci:// registry")
}

func (r *renderFlags) render(ctx context.Context, chartRef string) (*render.Result, error) {
	ch, err := render.Load(ctx, chartRef, render.LoadOptions{Version: r.version, PlainHTTP: r.plainHTTP})
	if err != nil {
		return nil, err
	}
	res, err := render.Render(ch, render.Options{
		ReleaseName: r.release, Namespace: r.namespace, KubeVersion: r.kubeVersion,
		ValueFiles: r.files, Set: r.set, SetString: r.setString,
	})
	if err != nil {
		return nil, err
	}
	// Any chart may be given: refuse manifests that are not YAML, as helm template does.
	if err := res.Decode(); err != nil {
		return nil, fmt.Errorf("render %s: %w", ch.Name(), err)
	}
	return res, nil
}

func oneChart(pos []string) (string, error) {
	if len(pos) != 1 {
		return "", fmt.Errorf("%w: want exactly one CHART (embedded name, directory, .tgz or oci:// reference), got %d", errUsage, len(pos))
	}
	return pos[0], nil
}

func runRender(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("render", "render CHART [-f values.yaml]... [--set key=value]...", stderr)
	var rf renderFlags
	rf.register(fs)
	notes := fs.Bool("notes", false, "print NOTES.txt after the manifests")
	pos, err := flagargs.Parse(fs, args)
	if err != nil {
		return err
	}
	ref, err := oneChart(pos)
	if err != nil {
		return err
	}
	res, err := rf.render(ctx, ref)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, res.YAML())
	if *notes {
		fmt.Fprintf(stdout, "\nNOTES:\n%s\n", res.Notes)
	}
	return nil
}

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("validate", "validate CHART -f values.yaml... [--set key=value]...", stderr)
	var rf renderFlags
	rf.register(fs)
	pos, err := flagargs.Parse(fs, args)
	if err != nil {
		return err
	}
	ref, err := oneChart(pos)
	if err != nil {
		return err
	}
	_, err = rf.render(ctx, ref)
	var ve *render.ValidationError
	if errors.As(err, &ve) {
		fmt.Fprintf(stderr, "%s: %d problem(s):\n", ve.Chart, max(len(ve.Problems), 1))
		for _, p := range ve.Problems {
			fmt.Fprintf(stderr, "  - %s\n", p)
		}
		if len(ve.Problems) == 0 {
			fmt.Fprintf(stderr, "  %s\n", ve.Helm)
		}
		return errReported
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "values are valid for %s\n", ref)
	return nil
}

func runSchema(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("schema", "schema CHART", stderr)
	version := fs.String("version", "", "chart version (tag) of an oci:// chart")
	plain := fs.Bool("plain-http", false, "use plain http for an oci:// registry")
	pos, err := flagargs.Parse(fs, args)
	if err != nil {
		return err
	}
	ref, err := oneChart(pos)
	if err != nil {
		return err
	}
	ch, err := render.Load(ctx, ref, render.LoadOptions{Version: *version, PlainHTTP: *plain})
	if err != nil {
		return err
	}
	if len(ch.Schema) == 0 {
		return fmt.Errorf("chart %s has no values.schema.json", ch.Name())
	}
	_, err = stdout.Write(ch.Schema)
	return err
}
