package catalog_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/yaml"

	"github.com/flotilla/flotilla/pkg/catalog"
	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

var root = filepath.Join("..", "..")

func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(data, into))
}

// leaves lists the dotted paths of every non-object value (empty objects count as leaves).
func leaves(prefix string, v any, out *[]string) {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 || prefix != "" && isFreeForm(prefix) {
		*out = append(*out, prefix)
		return
	}
	for k, child := range m {
		leaves(strings.TrimPrefix(prefix+"."+k, "."), child, out)
	}
}

// Free-form maps are one parameter however many keys their default has.
func isFreeForm(path string) bool {
	for _, suffix := range []string{"SecurityContext", "resources", "annotations", "affinity", "nodeSelector", "Labels", "podAnnotations"} {
		if strings.HasSuffix(path, suffix) {
			return true
		}
	}
	return false
}

// Every leaf value of values.yaml has a row in the README table with a type, default and a
// description, and every schema property has a description.
func TestEveryValueIsDocumented(t *testing.T) {
	for _, c := range catalog.Charts() {
		t.Run(c.Name, func(t *testing.T) {
			dir := filepath.Join(root, "charts", c.Name)
			var vals map[string]any
			readYAML(t, filepath.Join(dir, "values.yaml"), &vals)
			var paths []string
			leaves("", vals, &paths)
			sort.Strings(paths)
			require.NotEmpty(t, paths)

			readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
			require.NoError(t, err)
			for _, p := range paths {
				row := regexp.MustCompile("(?m)^\\| `" + regexp.QuoteMeta(p) + "` \\| (\\w+) \\| `([^`]*)` \\| (.+) \\|$").FindStringSubmatch(string(readme))
				if assert.NotNil(t, row, "README has no row for %s", p) {
					assert.NotEmpty(t, strings.TrimSpace(row[3]), "README row %s has no description", p)
				}
			}
			for _, topo := range c.Topologies {
				assert.Contains(t, string(readme), "### "+topo.Name)
			}

			// Editors get every description; Helm gets the lean, equivalent copy in the chart.
			var schema, lean map[string]any
			readJSON(t, filepath.Join(root, "schemas", c.Name+".values.schema.json"), &schema)
			assert.Equal(t, "https://json-schema.org/draft/2020-12/schema", schema["$schema"])
			undocumented := describedEverywhere("", schema)
			assert.Empty(t, undocumented, "schema properties without a description")
			assert.Equal(t, false, schema["additionalProperties"], "the root object is strict")
			readJSON(t, filepath.Join(dir, "values.schema.json"), &lean)
			assert.Equal(t, "http://json-schema.org/draft-07/schema#", lean["$schema"])
			assert.Equal(t, false, lean["additionalProperties"], "the root object is strict")

			values, err := os.ReadFile(filepath.Join(dir, "values.yaml"))
			require.NoError(t, err)
			assert.Contains(t, string(values), "# yaml-language-server: $schema=values.schema.json")
		})
	}
}

// describedEverywhere returns the properties (at any depth) that lack a description, and
// checks that every object with properties is strict.
func describedEverywhere(prefix string, s map[string]any) []string {
	var missing []string
	props, _ := s["properties"].(map[string]any)
	for name, raw := range props {
		p := raw.(map[string]any)
		path := strings.TrimPrefix(prefix+"."+name, ".")
		if d, _ := p["description"].(string); d == "" {
			missing = append(missing, path)
		}
		if _, has := p["properties"]; has && p["additionalProperties"] != false {
			missing = append(missing, path+" (not strict)")
		}
		missing = append(missing, describedEverywhere(path, p)...)
		if items, ok := p["items"].(map[string]any); ok {
			missing = append(missing, describedEverywhere(path+"[]", items)...)
		}
	}
	return missing
}

// Chart.yaml carries what chart-testing's chart_schema.yaml requires (yamale is not available
// here, so ct runs with --validate-chart-schema=false and this test stands in for it).
func TestChartYAMLRequiredFields(t *testing.T) {
	for _, c := range catalog.Charts() {
		t.Run(c.Name, func(t *testing.T) {
			var meta map[string]any
			readYAML(t, filepath.Join(root, "charts", c.Name, "Chart.yaml"), &meta)
			assert.Equal(t, "v2", meta["apiVersion"])
			assert.Equal(t, c.Name, meta["name"])
			for _, k := range []string{"version", "appVersion", "description", "kubeVersion", "home"} {
				assert.NotEmpty(t, meta[k], k)
			}
			_, err := semver.StrictNewVersion(fmt.Sprint(meta["version"]))
			assert.NoError(t, err, "version must be SemVer 2")
			maint, _ := meta["maintainers"].([]any)
			require.NotEmpty(t, maint)
			for _, m := range maint {
				assert.NotEmpty(t, m.(map[string]any)["name"])
			}
			ann, _ := meta["annotations"].(map[string]any)
			assert.NotEmpty(t, ann["artifacthub.io/images"])
			assert.NotEmpty(t, ann["artifacthub.io/license"])
		})
	}
}

// Each chart's examples exist and each topology names one of them.
func TestTopologiesHaveExamples(t *testing.T) {
	for _, c := range catalog.Charts() {
		for _, topo := range c.Topologies {
			_, err := os.Stat(filepath.Join(root, "examples", c.Name, topo.Example))
			assert.NoError(t, err, "%s topology %q", c.Name, topo.Name)
		}
	}
}

// podLabels and podAnnotations (chartvalues.Common) reach every Deployment's pods in every chart.
func TestCommonPodMetadataReachesEveryDeployment(t *testing.T) {
	for _, c := range catalog.Charts() {
		t.Run(c.Name, func(t *testing.T) {
			ch, err := render.Load(context.Background(), c.Name, render.LoadOptions{})
			require.NoError(t, err)
			res, err := render.Render(ch, render.Options{Set: []string{"podLabels.team=data", "podAnnotations.owner=ops"}})
			require.NoError(t, err)
			deployments := res.Find("Deployment", "")
			require.NotEmpty(t, deployments)
			for _, m := range deployments {
				d, err := charttest.Typed(m)
				require.NoError(t, err)
				meta := d.(*appsv1.Deployment).Spec.Template.ObjectMeta
				assert.Equal(t, "data", meta.Labels["team"], m.Name)
				assert.Equal(t, "ops", meta.Annotations["owner"], m.Name)
			}
		})
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, v))
}
