//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// badValues are documents that break a schema rule of a chart, keyed by chart name. A chart not
// listed gets a generic one derived from its values.schema.json (see genericBadValues).
var badValues = map[string][]struct{ Name, Doc string }{
	// queue mode requires storage.type=s3 (the default is local): an if/then rule.
	"flowise": {{Name: "queue-mode-without-s3", Doc: "architecture:\n  mode: queue\n"}},
	// migrations in a pre-install Job need an external database (the bundled one does not exist yet).
	"flagsmith": {{Name: "migration-job-with-bundled-db", Doc: "migration:\n  mode: job\n"}},
	// scenario db-etl-machine needs a Redis for FlowMachine's query state.
	"flowkit":   {{Name: "machine-scenario-without-redis", Doc: "scenario: db-etl-machine\nredis:\n  enabled: false\n"}},
	"e2e-smoke": {{Name: "queue-mode-without-s3", Doc: "mode: queue\n"}, {Name: "unknown-key", Doc: "noSuchKey: 1\n"}},
}

// genericBadValues sets the first object-typed top-level property of the schema to a string.
func genericBadValues(t *testing.T, c chartUnderTest) (string, string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(c.Dir, "values.schema.json"))
	if err != nil {
		t.Fatalf("STEP FAILED: %s has no values.schema.json to break: %v", c.Name, err)
	}
	var s struct {
		Properties map[string]struct {
			Type any `json:"type"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("parsing %s/values.schema.json: %v", c.Name, err)
	}
	keys := sortedKeys(s.Properties)
	for _, k := range keys {
		if s.Properties[k].Type == "object" {
			return "wrong-type-" + strings.ToLower(k), fmt.Sprintf("%s: e2e-not-an-object\n", k)
		}
	}
	t.Fatalf("STEP FAILED: no object-typed top-level property in %s's schema: add a case to badValues", c.Name)
	return "", ""
}

// TestBadValuesRefused: helm install with schema-breaking values fails, and the namespace holds
// nothing of the release afterwards.
func TestBadValuesRefused(t *testing.T) {
	for _, c := range charts(t) {
		t.Run(c.Name, func(t *testing.T) {
			pushChart(t, c)
			docs := badValues[c.Name]
			if len(docs) == 0 {
				name, doc := genericBadValues(t, c)
				docs = append(docs, struct{ Name, Doc string }{name, doc})
			}
			for _, bad := range docs {
				t.Run(bad.Name, func(t *testing.T) {
					ns := freshNamespace(t, "e2e-bad-"+c.Name+"-"+bad.Name)
					f := filepath.Join(env.Work, fmt.Sprintf("bad-%s-%s.yaml", c.Name, bad.Name))
					if err := os.WriteFile(f, []byte(bad.Doc), 0o644); err != nil {
						t.Fatal(err)
					}
					args := append([]string{"install", "bad"}, ociArgs(c)...)
					args = append(args, "--namespace", ns, "-f", f, "--wait", "--timeout", "2m")
					out, err := try(t, "helm install with bad values (must fail)", nil, "helm", args...)
					if err == nil {
						t.Fatalf("helm install accepted values that break the schema:\n%s\n%s", bad.Doc, indent(out))
					}
					if !strings.Contains(err.Error(), "schema") {
						t.Errorf("helm install failed, but not on the schema: %v", err)
					} else {
						t.Logf("refused as expected: %v", err)
					}
					if left := namespaceContents(t, ns); len(left) > 0 {
						t.Errorf("namespace %s holds resources after the refused install: %v", ns, left)
					}
				})
			}
		})
	}
}

// namespaceContents lists every object in ns except what Kubernetes puts in any namespace.
func namespaceContents(t *testing.T, ns string) []string {
	t.Helper()
	kinds := must(t, "list namespaced resource kinds", nil, "kubectl", "api-resources", "--verbs=list", "--namespaced", "-o", "name")
	var list []string
	for _, k := range strings.Fields(kinds) {
		if k == "events" || k == "events.events.k8s.io" {
			continue
		}
		list = append(list, k)
	}
	out := must(t, "list namespace contents", nil, "kubectl", "get", strings.Join(list, ","), "--namespace", ns, "-o", "name", "--ignore-not-found")
	var left []string
	for _, o := range strings.Fields(out) {
		switch o {
		case "configmap/kube-root-ca.crt", "serviceaccount/default":
			continue
		}
		left = append(left, o)
	}
	sort.Strings(left)
	return left
}
