//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

// operatorCases are renders that create CloudNativePG and KEDA objects, for every chart with
// a bundled PostgreSQL.
var operatorCases = []struct {
	name, chart string
	set         []string
	want        []string // Kind/name of the operator objects the render must have
}{
	{"flowise-cnpg-keda-gcs", "flowise", []string{"architecture.mode=queue", "persistence.enabled=false", "postgresql.enabled=true",
		"postgresql.mode=cloudnative-pg", "redis.enabled=true", "storage.type=gcs", "storage.gcs.bucketName=b", "storage.gcs.existingSecret=gcs",
		"flowise.autoscaling.enabled=true", "queue.worker.autoscaling.keda.enabled=true", "queue.worker.autoscaling.keda.minReplicaCount=0"},
		[]string{"Cluster/e2e-flowise-postgresql", "ScaledObject/e2e-flowise-worker", "TriggerAuthentication/e2e-flowise-worker"}},
	{"flowise-keda-external-redis-tls", "flowise", []string{"architecture.mode=queue", "persistence.enabled=false", "postgresql.enabled=true",
		"redis.external.host=redis.example", "redis.external.tls=true", "redis.external.existingSecret=redis", "tls.redis.existingSecret=redis-tls",
		"tls.redis.certKey=tls.crt", "tls.redis.keyKey=tls.key", "storage.type=azure", "storage.azure.containerName=c",
		"storage.azure.existingSecret=az", "storage.azure.existingSecretConnectionStringKey=conn", "queue.worker.autoscaling.keda.enabled=true"},
		[]string{"ScaledObject/e2e-flowise-worker", "TriggerAuthentication/e2e-flowise-worker"}},
	{"flagsmith-cnpg", "flagsmith", []string{"postgresql.mode=cloudnative-pg", "pgbouncer.enabled=true"},
		[]string{"Cluster/e2e-flagsmith-postgresql"}},
	{"flowkit-cnpg", "flowkit", []string{"jwt.existingSecret=jwt", "flowetl.postgresql.mode=cloudnative-pg", "flowauth.postgresql.mode=cloudnative-pg"},
		[]string{"Cluster/e2e-flowkit-flowetl-postgresql", "Cluster/e2e-flowkit-flowauth-postgresql"}},
}

// TestOperatorObjects installs the pinned CloudNativePG and KEDA CRDs (the CRDs only: no operator
// runs) and shows that kube-apiserver accepts what the charts render for them: every manifest of
// each render passes a strict server-side dry-run in a restricted namespace, the operator objects
// are then created for real and read back, and a misspelt field the unit tests' validator refuses
// is refused by the apiserver too.
func TestOperatorObjects(t *testing.T) {
	files, err := charttest.CRDFiles()
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var crds []string
	for _, n := range names {
		// Server-side apply: the CloudNativePG CRD is larger than the last-applied annotation allows.
		out := must(t, "install CRD "+n, files[n], "kubectl", "apply", "--server-side", "--force-conflicts", "-f", "-", "-o", "name")
		crds = append(crds, strings.Fields(out)...)
	}
	must(t, "CRDs established", nil, "kubectl", append([]string{"wait", "--for=condition=Established", "--timeout=60s"}, crds...)...)
	t.Logf("installed %s", strings.Join(crds, ", "))

	ctx := context.Background()
	for _, oc := range operatorCases {
		t.Run(oc.name, func(t *testing.T) {
			ch, err := render.Load(ctx, filepath.Join(env.RepoRoot, "charts", oc.chart), render.LoadOptions{})
			if err != nil {
				t.Fatalf("STEP FAILED: load charts/%s: %v", oc.chart, err)
			}
			ns := freshNamespace(t, "op-"+oc.name)
			res, err := render.Render(ch, render.Options{ReleaseName: "e2e", Namespace: ns, KubeVersion: kubeVersion(t), Set: oc.set})
			if err != nil {
				t.Fatalf("STEP FAILED: render %s: %v", oc.name, err)
			}
			var all, operator []string
			got := map[string]bool{}
			for _, m := range res.Manifests {
				all = append(all, m.YAML)
				if charttest.HasCRD(m.APIVersion, m.Kind) {
					operator = append(operator, m.YAML)
					got[m.Kind+"/"+m.Name] = true
					if _, err := charttest.ValidateCRDObject(m); err != nil {
						t.Errorf("the unit tests' validator refuses %s/%s: %v", m.Kind, m.Name, err)
					}
				}
			}
			for _, w := range oc.want {
				if !got[w] {
					t.Fatalf("STEP FAILED: render has no %s (has %v)", w, got)
				}
			}
			out := mustAll(t, "kubectl apply --dry-run=server", []byte(strings.Join(all, "\n---\n")), "kubectl", "apply",
				"--dry-run=server", "--validate=strict", "--namespace", ns, "-f", "-")
			if podSecurityViolation.MatchString(out) {
				t.Errorf("rendered workloads violate the restricted Pod Security Standard:\n%s", indent(out))
			}
			created := must(t, "create the operator objects", []byte(strings.Join(operator, "\n---\n")), "kubectl", "create",
				"--validate=strict", "--namespace", ns, "-f", "-", "-o", "name")
			t.Logf("server-side dry-run accepted %d manifests; created %s", len(all), strings.Join(strings.Fields(created), ", "))
			for _, w := range oc.want {
				kind, name, _ := strings.Cut(w, "/")
				var obj struct {
					Spec map[string]any `json:"spec"`
				}
				b := must(t, "get "+w, nil, "kubectl", "get", "--namespace", ns, strings.ToLower(kind), name, "-o", "json")
				if err := json.Unmarshal([]byte(b), &obj); err != nil || len(obj.Spec) == 0 {
					t.Errorf("%s read back without a spec (%v): %s", w, err, b)
				}
			}
		})
	}

	t.Run("misspelt-field-refused", func(t *testing.T) {
		ns := freshNamespace(t, "op-refused")
		doc := `apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: bad
spec:
  instances: 3
  storage: {size: 1Gi}
  bootstrap: {initdb: {database: app, owner: app, secret: {name: app}, postInitApplicationSql: ["SELECT 1"]}}
`
		if _, err := charttest.ValidateCRDObject(render.Manifest{APIVersion: "postgresql.cnpg.io/v1", Kind: "Cluster", Name: "bad", Source: "test", YAML: doc}); err == nil {
			t.Errorf("the unit tests' validator accepts a misspelt field")
		}
		_, err := try(t, "create a Cluster with a misspelt field", []byte(doc), "kubectl", "create", "--validate=strict", "--namespace", ns, "-f", "-")
		if err == nil || !strings.Contains(err.Error(), "postInitApplicationSql") {
			t.Errorf("the apiserver should refuse the unknown field postInitApplicationSql, got %v", err)
		}
	})
}
