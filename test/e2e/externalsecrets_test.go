//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestExternalSecrets installs the External Secrets Operator's ExternalSecret CRD (the copy
// pinned in pkg/charttest/testdata, ESO v2.9.0) and then the Flowise chart from the registry with
// externalSecrets enabled on an example that names every kind of Secret: the API server accepts
// every ExternalSecret strictly (server-side dry run, then the install), and each targets a
// Secret the pods read. No operator runs: what is tested is what the chart gives it.
func TestExternalSecrets(t *testing.T) {
	crd := filepath.Join(env.RepoRoot, "pkg/charttest/testdata/external-secrets/external-secrets.io_externalsecrets.yaml")
	must(t, "apply the ExternalSecret CRD", nil, "kubectl", "apply", "--server-side", "--force-conflicts", "-f", crd)
	// kubectl wait fails at once while the new CRD has no status yet: poll.
	for i := 0; ; i++ {
		out, err := try(t, "ExternalSecret CRD Established?", nil, "kubectl", "get", "crd", "externalsecrets.external-secrets.io",
			"-o", `jsonpath={.status.conditions[?(@.type=="Established")].status}`)
		if err == nil && strings.TrimSpace(out) == "True" {
			break
		}
		if i == 60 {
			t.Fatalf("STEP FAILED: the ExternalSecret CRD is not Established after 60s (%q, %v)", out, err)
		}
		time.Sleep(time.Second)
	}

	var c chartUnderTest
	for _, x := range charts(t) {
		if x.Name == "flowise" {
			c = x
		}
	}
	if c.Name == "" {
		t.Fatal("no flowise chart under charts/")
	}
	pushChart(t, c)
	ns := freshNamespace(t, "e2e-externalsecrets")
	es := filepath.Join(t.TempDir(), "externalsecrets.yaml")
	if err := os.WriteFile(es, []byte("externalSecrets:\n  enabled: true\n  remoteKeyPrefix: flowise/\n  secretStoreRef: {kind: ClusterSecretStore, name: vault}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	values := []string{filepath.Join(env.RepoRoot, "examples/flowise/queue-external.yaml"), es}
	const rel = "e2e"
	serverDryRun(t, c, ns, rel, values)

	var want []string
	for _, d := range renderFromRegistry(t, c, ns, rel, values) {
		if k, name := kindOf(d); k == "ExternalSecret" {
			want = append(want, name)
		}
	}
	if len(want) < 4 {
		t.Fatalf("want an ExternalSecret per Secret of the example (auth, database, its CA, Redis, S3…), rendered %v", want)
	}
	install := append([]string{"install", rel}, ociArgs(c)...)
	install = append(install, "--namespace", ns, "--timeout", "5m")
	install = append(install, valuesArgs(values)...)
	mustIn(t, ns, "helm install (oci) with externalSecrets", "helm", install...)

	var list struct {
		Items []struct {
			Metadata struct{ Name string }
			Spec     struct {
				SecretStoreRef struct{ Kind, Name string }
				Target         struct{ Name string }
				Data           []struct {
					SecretKey string
					RemoteRef struct{ Key, Property string }
				}
			}
		}
	}
	out := mustIn(t, ns, "kubectl get externalsecrets", "kubectl", "get", "externalsecrets.external-secrets.io", "--namespace", ns, "-o", "json")
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("parsing externalsecrets: %v", err)
	}
	var got []string
	for _, it := range list.Items {
		got = append(got, it.Metadata.Name)
		if it.Spec.Target.Name != it.Metadata.Name || it.Spec.SecretStoreRef.Name != "vault" || it.Spec.SecretStoreRef.Kind != "ClusterSecretStore" || len(it.Spec.Data) == 0 {
			t.Errorf("ExternalSecret %s: unexpected spec %+v", it.Metadata.Name, it.Spec)
		}
		for _, d := range it.Spec.Data {
			if d.RemoteRef.Key != "flowise/"+it.Metadata.Name || d.RemoteRef.Property != d.SecretKey {
				t.Errorf("ExternalSecret %s: data entry %+v", it.Metadata.Name, d)
			}
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("ExternalSecrets in the cluster %v, rendered %v", got, want)
	}
	mustIn(t, ns, "helm uninstall", "helm", "uninstall", rel, "--namespace", ns, "--wait", "--timeout", "5m")
}
