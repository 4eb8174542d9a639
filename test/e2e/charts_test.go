//go:build e2e

package e2e

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// chartUnderTest is one chart directory and the example values files that go with it.
type chartUnderTest struct {
	Name, Dir, Version string
	Examples           []string // paths of examples/<name>/*.yaml
	Product            bool     // under charts/ (false: the harness's own test chart)
}

// charts lists every chart in charts/ with its examples/<chart>/*.yaml, plus the harness's own
// tiny chart under testdata (which proves the harness works even before charts/ has any chart).
func charts(t *testing.T) []chartUnderTest {
	t.Helper()
	var out []chartUnderTest
	add := func(dir, examplesDir string, product bool) {
		var meta struct{ Name, Version string }
		b, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
		if err != nil {
			t.Fatalf("reading %s/Chart.yaml: %v", dir, err)
		}
		if err := yaml.Unmarshal(b, &meta); err != nil {
			t.Fatalf("parsing %s/Chart.yaml: %v", dir, err)
		}
		ex, _ := filepath.Glob(filepath.Join(examplesDir, meta.Name, "*.yaml"))
		sort.Strings(ex)
		out = append(out, chartUnderTest{Name: meta.Name, Dir: dir, Version: meta.Version, Examples: ex, Product: product})
	}
	dirs, _ := filepath.Glob(filepath.Join(env.RepoRoot, "charts", "*", "Chart.yaml"))
	sort.Strings(dirs)
	for _, d := range dirs {
		add(filepath.Dir(d), filepath.Join(env.RepoRoot, "examples"), true)
	}
	if len(dirs) == 0 {
		t.Logf("NOTE: no chart under charts/ yet: only the harness's test chart is exercised")
	}
	if os.Getenv("E2E_SKIP_SMOKE_CHART") == "" {
		add(filepath.Join(env.RepoRoot, "test/e2e/testdata/charts/e2e-smoke"), filepath.Join(env.RepoRoot, "test/e2e/testdata/examples"), false)
	}
	return out
}

// ociRepo is where charts are pushed: oci://<registry>/charts/<name>.
func ociRepo() string { return "oci://" + env.Registry + "/charts" }

var pushed sync.Map // "name@version" -> error (nil when pushed)

// pushChart runs `helm package` + `helm push` once per chart and test binary run.
func pushChart(t *testing.T, c chartUnderTest) {
	t.Helper()
	key := c.Name + "@" + c.Version
	if v, ok := pushed.Load(key); ok {
		if v != nil {
			t.Fatalf("STEP FAILED: push %s (earlier attempt): %v", c.Name, v)
		}
		return
	}
	dest := filepath.Join(env.Work, "packages")
	if err := os.MkdirAll(dest, 0o755); err != nil {
		t.Fatal(err)
	}
	var err error
	if _, err = try(t, "helm package "+c.Name, nil, "helm", "package", c.Dir, "--destination", dest); err == nil {
		tgz := filepath.Join(dest, fmt.Sprintf("%s-%s.tgz", c.Name, c.Version))
		_, err = try(t, "helm push "+c.Name, nil, "helm", "push", tgz, ociRepo(), "--plain-http")
	}
	if err != nil {
		pushed.Store(key, err)
		t.Fatalf("STEP FAILED: package+push %s: %v", c.Name, err)
	}
	pushed.Store(key, nil)
}

// ociArgs are the arguments that make helm pull the chart from the registry (no local path).
func ociArgs(c chartUnderTest) []string {
	return []string{ociRepo() + "/" + c.Name, "--version", c.Version, "--plain-http"}
}

var nsSanitize = regexp.MustCompile(`[^a-z0-9-]+`)

func randSuffix(n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		x, _ := rand.Int(rand.Reader, big.NewInt(int64(len(letters))))
		b[i] = letters[x.Int64()]
	}
	return string(b)
}

// freshNamespace creates a new namespace enforcing the restricted Pod Security Standard
// (warn/audit too) and deletes it when the test ends.
func freshNamespace(t *testing.T, hint string) string {
	t.Helper()
	base := strings.Trim(nsSanitize.ReplaceAllString(strings.ToLower(hint), "-"), "-")
	if len(base) > 50 {
		base = base[:50]
	}
	ns := fmt.Sprintf("%s-%s", strings.TrimRight(base, "-"), randSuffix(5))
	doc := fmt.Sprintf(`apiVersion: v1
kind: Namespace
metadata:
  name: %s
  labels:
    flotilla.dev/e2e: "true"
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest
    pod-security.kubernetes.io/warn: restricted
    pod-security.kubernetes.io/audit: restricted
`, ns)
	must(t, "create namespace "+ns, []byte(doc), "kubectl", "apply", "-f", "-")
	t.Cleanup(func() {
		if os.Getenv("E2E_KEEP_NAMESPACES") != "" {
			t.Logf("keeping namespace %s (E2E_KEEP_NAMESPACES)", ns)
			return
		}
		if _, err := try(t, "delete namespace "+ns, nil, "kubectl", "delete", "namespace", ns, "--wait=false"); err != nil {
			t.Logf("WARNING: %v", err)
		}
	})
	return ns
}

// recyclePVs makes Released volumes of the e2e pool Available again (their claims' namespaces were
// deleted); there is no provisioner, so the pool is all the storage there is.
func recyclePVs(t *testing.T) {
	t.Helper()
	out := must(t, "list PersistentVolumes", nil, "kubectl", "get", "pv", "-l", "flotilla.dev/e2e-pool=true", "-o", "json")
	var list struct {
		Items []struct {
			Metadata struct{ Name string }
			Status   struct{ Phase string }
		}
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("parsing PV list: %v", err)
	}
	avail := 0
	for _, pv := range list.Items {
		switch pv.Status.Phase {
		case "Released":
			must(t, "recycle PV "+pv.Metadata.Name, nil, "kubectl", "patch", "pv", pv.Metadata.Name, "--type", "json",
				"-p", `[{"op":"remove","path":"/spec/claimRef"}]`)
			avail++
		case "Available":
			avail++
		}
	}
	if avail < 10 {
		t.Logf("WARNING: only %d PersistentVolumes available in the e2e pool (raise E2E_PV_COUNT)", avail)
	}
}

// valuesCase is one install of a chart: its defaults, or one example values file.
type valuesCase struct {
	Name   string
	Values []string
}

func cases(c chartUnderTest) []valuesCase {
	out := []valuesCase{{Name: "defaults"}}
	for _, ex := range c.Examples {
		out = append(out, valuesCase{Name: strings.TrimSuffix(filepath.Base(ex), ".yaml"), Values: []string{ex}})
	}
	return out
}

func valuesArgs(files []string) []string {
	var a []string
	for _, f := range files {
		a = append(a, "-f", f)
	}
	return a
}

// TestCharts installs every chart with its defaults and with every example, from the registry,
// into a fresh restricted namespace, and checks readiness, hooks, helm test, kept Secrets across
// upgrades and a reinstall, and a server-side dry-run of every rendered manifest.
func TestCharts(t *testing.T) {
	for _, c := range charts(t) {
		t.Run(c.Name, func(t *testing.T) {
			pushChart(t, c)
			for _, vc := range cases(c) {
				t.Run(vc.Name, func(t *testing.T) { installCase(t, c, vc) })
			}
		})
	}
}

func installCase(t *testing.T, c chartUnderTest, vc valuesCase) {
	ns := freshNamespace(t, "e2e-"+c.Name+"-"+vc.Name)
	const rel = "e2e"
	// (0) the README's first step: the Secrets the values name, from `flotilla secrets --apply`.
	createSecrets(t, ns, ociArgs(c), vc.Values)

	// (4) every rendered manifest passes the real apiserver's validation and admission.
	serverDryRun(t, c, ns, rel, vc.Values)

	// (1) install from the registry, --wait: workloads Ready, hook Jobs complete.
	recyclePVs(t)
	install := append([]string{"install", rel}, ociArgs(c)...)
	install = append(install, "--namespace", ns, "--wait", "--wait-for-jobs", "--timeout", "5m")
	install = append(install, valuesArgs(vc.Values)...)
	mustIn(t, ns, "helm install (oci)", "helm", install...)
	checkWorkloadsReady(t, ns)
	checkHookJobs(t, ns, rel)
	checkSecretRefs(t, ns)
	checkBackupObjects(t, ns, rel)
	dryRunPods(t, c, ns, rel, vc.Values)

	// (2) helm test.
	mustIn(t, ns, "helm test", "helm", "test", rel, "--namespace", ns, "--timeout", "5m")

	// (3) generated Secrets survive two upgrades with changed unrelated values, and a reinstall.
	before := keptSecrets(t, ns)
	if len(before) == 0 {
		t.Logf("NOTE: %s/%s generated no Secret with helm.sh/resource-policy=keep", c.Name, vc.Name)
	} else {
		t.Logf("kept Secrets to compare: %v", sortedKeys(before))
	}
	knob := unrelatedValue(t, c)
	for i := 1; i <= 2; i++ {
		up := append([]string{"upgrade", rel}, ociArgs(c)...)
		up = append(up, "--namespace", ns, "--wait", "--wait-for-jobs", "--timeout", "5m")
		up = append(up, valuesArgs(vc.Values)...)
		up = append(up, "--set-string", fmt.Sprintf("%s=rev-%d", knob, i))
		mustIn(t, ns, fmt.Sprintf("helm upgrade #%d", i), "helm", up...)
		checkWorkloadsReady(t, ns)
		compareSecrets(t, fmt.Sprintf("after helm upgrade #%d", i), before, keptSecrets(t, ns))
	}
	mustIn(t, ns, "helm uninstall", "helm", "uninstall", rel, "--namespace", ns, "--wait", "--timeout", "5m")
	compareSecrets(t, "after helm uninstall (kept)", before, keptSecrets(t, ns))
	recyclePVs(t)
	mustIn(t, ns, "helm install again (oci)", "helm", install...)
	checkWorkloadsReady(t, ns)
	compareSecrets(t, "after uninstall + install", before, keptSecrets(t, ns))
	mustIn(t, ns, "helm test after reinstall", "helm", "test", rel, "--namespace", ns, "--timeout", "5m")
}

// unrelatedValue picks a values key whose change touches no generated Secret: a per-chart choice,
// else the first map-valued annotation/label key of the chart's values.yaml.
func unrelatedValue(t *testing.T, c chartUnderTest) string {
	t.Helper()
	if k, ok := unrelatedValues[c.Name]; ok {
		return k
	}
	vals := chartValues(t, c)
	for _, k := range []string{"podAnnotations", "commonAnnotations", "podLabels", "commonLabels", "annotations"} {
		if v, ok := vals[k]; ok {
			if _, isMap := v.(map[string]any); isMap || v == nil {
				return k + ".flotilla-e2e-rev"
			}
		}
	}
	t.Fatalf("STEP FAILED: pick an unrelated value for %s: none of podAnnotations/commonAnnotations/podLabels/commonLabels in values.yaml; add the chart to unrelatedValues in test/e2e/charts_test.go", c.Name)
	return ""
}

// unrelatedValues overrides unrelatedValue per chart (a --set-string key).
var unrelatedValues = map[string]string{}

func chartValues(t *testing.T, c chartUnderTest) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(c.Dir, "values.yaml"))
	if err != nil {
		t.Fatalf("reading values.yaml of %s: %v", c.Name, err)
	}
	m := map[string]any{}
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("parsing values.yaml of %s: %v", c.Name, err)
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// keptSecrets returns .data of every Secret in ns annotated helm.sh/resource-policy: keep.
func keptSecrets(t *testing.T, ns string) map[string]map[string]string {
	t.Helper()
	out := must(t, "list Secrets", nil, "kubectl", "get", "secrets", "--namespace", ns, "-o", "json")
	var list struct {
		Items []struct {
			Metadata struct {
				Name        string
				Annotations map[string]string
			}
			Data map[string]string
		}
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("parsing Secret list: %v", err)
	}
	res := map[string]map[string]string{}
	for _, s := range list.Items {
		if s.Metadata.Annotations["helm.sh/resource-policy"] == "keep" {
			res[s.Metadata.Name] = s.Data
		}
	}
	return res
}

func compareSecrets(t *testing.T, when string, want, got map[string]map[string]string) {
	t.Helper()
	for name, data := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("generated Secret %s is gone %s", name, when)
			continue
		}
		if !reflect.DeepEqual(data, g) {
			var changed []string
			for k := range data {
				if data[k] != g[k] {
					changed = append(changed, k)
				}
			}
			for k := range g {
				if _, ok := data[k]; !ok {
					changed = append(changed, k+" (new)")
				}
			}
			sort.Strings(changed)
			t.Errorf("generated Secret %s changed %s: keys %v", name, when, changed)
		}
	}
}

type workloadList struct {
	Items []struct {
		Kind     string
		Metadata struct {
			Name       string
			Generation int64
		}
		Spec struct {
			Replicas *int32
		}
		Status struct {
			ObservedGeneration int64
			ReadyReplicas      int32
			UpdatedReplicas    int32
			AvailableReplicas  int32
		}
	}
}

// checkWorkloadsReady: every Deployment and StatefulSet in ns has all its replicas ready and
// updated. `helm --wait` can return a moment before the controllers publish the rollout's final
// status (seen once after an upgrade: ready 1, updated 0), so the check polls for up to a minute
// before it fails.
func checkWorkloadsReady(t *testing.T, ns string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		out := must(t, "list workloads", nil, "kubectl", "get", "deployments,statefulsets", "--namespace", ns, "-o", "json")
		var list workloadList
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("parsing workloads: %v", err)
		}
		if len(list.Items) == 0 {
			t.Logf("NOTE: no Deployment or StatefulSet in %s", ns)
		}
		var notReady []string
		for _, w := range list.Items {
			want := int32(1)
			if w.Spec.Replicas != nil {
				want = *w.Spec.Replicas
			}
			s := w.Status
			if s.ObservedGeneration < w.Metadata.Generation || s.ReadyReplicas != want || s.UpdatedReplicas != want {
				notReady = append(notReady, fmt.Sprintf("%s %s not ready: want %d replicas, ready %d, updated %d (generation %d, observed %d)",
					w.Kind, w.Metadata.Name, want, s.ReadyReplicas, s.UpdatedReplicas, w.Metadata.Generation, s.ObservedGeneration))
			}
		}
		if len(notReady) == 0 {
			for _, w := range list.Items {
				t.Logf("%s %s: %d ready, all updated", w.Kind, w.Metadata.Name, w.Status.ReadyReplicas)
			}
			return
		}
		if time.Now().After(deadline) {
			for _, msg := range notReady {
				t.Error(msg)
			}
			return
		}
		t.Logf("waiting for %d workload(s) to settle: %s", len(notReady), notReady[0])
		time.Sleep(time.Second)
	}
}

// checkHookJobs: every hook Job of the release completed (a hook Job deleted by its
// hook-succeeded policy counts as completed: helm deletes it only after success).
func checkHookJobs(t *testing.T, ns, rel string) {
	t.Helper()
	hooks := must(t, "helm get hooks", nil, "helm", "get", "hooks", rel, "--namespace", ns)
	for _, doc := range splitManifests(hooks) {
		var m struct {
			Kind     string
			Metadata struct {
				Name        string
				Annotations map[string]string
			}
		}
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil || m.Kind != "Job" {
			continue
		}
		if strings.Contains(m.Metadata.Annotations["helm.sh/hook"], "test") {
			continue
		}
		out, err := try(t, "get hook Job "+m.Metadata.Name, nil, "kubectl", "get", "job", m.Metadata.Name, "--namespace", ns,
			"-o", `jsonpath={.status.conditions[?(@.type=="Complete")].status}`)
		switch {
		case err != nil && strings.Contains(err.Error(), "NotFound"):
			t.Logf("hook Job %s: deleted after success (policy %q)", m.Metadata.Name, m.Metadata.Annotations["helm.sh/hook-delete-policy"])
		case err != nil:
			t.Errorf("hook Job %s: %v", m.Metadata.Name, err)
		case strings.TrimSpace(out) != "True":
			t.Errorf("hook Job %s is not Complete (condition %q)", m.Metadata.Name, out)
		default:
			t.Logf("hook Job %s: Complete", m.Metadata.Name)
		}
	}
}

// renderFromRegistry runs `helm template` on the pushed chart (no local path) with the case's
// values, for namespace ns; hooks and test pods included.
func renderFromRegistry(t *testing.T, c chartUnderTest, ns, rel string, values []string) []string {
	t.Helper()
	args := append([]string{"template", rel}, ociArgs(c)...)
	args = append(args, "--namespace", ns, "--kube-version", kubeVersion(t))
	args = append(args, valuesArgs(values)...)
	out := must(t, "helm template (oci)", nil, "helm", args...)
	return splitManifests(out)
}

var docSep = regexp.MustCompile(`(?m)^---[ \t]*$`)

// splitManifests splits a multi-document YAML stream, in order, dropping empty documents.
func splitManifests(s string) []string {
	var docs []string
	for _, d := range docSep.Split(s, -1) {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(d), &m); err == nil && len(m) > 0 {
			docs = append(docs, strings.TrimSpace(d)+"\n")
		}
	}
	return docs
}

var (
	kubeVersionOnce sync.Once
	kubeVersionStr  string
)

// kubeVersion is the plane's server version (e.g. v1.37.2), for helm template.
func kubeVersion(t *testing.T) string {
	t.Helper()
	kubeVersionOnce.Do(func() {
		out, err := try(t, "kubectl version", nil, "kubectl", "version", "-o", "json")
		if err == nil {
			var v struct{ ServerVersion struct{ GitVersion string } }
			if json.Unmarshal([]byte(out), &v) == nil {
				kubeVersionStr = v.ServerVersion.GitVersion
			}
		}
	})
	if kubeVersionStr == "" {
		t.Fatalf("STEP FAILED: read the apiserver's version")
	}
	return kubeVersionStr
}

func kindOf(doc string) (kind, name string) {
	var m struct {
		Kind     string
		Metadata struct{ Name string }
	}
	_ = yaml.Unmarshal([]byte(doc), &m)
	return m.Kind, m.Metadata.Name
}

var podSecurityViolation = regexp.MustCompile(`(?i)would violate PodSecurity|violates PodSecurity`)

// serverDryRun applies every rendered manifest except bare Pods with --dry-run=server (strict
// field validation, admission included) into the fresh namespace, before anything is installed.
// Bare Pods (hooks, helm test) need their ServiceAccount to exist: dryRunPods does them later.
func serverDryRun(t *testing.T, c chartUnderTest, ns, rel string, values []string) {
	t.Helper()
	var docs []string
	for _, d := range renderFromRegistry(t, c, ns, rel, values) {
		if k, _ := kindOf(d); k != "Pod" {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		t.Fatalf("STEP FAILED: helm template rendered no manifest for %s", c.Name)
	}
	out := mustAll(t, "kubectl apply --dry-run=server", []byte(strings.Join(docs, "\n---\n")), "kubectl", "apply",
		"--dry-run=server", "--validate=strict", "--namespace", ns, "-f", "-")
	if podSecurityViolation.MatchString(out) {
		t.Errorf("rendered workloads violate the restricted Pod Security Standard:\n%s", indent(out))
	}
	t.Logf("server-side dry-run accepted %d manifests", len(docs))
}

// dryRunPods creates (dry-run=server) every rendered bare Pod under a new name, now that the
// release's ServiceAccounts exist.
func dryRunPods(t *testing.T, c chartUnderTest, ns, rel string, values []string) {
	t.Helper()
	n := 0
	for _, d := range renderFromRegistry(t, c, ns, rel, values) {
		if k, _ := kindOf(d); k != "Pod" {
			continue
		}
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(d), &obj); err != nil {
			t.Fatalf("parsing rendered Pod: %v", err)
		}
		md := obj["metadata"].(map[string]any)
		md["name"] = fmt.Sprintf("%s-dryrun", md["name"])
		b, _ := json.Marshal(obj)
		out := mustAll(t, "kubectl create --dry-run=server (pod "+md["name"].(string)+")", b, "kubectl", "create",
			"--dry-run=server", "--validate=strict", "--namespace", ns, "-f", "-")
		if podSecurityViolation.MatchString(out) {
			t.Errorf("pod %s violates the restricted Pod Security Standard:\n%s", md["name"], indent(out))
		}
		n++
	}
	t.Logf("server-side dry-run accepted %d bare Pods (hooks/tests)", n)
}

// mustIn is must for a step acting on namespace ns: when it fails, the namespace's state
// (workloads, pods, jobs, claims, recent events) is printed before the test stops.
func mustIn(t *testing.T, ns, step string, name string, args ...string) string {
	t.Helper()
	out, err := try(t, step, nil, name, args...)
	if err != nil {
		t.Errorf("STEP FAILED: %s: %v", step, err)
		diagnose(t, ns)
		t.FailNow()
	}
	return out
}

// diagnose prints what is in ns and its recent events (the component logs are in build/e2e/logs).
func diagnose(t *testing.T, ns string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, args := range [][]string{
		{"get", "deployments,statefulsets,replicasets,jobs,pods,pvc,secrets", "--namespace", ns, "-o", "wide"},
		{"get", "pods", "--namespace", ns, "-o", `custom-columns=POD:.metadata.name,PHASE:.status.phase,NODE:.spec.nodeName,READY:.status.conditions[?(@.type=="Ready")].status,SCHED:.status.conditions[?(@.type=="PodScheduled")].message`},
		{"get", "events", "--namespace", ns, "--sort-by=.lastTimestamp"},
		{"get", "pv", "-l", "flotilla.dev/e2e-pool=true", "--no-headers", "-o", "custom-columns=STATUS:.status.phase"},
		{"get", "nodes", "-o", "wide"},
	} {
		out, errOut, err := runCmd3(ctx, "", nil, "kubectl", args...)
		if err != nil {
			out += errOut
		}
		if args[1] == "events" {
			out = lastLines(out, 40)
		}
		if args[1] == "pv" {
			counts := map[string]int{}
			for _, f := range strings.Fields(out) {
				counts[f]++
			}
			out = fmt.Sprint(counts)
		}
		t.Logf("DIAGNOSIS kubectl %s:\n%s", strings.Join(args, " "), indent(out))
	}
	t.Logf("DIAGNOSIS: component logs in %s/logs/", env.Dir)
}
