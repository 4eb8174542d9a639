//go:build e2e

package e2e

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/flotilla/flotilla/pkg/secretensure"
)

// gitopsCases: per chart, values under which the chart generates Secrets of every shape it has
// (flowkit's defaults: random, Fernet keys and the JWT RSA pair; Flowise with the bundled
// PostgreSQL; Flagsmith with InfluxDB).
var gitopsCases = map[string]string{
	"flowise":   "postgresql:\n  enabled: true\n",
	"flowkit":   "",
	"flagsmith": "influxdb:\n  enabled: true\n",
}

// TestGitOpsSecrets: with secrets.generation hook, each chart renders the same bytes every
// time, and the Secrets its hook Job creates (the tests play the Job: kwok runs no container)
// stay byte-identical through `helm template | kubectl apply` twice, deleting those objects,
// helm install, helm upgrade, helm uninstall and a reinstall. The Job's own ServiceAccount token
// is enough for it, and gives no access to other Secrets.
func TestGitOpsSecrets(t *testing.T) {
	for _, c := range charts(t) {
		extra, ok := gitopsCases[c.Name]
		if !ok {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			pushChart(t, c)
			f := filepath.Join(env.Work, "gitops-"+c.Name+".yaml")
			if err := os.WriteFile(f, []byte("secrets:\n  generation: hook\n"+extra), 0o644); err != nil {
				t.Fatal(err)
			}
			gitopsCase(t, c, []string{f})
		})
	}
}

func gitopsCase(t *testing.T, c chartUnderTest, values []string) {
	ns := freshNamespace(t, "e2e-gitops-"+c.Name)
	const rel = "gitops"
	createSecrets(t, ns, ociArgs(c), values)

	// (1) helm template renders the same bytes twice (what Argo CD compares on every refresh).
	tmpl := append([]string{"template", rel}, ociArgs(c)...)
	tmpl = append(tmpl, "--namespace", ns, "--kube-version", kubeVersion(t), "--skip-tests")
	tmpl = append(tmpl, valuesArgs(values)...)
	first := must(t, "helm template #1", nil, "helm", tmpl...)
	if second := must(t, "helm template #2", nil, "helm", tmpl...); first != second {
		t.Fatalf("two `helm template` renders differ with secrets.generation hook")
	}
	job, sa := secretsJob(t, first)
	specs := jobSpecs(t, job)
	t.Logf("the hook Job creates %d Secrets: %v", len(specs), specNames(specs))

	// (2) helm template | kubectl apply: the hook objects are ordinary manifests here; play the
	// Job with its ServiceAccount's token and its arguments, twice at once (concurrent runs).
	mustAll(t, "kubectl apply #1", []byte(first), "kubectl", "apply", "--namespace", ns, "-f", "-")
	saKubeconfig := tokenKubeconfig(t, ns, sa)
	checkHookRBAC(t, saKubeconfig, ns, specs)
	runHookConcurrently(t, saKubeconfig, job, 6)
	want := hookSecrets(t, ns, specs)
	checkShapes(t, specs, want)
	checkSecretRefs(t, ns)

	// The same bytes applied again: the hook's objects and every Secret and ConfigMap are
	// unchanged. (Some workloads report "configured": logged with kubectl diff, not a secret matter.)
	out := mustAll(t, "kubectl apply #2", []byte(first), "kubectl", "apply", "--namespace", ns, "-f", "-")
	reapplied := false
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasSuffix(line, " unchanged") {
			continue
		}
		for _, kind := range []string{"secret/", "configmap/", "serviceaccount/", "role.rbac", "rolebinding.rbac", "job.batch/"} {
			if strings.HasPrefix(line, kind) {
				t.Errorf("the second kubectl apply of the same render changed %s", line)
			}
		}
		if !reapplied {
			reapplied = true
			diff, _ := try(t, "kubectl diff (why workloads report configured)", []byte(first), "kubectl", "diff", "--namespace", ns, "-f", "-")
			t.Logf("NOTE: kubectl apply reports %q for the same bytes; kubectl diff:\n%s", line, indent(diff))
		}
	}
	runHook(t, saKubeconfig, job)
	compareSecrets(t, "after the second apply and hook run", want, hookSecrets(t, ns, specs))

	// (3) the GitOps tool deletes its objects: the hook's Secrets are not among them and stay.
	must(t, "kubectl delete the render", []byte(first), "kubectl", "delete", "--namespace", ns, "--wait", "-f", "-")
	compareSecrets(t, "after kubectl delete of the render", want, hookSecrets(t, ns, specs))

	// (4) helm install, upgrade, uninstall, install again. The hook Job runs under kwok without
	// running anything: the test runs its command (same arguments, from `helm get hooks`) as the
	// pre-install/pre-upgrade hook would.
	recyclePVs(t)
	install := append([]string{"install", rel}, ociArgs(c)...)
	install = append(install, "--namespace", ns, "--wait", "--wait-for-jobs", "--timeout", "5m")
	install = append(install, valuesArgs(values)...)
	out = mustIn(t, ns, "helm install", "helm", install...)
	if !strings.Contains(out, "are created once by the pre-install/pre-upgrade Job") {
		t.Errorf("helm install's NOTES do not say how the generated Secrets are made:\n%s", indent(out))
	}
	checkHookJobs(t, ns, rel)
	helmJob := func() map[string]any {
		j, _ := secretsJob(t, must(t, "helm get hooks", nil, "helm", "get", "hooks", rel, "--namespace", ns))
		return j
	}
	if !reflect.DeepEqual(jobSpecs(t, helmJob()), specs) {
		t.Errorf("helm install's secrets Job creates other Secrets than helm template's")
	}
	runHook(t, env.Kubeconfig, helmJob())
	compareSecrets(t, "after helm install", want, hookSecrets(t, ns, specs))
	checkSecretRefs(t, ns)
	knob := unrelatedValue(t, c)
	up := append([]string{"upgrade", rel}, ociArgs(c)...)
	up = append(up, "--namespace", ns, "--wait", "--wait-for-jobs", "--timeout", "5m", "--set-string", knob+"=rev-1")
	up = append(up, valuesArgs(values)...)
	mustIn(t, ns, "helm upgrade", "helm", up...)
	runHook(t, env.Kubeconfig, helmJob())
	compareSecrets(t, "after helm upgrade", want, hookSecrets(t, ns, specs))
	mustIn(t, ns, "helm uninstall", "helm", "uninstall", rel, "--namespace", ns, "--wait", "--timeout", "5m")
	compareSecrets(t, "after helm uninstall (not part of the release)", want, hookSecrets(t, ns, specs))
	recyclePVs(t)
	mustIn(t, ns, "helm install again", "helm", install...)
	runHook(t, env.Kubeconfig, helmJob())
	compareSecrets(t, "after uninstall + install", want, hookSecrets(t, ns, specs))
	checkSecretRefs(t, ns)

	// (5) helm mode, for contrast: NOTES warn on a render without a cluster (--dry-run=client,
	// as helm template), not on one that looked into the cluster (--dry-run=server).
	for _, mode := range []string{"client", "server"} {
		dry := append([]string{"install", rel + "-dry"}, ociArgs(c)...)
		dry = append(dry, "--namespace", ns, "--dry-run="+mode, "--set", "secrets.generation=helm")
		dry = append(dry, valuesArgs(values)...)
		out := must(t, "helm install --dry-run="+mode+" (helm mode)", nil, "helm", dry...)
		if warned := strings.Contains(out, "WARNING: this render found no cluster"); warned != (mode == "client") {
			t.Errorf("helm mode, --dry-run=%s: NOTES warning about new random values: %v, want %v", mode, warned, mode == "client")
		}
	}
}

// secretsJob finds the secrets hook Job in a multi-document render and returns it with its
// ServiceAccount's name.
func secretsJob(t *testing.T, manifests string) (map[string]any, string) {
	t.Helper()
	for _, doc := range splitManifests(manifests) {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatalf("parsing a manifest: %v", err)
		}
		if m["kind"] != "Job" {
			continue
		}
		args := jobArgs(m)
		if len(args) >= 2 && args[0] == "secrets" && args[1] == "ensure" {
			spec := m["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
			sa, _ := spec["serviceAccountName"].(string)
			return m, sa
		}
	}
	t.Fatalf("STEP FAILED: no secrets hook Job (flotilla-hook secrets ensure) in the render")
	return nil, ""
}

func jobArgs(job map[string]any) []string {
	spec, _ := job["spec"].(map[string]any)
	tmpl, _ := spec["template"].(map[string]any)
	pod, _ := tmpl["spec"].(map[string]any)
	containers, _ := pod["containers"].([]any)
	if len(containers) == 0 {
		return nil
	}
	c, _ := containers[0].(map[string]any)
	raw, _ := c["args"].([]any)
	var out []string
	for _, a := range raw {
		out = append(out, fmt.Sprint(a))
	}
	return out
}

func jobSpecs(t *testing.T, job map[string]any) []secretensure.Spec {
	t.Helper()
	var out []secretensure.Spec
	for _, a := range jobArgs(job) {
		if v, ok := strings.CutPrefix(a, "--secret="); ok {
			sp, err := secretensure.ParseSpec(v)
			if err != nil {
				t.Fatalf("the Job's %s: %v", a, err)
			}
			out = append(out, sp)
		}
	}
	if len(out) == 0 {
		t.Fatalf("the secrets Job has no --secret")
	}
	return out
}

func specNames(specs []secretensure.Spec) []string {
	var out []string
	for _, s := range specs {
		out = append(out, s.Name)
	}
	return out
}

// tokenKubeconfig writes a kubeconfig for the plane that authenticates as ServiceAccount sa.
func tokenKubeconfig(t *testing.T, ns, sa string) string {
	t.Helper()
	token := strings.TrimSpace(must(t, "kubectl create token "+sa, nil, "kubectl", "create", "token", sa, "--namespace", ns, "--duration", "1h"))
	path := filepath.Join(env.Work, "kubeconfig-"+ns)
	raw := must(t, "kubectl config view", nil, "kubectl", "config", "view", "--raw", "--minify", "--flatten")
	if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	must(t, "kubeconfig: ServiceAccount credentials", nil, "kubectl", "--kubeconfig", path, "config", "set-credentials", "hook-sa", "--token", token)
	must(t, "kubeconfig: use them", nil, "kubectl", "--kubeconfig", path, "config", "set-context", "--current", "--user", "hook-sa", "--namespace", ns)
	return path
}

// checkHookRBAC: the Job's ServiceAccount may get and patch exactly its Secrets, create Secrets
// (RBAC cannot limit create by name), and neither read nor list any other Secret.
func checkHookRBAC(t *testing.T, kubeconfig, ns string, specs []secretensure.Spec) {
	t.Helper()
	can := func(verb, resource string) string {
		out, _ := try(t, "auth can-i "+verb+" "+resource, nil, "kubectl", "--kubeconfig", kubeconfig, "auth", "can-i", verb, resource, "--namespace", ns)
		return strings.TrimSpace(out)
	}
	for _, s := range specs {
		for _, verb := range []string{"get", "patch"} {
			if got := can(verb, "secret/"+s.Name); got != "yes" {
				t.Errorf("the hook's ServiceAccount cannot %s Secret %s (%q)", verb, s.Name, got)
			}
		}
		if got := can("delete", "secret/"+s.Name); got != "no" {
			t.Errorf("the hook's ServiceAccount may delete Secret %s (%q)", s.Name, got)
		}
	}
	for _, vr := range [][2]string{{"get", "secret/someone-elses"}, {"list", "secrets"}, {"update", "secret/" + specs[0].Name}, {"get", "configmaps"}} {
		if got := can(vr[0], vr[1]); got != "no" {
			t.Errorf("the hook's ServiceAccount may %s %s (%q)", vr[0], vr[1], got)
		}
	}
	if got := can("create", "secrets"); got != "yes" {
		t.Errorf("the hook's ServiceAccount cannot create Secrets (%q)", got)
	}
}

// runHook runs the Job's command (its arguments as rendered) with kubeconfig's credentials.
func runHook(t *testing.T, kubeconfig string, job map[string]any) string {
	t.Helper()
	args := append(jobArgs(job), "--kubeconfig", kubeconfig)
	out, errOut, err := try3(t, "flotilla-hook secrets ensure", nil, flotillaHook(t), args...)
	if err != nil {
		t.Fatalf("STEP FAILED: the hook Job's command: %v", err)
	}
	t.Logf("flotilla-hook:\n%s", indent(errOut))
	return out
}

// runHookConcurrently starts n runs of the Job's command at once (retried and parallel Jobs,
// two Argo CD syncs): every run succeeds and exactly one creates each Secret.
func runHookConcurrently(t *testing.T, kubeconfig string, job map[string]any, n int) {
	t.Helper()
	args := append(jobArgs(job), "--kubeconfig", kubeconfig)
	logs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, logs[i], errs[i] = runCmd3(context.Background(), "", nil, flotillaHook(t), args...)
		}(i)
	}
	wg.Wait()
	created := map[string]int{}
	for i := range errs {
		if errs[i] != nil {
			t.Fatalf("STEP FAILED: concurrent hook run %d: %v", i, errs[i])
		}
		t.Logf("concurrent hook run %d:\n%s", i, indent(logs[i]))
		for _, line := range strings.Split(logs[i], "\n") {
			var l struct{ Msg, Secret string }
			if json.Unmarshal([]byte(line), &l) == nil && strings.HasPrefix(l.Msg, "created ") {
				created[l.Secret]++
			}
		}
	}
	races := 0
	for i := range logs {
		for _, line := range strings.Split(logs[i], "\n") {
			var l struct{ Races int }
			if json.Unmarshal([]byte(line), &l) == nil {
				races += l.Races
			}
		}
	}
	t.Logf("%d concurrent runs: %d write(s) lost to another run and re-read", n, races)
	for _, s := range jobSpecs(t, job) {
		if created[s.Name] != 1 {
			t.Errorf("Secret %s created by %d of %d concurrent runs, want exactly 1", s.Name, created[s.Name], n)
		}
	}
}

// hookSecrets returns the data of the hook's Secrets, checking they are not Helm's.
func hookSecrets(t *testing.T, ns string, specs []secretensure.Spec) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, s := range specs {
		raw := must(t, "get Secret "+s.Name, nil, "kubectl", "get", "secret", s.Name, "--namespace", ns, "-o", "json")
		var obj struct {
			Metadata struct {
				Labels      map[string]string
				Annotations map[string]string
			}
			Data map[string]string
		}
		if err := json.Unmarshal([]byte(raw), &obj); err != nil {
			t.Fatal(err)
		}
		if obj.Metadata.Labels[secretensure.CreatedByLabel] != secretensure.FieldManager || obj.Metadata.Labels["app.kubernetes.io/managed-by"] != "" || obj.Metadata.Annotations["meta.helm.sh/release-name"] != "" {
			t.Errorf("Secret %s is not the hook's own (labels %v, annotations %v)", s.Name, obj.Metadata.Labels, obj.Metadata.Annotations)
		}
		for _, k := range s.Keys {
			if obj.Data[k.Name] == "" {
				t.Errorf("Secret %s lacks key %s", s.Name, k.Name)
			}
		}
		out[s.Name] = obj.Data
	}
	return out
}

// checkShapes: the values have the shapes the Job asked for (the RSA pair matches).
func checkShapes(t *testing.T, specs []secretensure.Spec, data map[string]map[string]string) {
	t.Helper()
	dec := func(s, k string) []byte {
		b, err := base64.StdEncoding.DecodeString(data[s][k])
		if err != nil {
			t.Fatalf("Secret %s key %s: %v", s, k, err)
		}
		return b
	}
	for _, s := range specs {
		var priv *rsa.PrivateKey
		var pub any
		for _, k := range s.Keys {
			v := dec(s.Name, k.Name)
			switch k.Shape.Kind {
			case "random":
				if len(v) != k.Shape.Length {
					t.Errorf("%s/%s: %d characters, want %d", s.Name, k.Name, len(v), k.Shape.Length)
				}
			case "fernet":
				if b, err := base64.URLEncoding.DecodeString(string(v)); err != nil || len(b) != 32 {
					t.Errorf("%s/%s is not a Fernet key", s.Name, k.Name)
				}
			case "rsa-private-key":
				blk, _ := pem.Decode(v)
				var err error
				if blk == nil {
					t.Fatalf("%s/%s: no PEM", s.Name, k.Name)
				}
				if priv, err = x509.ParsePKCS1PrivateKey(blk.Bytes); err != nil {
					t.Errorf("%s/%s: %v", s.Name, k.Name, err)
				}
			case "rsa-public-key":
				blk, _ := pem.Decode(v)
				var err error
				if blk == nil {
					t.Fatalf("%s/%s: no PEM", s.Name, k.Name)
				}
				if pub, err = x509.ParsePKIXPublicKey(blk.Bytes); err != nil {
					t.Errorf("%s/%s: %v", s.Name, k.Name, err)
				}
			}
		}
		if priv != nil && (pub == nil || !priv.PublicKey.Equal(pub)) {
			t.Errorf("%s: the public key is not the private key's", s.Name)
		}
	}
}
