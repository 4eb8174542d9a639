//go:build runtime

package runtime

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/flotilla/flotilla/pkg/podrun"
	"github.com/flotilla/flotilla/pkg/render"
)

const imagePosthogKey = "phc_flotilla_runtime_image_key"

// release is one rendered example with the local servers standing in for its Services.
type release struct {
	t        *testing.T
	name     string
	res      *render.Result
	objects  *podrun.Objects
	services []podrun.Service
	dir      string // volumes, logs
	claims   string // PVCs survive pod replacement
	pods     int
}

// renderRelease renders charts/flowise (what users install) with the example and extra values.
func renderRelease(t *testing.T, example string, set, setString []string) *release {
	t.Helper()
	ctx := context.Background()
	ch, err := render.Load(ctx, filepath.Join(env.Root, "charts", "flowise"), render.LoadOptions{})
	require.NoError(t, err)
	var files []string
	if example != "" {
		files = append(files, filepath.Join(env.Root, "examples", "flowise", example))
	}
	res, err := render.Render(ch, render.Options{ReleaseName: "flowise", Namespace: "ai", ValueFiles: files, Set: set, SetString: setString})
	require.NoError(t, err)
	dir, err := os.MkdirTemp(env.Work, strings.TrimSuffix(example, ".yaml")+"-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o755))
	r := &release{t: t, name: example, res: res, objects: &podrun.Objects{}, dir: dir, claims: filepath.Join(dir, "claims")}
	for _, m := range append(append([]render.Manifest{}, res.Manifests...), res.Hooks...) {
		if m.Kind == "Secret" || m.Kind == "ConfigMap" {
			obj, err := m.Object()
			require.NoError(t, err)
			require.NoError(t, r.objects.AddManifest(obj))
		}
	}
	return r
}

// service maps a Service host name and port (as the pods see them) to a local address.
func (r *release) service(host string, port int, addr string) {
	r.services = append(r.services, podrun.Service{Host: host, Port: port, Addr: addr})
}

func (r *release) deployment(name string) *appsv1.Deployment {
	return decodeOne[appsv1.Deployment](r, "Deployment", name)
}

func (r *release) hookJob(name string) *batchv1.Job { return decodeOne[batchv1.Job](r, "Job", name) }

// decodeOne decodes the one rendered object of that kind and name.
func decodeOne[T any](r *release, kind, name string) *T {
	r.t.Helper()
	ms := r.res.Find(kind, name)
	require.Len(r.t, ms, 1, "%s %s", kind, name)
	var obj T
	require.NoError(r.t, yaml.Unmarshal([]byte(ms[0].YAML), &obj))
	return &obj
}

// pod makes a new pod instance from a pod template: fresh emptyDirs, the release's PVCs.
func (r *release) pod(spec corev1.PodSpec) *podrun.Pod {
	r.t.Helper()
	r.pods++
	dir := filepath.Join(r.dir, fmt.Sprintf("pod-%d", r.pods))
	require.NoError(r.t, os.MkdirAll(dir, 0o755))
	p, err := podrun.New(spec, podrun.Options{
		Dir: dir, ClaimDir: r.claims, Objects: r.objects, Services: r.services, PodUser: true,
		Images: map[string]podrun.Image{
			"docker.io/flowiseai/flowise":    {Path: filepath.Join(env.FlowiseDir, "node_modules", ".bin") + ":/usr/local/bin:/usr/bin:/bin"},
			"ghcr.io/flotilla/flotilla-hook": {Entrypoint: []string{env.Hook}},
		},
	})
	require.NoError(r.t, err)
	return p
}

// runJob runs a hook Job's single container to completion, as Helm's hook would.
func (r *release) runJob(ctx context.Context, job *batchv1.Job) (string, error) {
	p := r.pod(job.Spec.Template.Spec)
	c, err := p.Container(job.Spec.Template.Spec.Containers[0].Name)
	require.NoError(r.t, err)
	return c.Run(ctx)
}

// running is a started Flowise container.
type running struct {
	pod  *podrun.Pod
	c    *podrun.Container
	proc *podrun.Process
}

// start makes a pod from the Deployment, runs its init containers, starts the named container
// and, when wait is set, waits for its readiness probe.
func (r *release) start(ctx context.Context, d *appsv1.Deployment, container string, wait bool) *running {
	r.t.Helper()
	spec := d.Spec.Template.Spec
	p := r.pod(spec)
	for _, ic := range spec.InitContainers {
		c, err := p.Container(ic.Name)
		require.NoError(r.t, err)
		out, err := c.Run(ctx)
		require.NoError(r.t, err, "init container %s", ic.Name)
		r.t.Logf("%s: init container %s: %s", d.Name, ic.Name, lastLine(out))
	}
	c, err := p.Container(container)
	require.NoError(r.t, err)
	proc, err := c.Start(ctx)
	require.NoError(r.t, err)
	run := &running{pod: p, c: c, proc: proc}
	r.t.Cleanup(func() { _ = proc.Stop(20 * time.Second) })
	if wait {
		run.waitReady(r.t, ctx)
	}
	return run
}

func (run *running) waitReady(t *testing.T, ctx context.Context) {
	t.Helper()
	t0 := time.Now()
	wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	require.NoError(t, run.c.WaitProbe(wctx, "readiness", run.proc))
	t.Logf("%s ready after %s", run.c.Name, time.Since(t0).Round(time.Second))
}

func (run *running) stop() { _ = run.proc.Stop(30 * time.Second) }

func (run *running) url(t *testing.T) string {
	port, err := run.pod.LocalPort("http")
	require.NoError(t, err)
	return "http://127.0.0.1:" + strconv.Itoa(port)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
