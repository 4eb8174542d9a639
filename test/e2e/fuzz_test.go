//go:build e2e

package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

// fuzzDryRunSample is how many accepted fuzzed documents per chart TestFuzzDryRun sends.
const fuzzDryRunSample = 20

// TestFuzzDryRun: a seeded sample of the fuzzed documents the charts accept (the corpus of the
// unit property test, charttest.RequireFuzzedRenders) renders manifests the real kube-apiserver
// accepts: `kubectl apply --dry-run=server --validate=strict` in a namespace enforcing the
// restricted Pod Security Standard, with no PodSecurity warning. Bare Pods (helm test) are left
// out: they need their ServiceAccount to exist, which a dry run does not create.
func TestFuzzDryRun(t *testing.T) {
	for _, c := range charts(t) {
		if !c.Product {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			f := charttest.Fuzz{Chart: c.Name, ExamplesDir: filepath.Join(env.RepoRoot, "examples", c.Name), Skip: charttest.OtherScopes}
			if c.Name == "flowkit" {
				f.Base = "jwt: {existingSecret: jwt}\n" // spares each render a 4096-bit key generation
			}
			// About one in twenty mutants passes the strict schema; 1,000 leave a margin for the sample.
			ch, docs := f.Documents(t, 1000)
			ns := freshNamespace(t, "fuzz-"+c.Name)
			sent := 0
			for i, doc := range docs {
				if sent == fuzzDryRunSample {
					break
				}
				if charttest.Accepted(ch, doc) == nil {
					continue
				}
				res, err := render.RenderValues(ch, doc, render.Options{ReleaseName: "fuzz", Namespace: ns, KubeVersion: kubeVersion(t)})
				if err != nil {
					t.Fatalf("STEP FAILED: render fuzzed document %d: %v", i, err)
				}
				var manifests []string
				for _, m := range append(append([]render.Manifest{}, res.Manifests...), res.Hooks...) {
					// ServiceMonitor: the plane has no Prometheus Operator CRDs.
					if m.Kind != "Pod" && m.Kind != "ServiceMonitor" {
						manifests = append(manifests, m.YAML)
					}
				}
				out, errOut, err := try3(t, fmt.Sprintf("dry-run fuzzed document %d", i), []byte(strings.Join(manifests, "\n---\n")),
					"kubectl", "apply", "--dry-run=server", "--validate=strict", "--namespace", ns, "-f", "-")
				if err != nil {
					t.Errorf("fuzzed document %d (%v): the API server refuses its manifests: %v", i, doc, err)
				} else if podSecurityViolation.MatchString(out + errOut) {
					t.Errorf("fuzzed document %d (%v) violates the restricted Pod Security Standard:\n%s", i, doc, indent(out+errOut))
				}
				sent++
			}
			if sent < fuzzDryRunSample {
				t.Errorf("only %d accepted documents among %d fuzzed ones", sent, len(docs))
			}
			t.Logf("server-side dry-run accepted the manifests of %d fuzzed documents", sent)
		})
	}
}
