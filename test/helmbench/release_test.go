package helmbench_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/cli/values"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/getter"

	"github.com/flotilla/flotilla/pkg/render"
)

// oursEnv names a directory holding chart directories to benchmark instead of the embedded
// charts, e.g. an older charts/ extracted with `git archive`, to compare before and after.
const oursEnv = "FLOTILLA_BENCH_CHARTS"

// release is a loaded chart with its user values, rendered the way Helm's install action does.
type release struct {
	chart *chart.Chart
	user  map[string]any
	caps  *chartutil.Capabilities
}

// ours loads one of Flotilla's charts (embedded, or from $FLOTILLA_BENCH_CHARTS).
func ours(b *testing.B, name string, valueFiles ...string) *release {
	b.Helper()
	if dir := os.Getenv(oursEnv); dir != "" {
		return load(b, filepath.Join(dir, name), valueFiles...)
	}
	ch, err := render.Load(context.Background(), name, render.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return newRelease(b, ch, valueFiles)
}

// peer loads the chart whose directory the environment variable env names, skipping the
// benchmark when it is unset.
func peer(b *testing.B, env string, valueFiles ...string) *release {
	b.Helper()
	dir := os.Getenv(env)
	if dir == "" {
		b.Skipf("%s is not set: point it at the peer chart's directory to compare with it", env)
	}
	return load(b, dir, valueFiles...)
}

func load(b *testing.B, dir string, valueFiles ...string) *release {
	b.Helper()
	ch, err := loader.Load(dir)
	if err != nil {
		b.Fatalf("load %s: %v", dir, err)
	}
	return newRelease(b, ch, valueFiles)
}

func newRelease(b *testing.B, ch *chart.Chart, valueFiles []string) *release {
	b.Helper()
	user, err := (&values.Options{ValueFiles: valueFiles}).MergeValues(getter.Providers{})
	if err != nil {
		b.Fatalf("values of %s: %v", ch.Name(), err)
	}
	// Helm's install action drops disabled subcharts before rendering; doing it once here
	// leaves the chart as every later render would see it.
	if err := chartutil.ProcessDependenciesWithMerge(ch, user); err != nil {
		b.Fatalf("dependencies of %s: %v", ch.Name(), err)
	}
	kv, err := chartutil.ParseKubeVersion(render.DefaultKubeVersion)
	if err != nil {
		b.Fatal(err)
	}
	caps := chartutil.DefaultCapabilities.Copy()
	caps.KubeVersion = *kv
	r := &release{chart: ch, user: user, caps: caps}
	if err := r.render(); err != nil {
		b.Fatal(err)
	}
	return r
}

// render is one `helm template`: coalesce and validate the values, then run the templates.
func (r *release) render() error {
	opts := chartutil.ReleaseOptions{Name: "bench", Namespace: "apps", Revision: 1, IsInstall: true}
	top, err := chartutil.ToRenderValues(r.chart, r.user, opts, r.caps)
	if err != nil {
		return fmt.Errorf("values of %s: %w", r.chart.Name(), err)
	}
	files, err := engine.Render(r.chart, top)
	if err != nil {
		return fmt.Errorf("render %s: %w", r.chart.Name(), err)
	}
	if len(files) == 0 {
		return fmt.Errorf("render %s: no files", r.chart.Name())
	}
	return nil
}
