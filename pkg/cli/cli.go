// Package cli implements the flotilla command line: list, generate, render, validate, schema, secrets and migrate.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/chart"

	"github.com/flotilla/flotilla/pkg/catalog"
	"github.com/flotilla/flotilla/pkg/chartkit"
	"github.com/flotilla/flotilla/pkg/flagargs"
	"github.com/flotilla/flotilla/pkg/render"
)

// usage is the top-level help; the chart names come from the catalog.
func usage() string {
	var names []string
	for _, c := range catalog.Charts() {
		names = append(names, c.Name)
	}
	return fmt.Sprintf(`flotilla generates Helm charts from typed Go sources, renders them and makes the Secrets they need.

Usage:
  flotilla list                                     the embedded charts with their versions and app versions
  flotilla generate [--check]                       write charts/ and schemas/ (--check: fail on drift)
  flotilla render CHART [-f values.yaml]... [--set k=v]...   print the rendered manifests
  flotilla validate CHART -f values.yaml...         report every problem with the values (exit 1)
  flotilla schema CHART                             print the chart's values.schema.json
  flotilla release --registry REG --version V      build, sign and push the hook image and every chart
  flotilla secrets CHART -f values.yaml... [--namespace NS] [--apply]
                                                    print (or create) the Secrets the values name that the release does not create
  flotilla migrate [CHART] --from helmforge -f old.yaml [-o new.yaml]
                                                    rewrite another chart's values file into this chart's keys
  flotilla --version                                print flotilla's version

CHART is an embedded chart name (%s), a chart directory, a .tgz or an oci:// reference
(--version picks its tag; without it, the highest SemVer tag, as helm does).
Run "flotilla COMMAND --help" for a command's flags.
`, strings.Join(names, ", "))
}

// errUsage marks errors that print the usage text.
var errUsage = errors.New("usage")

// output is the stderr commands get: usage asked for with --help goes to stdout instead.
type output struct {
	io.Writer // stderr
	stdout    io.Writer
}

// Run executes the command line and returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		fmt.Fprint(stdout, usage())
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "--version" || args[0] == "-version" || args[0] == "version" {
		fmt.Fprintf(stdout, "flotilla %s\n", version())
		return 0
	}
	if args[0] == "help" { // help COMMAND is COMMAND --help
		if len(args) == 1 {
			fmt.Fprint(stdout, usage())
			return 0
		}
		args = []string{args[1], "--help"}
	}
	cmds := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"generate": runGenerate,
		"render":   runRender,
		"validate": runValidate,
		"schema":   runSchema,
		"release":  runRelease,
		"secrets":  runSecrets,
		"list":     runList,
		"migrate":  runMigrate,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		names := make([]string, 0, len(cmds))
		for n := range cmds {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(stderr, "flotilla: unknown command %q (want one of %s)\n\n%s", args[0], strings.Join(names, ", "), usage())
		return 2
	}
	err := cmd(ctx, args[1:], stdout, output{Writer: stderr, stdout: stdout})
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

// parse parses flags anywhere among the arguments and returns the positional ones.
// Usage asked for with -h/--help goes to stdout (exit 0); after a mistake, to stderr.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	usage := fs.Usage
	fs.Usage = func() {} // printed below, where it belongs
	defer func() { fs.Usage = usage }()
	pos, err := flagargs.Parse(fs, args)
	if err != nil {
		if o, ok := fs.Output().(output); ok && errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(o.stdout)
			defer fs.SetOutput(o)
		}
		usage()
	}
	return pos, err
}

func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: flotilla %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func runGenerate(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("generate", "generate [--check] [--root DIR]", stderr)
	check := fs.Bool("check", false, "compare instead of writing; exit 1 naming every file that drifted")
	root := fs.String("root", "", "repository root (default: the directory holding go.mod, found upwards)")
	pos, err := parse(fs, args)
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
	notes                 io.Writer // where notes to the user go (the flags' output, stderr)
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
	r.notes = fs.Output()
}

// options are the render options the flags give.
func (r *renderFlags) options() render.Options {
	return render.Options{
		ReleaseName: r.release, Namespace: r.namespace, KubeVersion: r.kubeVersion,
		ValueFiles: r.files, Set: r.set, SetString: r.setString,
	}
}

// load loads the chart the flags name.
func (r *renderFlags) load(ctx context.Context, ref string) (*chart.Chart, error) {
	ch, err := render.Load(ctx, ref, render.LoadOptions{Version: r.version, PlainHTTP: r.plainHTTP})
	if err != nil {
		return nil, err
	}
	noteVersion(r.notes, ref, r.version, ch)
	return ch, nil
}

// noteVersion says which version an oci:// reference without one got.
func noteVersion(w io.Writer, ref, version string, ch *chart.Chart) {
	if strings.HasPrefix(ref, "oci://") && version == "" && !render.OCIRefPinned(ref) {
		fmt.Fprintf(w, "flotilla: %s has no --version: using its highest SemVer tag, %s (as helm install does); pass --version to pin it\n", ref, ch.Metadata.Version)
	}
}

func (r *renderFlags) render(ctx context.Context, chartRef string) (*render.Result, error) {
	ch, err := r.load(ctx, chartRef)
	if err != nil {
		return nil, err
	}
	res, err := render.Render(ch, r.options())
	if err != nil {
		return nil, err
	}
	// Any chart may be given: refuse manifests that are not YAML, as helm template does.
	if err := res.Decode(); err != nil {
		return nil, fmt.Errorf("render %s: %w", ch.Name(), err)
	}
	return res, nil
}

// parseChart registers the render flags on fs (beside the command's own), parses args and
// returns the one CHART.
func (r *renderFlags) parseChart(fs *flag.FlagSet, args []string) (string, error) {
	r.register(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return "", err
	}
	return oneChart(pos)
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
	notes := fs.Bool("notes", false, "print NOTES.txt after the manifests")
	ref, err := rf.parseChart(fs, args)
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
	ref, err := rf.parseChart(fs, args)
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
	pos, err := parse(fs, args)
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
	noteVersion(stderr, ref, *version, ch)
	if len(ch.Schema) == 0 {
		return fmt.Errorf("chart %s has no values.schema.json", ch.Name())
	}
	_, err = stdout.Write(ch.Schema)
	return err
}
