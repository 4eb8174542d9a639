//go:build e2e

package e2e

import (
	"encoding/json"
	"testing"

	"github.com/flotilla/flotilla/pkg/secretgen"
)

// createSecrets runs what every chart README's Installing section says to run before helm
// install: `flotilla secrets CHART -f values.yaml --namespace NS --apply` (chart is the same
// reference helm installs: oci://… with its flags, or a chart directory).
func createSecrets(t *testing.T, ns string, chart []string, values []string) {
	t.Helper()
	args := append(append([]string{"secrets"}, chart...), "--namespace", ns, "--apply")
	args = append(args, valuesArgs(values)...)
	out := must(t, "flotilla secrets --apply", nil, flotilla(t), args...)
	t.Logf("flotilla secrets:\n%s", indent(out))
}

// checkSecretRefs: every Secret key that a pod, or the pod template of a workload or CronJob,
// in ns references exists. kwok runs pods whatever their Secrets; a real kubelet would hold a
// pod with a missing one in CreateContainerConfigError.
func checkSecretRefs(t *testing.T, ns string) {
	t.Helper()
	out := must(t, "list pods and workloads", nil, "kubectl", "get", "pods,deployments,statefulsets,daemonsets,jobs,cronjobs",
		"--namespace", ns, "-o", "json")
	var list struct {
		Items []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("parsing workloads: %v", err)
	}
	var refs []secretgen.Ref
	for _, obj := range list.Items {
		md, _ := obj["metadata"].(map[string]any)
		name, _ := md["name"].(string)
		kind, _ := obj["kind"].(string)
		r, err := secretgen.ObjectRefs(kind, name, obj)
		if err != nil {
			t.Fatalf("secret references of %s/%s: %v", kind, name, err)
		}
		refs = append(refs, r...)
	}
	out = must(t, "list Secrets", nil, "kubectl", "get", "secrets", "--namespace", ns, "-o", "json")
	var secrets struct {
		Items []struct {
			Metadata struct{ Name string }
			Data     map[string]string
		}
	}
	if err := json.Unmarshal([]byte(out), &secrets); err != nil {
		t.Fatalf("parsing Secrets: %v", err)
	}
	have := map[string]map[string]bool{}
	for _, s := range secrets.Items {
		have[s.Metadata.Name] = map[string]bool{}
		for k := range s.Data {
			have[s.Metadata.Name][k] = true
		}
	}
	missing := secretgen.Unresolved(refs, have)
	for _, r := range missing {
		t.Errorf("%s: %s needs Secret %s key %q, which does not exist (a kubelet would stop at CreateContainerConfigError)", r.Object, r.Use, r.Secret, r.Key)
	}
	if len(missing) == 0 {
		t.Logf("all %d Secret references of the pods and pod templates in %s resolve", len(refs), ns)
	}
}
