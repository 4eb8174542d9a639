//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/flotilla/flotilla/pkg/render"
)

// TestRenderFromOCI: pkg/render given an oci:// reference to the pushed chart renders exactly
// what it renders from the embedded chart, for the defaults and every example. Values a chart
// generates at random (Secret data, and checksum/* annotations derived from it) are compared by
// key only when the two renders differ in them.
func TestRenderFromOCI(t *testing.T) {
	for _, c := range charts(t) {
		if !c.Product {
			continue // the harness's test chart is not embedded in pkg/render
		}
		t.Run(c.Name, func(t *testing.T) {
			pushChart(t, c)
			ctx := context.Background()
			fromOCI, err := render.Load(ctx, ociRepo()+"/"+c.Name, render.LoadOptions{PlainHTTP: true, Version: c.Version})
			if err != nil {
				t.Fatalf("STEP FAILED: render.Load(oci://…/%s): %v", c.Name, err)
			}
			embedded, err := render.Load(ctx, c.Name, render.LoadOptions{})
			if err != nil {
				t.Fatalf("STEP FAILED: render.Load(%s) embedded: %v", c.Name, err)
			}
			for _, vc := range cases(c) {
				t.Run(vc.Name, func(t *testing.T) {
					opts := render.Options{ReleaseName: "e2e", Namespace: "e2e-render", KubeVersion: kubeVersion(t), ValueFiles: vc.Values}
					a, err := render.Render(fromOCI, opts)
					if err != nil {
						t.Fatalf("STEP FAILED: render oci chart: %v", err)
					}
					b, err := render.Render(embedded, opts)
					if err != nil {
						t.Fatalf("STEP FAILED: render embedded chart: %v", err)
					}
					compareRenders(t, "manifests", a.Manifests, b.Manifests)
					compareRenders(t, "hooks", a.Hooks, b.Hooks)
					if a.Notes != b.Notes {
						t.Errorf("NOTES differ:\noci:\n%s\nembedded:\n%s", indent(a.Notes), indent(b.Notes))
					}
					t.Logf("oci and embedded renders agree: %d manifests, %d hooks", len(a.Manifests), len(a.Hooks))
				})
			}
		})
	}
}

func compareRenders(t *testing.T, what string, a, b []render.Manifest) {
	t.Helper()
	if len(a) != len(b) {
		t.Errorf("%s: oci chart rendered %d, embedded %d", what, len(a), len(b))
		return
	}
	masked := 0
	for i := range a {
		id := fmt.Sprintf("%s %s/%s (%s)", a[i].Kind, a[i].Namespace, a[i].Name, a[i].Source)
		if a[i].Kind != b[i].Kind || a[i].Name != b[i].Name || a[i].Namespace != b[i].Namespace || a[i].Source != b[i].Source {
			t.Errorf("%s[%d]: oci %s vs embedded %s %s/%s (%s)", what, i, id, b[i].Kind, b[i].Namespace, b[i].Name, b[i].Source)
			continue
		}
		if a[i].YAML == b[i].YAML {
			continue
		}
		// Differences allowed only in generated random values.
		na, nb := maskGenerated(a[i].YAML), maskGenerated(b[i].YAML)
		if na != nb {
			t.Errorf("%s: %s differs between the oci and the embedded chart:\n--- oci\n%s\n--- embedded\n%s", what, id, indent(a[i].YAML), indent(b[i].YAML))
			continue
		}
		masked++
	}
	if masked > 0 {
		t.Logf("%s: %d manifests differ only in generated random values (Secret data, checksum/* annotations)", what, masked)
	}
}

// maskGenerated replaces Secret data values and checksum/* annotation values by a placeholder.
func maskGenerated(doc string) string {
	var m map[string]any
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		return doc
	}
	if m["kind"] == "Secret" {
		for _, f := range []string{"data", "stringData"} {
			if d, ok := m[f].(map[string]any); ok {
				for k := range d {
					d[k] = "<generated>"
				}
			}
		}
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ann, ok := x["annotations"].(map[string]any); ok {
				for k := range ann {
					if strings.HasPrefix(k, "checksum/") {
						ann[k] = "<generated>"
					}
				}
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(m)
	out, _ := yaml.Marshal(m)
	return string(out)
}
