//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"
	"sigs.k8s.io/yaml"
)

// chartSchemaKeys mirrors ct's etc/chart_schema.yaml (v3.14.0): key -> kind of value.
var chartSchemaKeys = map[string]string{
	"name": "str", "home": "str", "version": "str", "apiVersion": "str", "appVersion": "str|num",
	"description": "str", "keywords": "list", "sources": "list", "maintainers": "list",
	"dependencies": "list", "icon": "str", "engine": "str", "condition": "str", "tags": "str",
	"deprecated": "bool", "kubeVersion": "str", "annotations": "map", "type": "str",
}

// TestChartYAMLFields does what ct's yamale-based chart schema check would (yamale is not
// available here, so ct runs with --validate-chart-schema=false): required fields present and
// typed, no unknown keys, maintainers named, plus apiVersion v2, a SemVer version, and a name
// matching the directory.
func TestChartYAMLFields(t *testing.T) {
	for _, c := range charts(t) {
		t.Run(c.Name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(c.Dir, "Chart.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := yaml.Unmarshal(b, &m); err != nil {
				t.Fatalf("Chart.yaml: %v", err)
			}
			for _, req := range []string{"name", "version", "apiVersion"} {
				if s, ok := m[req].(string); !ok || s == "" {
					t.Errorf("Chart.yaml: required string field %q missing or empty", req)
				}
			}
			for k, v := range m {
				kind, ok := chartSchemaKeys[k]
				if !ok {
					t.Errorf("Chart.yaml: key %q is not in ct's chart schema", k)
					continue
				}
				if !valueKind(v, kind) {
					t.Errorf("Chart.yaml: %s must be %s, is %T", k, kind, v)
				}
			}
			if ms, ok := m["maintainers"].([]any); ok {
				for i, x := range ms {
					mm, _ := x.(map[string]any)
					if n, _ := mm["name"].(string); n == "" {
						t.Errorf("Chart.yaml: maintainers[%d] has no name", i)
					}
				}
			}
			if m["apiVersion"] != "v2" {
				t.Errorf("Chart.yaml: apiVersion %v, want v2", m["apiVersion"])
			}
			if _, err := semver.StrictNewVersion(fmt.Sprint(m["version"])); err != nil {
				t.Errorf("Chart.yaml: version %v is not SemVer 2: %v", m["version"], err)
			}
			if c.Product && m["name"] != filepath.Base(c.Dir) {
				t.Errorf("Chart.yaml: name %v differs from its directory %s", m["name"], filepath.Base(c.Dir))
			}
		})
	}
}

func valueKind(v any, kind string) bool {
	for _, k := range strings.Split(kind, "|") {
		switch k {
		case "str":
			if _, ok := v.(string); ok {
				return true
			}
		case "num":
			if _, ok := v.(float64); ok {
				return true
			}
		case "bool":
			if _, ok := v.(bool); ok {
				return true
			}
		case "list":
			if _, ok := v.([]any); ok {
				return true
			}
		case "map":
			if mm, ok := v.(map[string]any); ok {
				for _, x := range mm {
					if _, ok := x.(string); !ok {
						return false
					}
				}
				return true
			}
		}
	}
	return false
}

// TestChartTesting runs `ct lint` and `ct install` for every chart, with the repo's ct.yaml,
// against the plane; product charts with `--upgrade` from the previous release (previousChart:
// built by `flotilla release`, pulled back with `helm pull --verify`).
//
// ct finds "the previous revision" as the merge base of <remote>/<target-branch> and HEAD. To
// test previous-release -> working tree without touching this repository's refs, each chart is
// staged in a scratch git repository under the build dir: first commit = the previous release's
// chart (also the ref origin/main), second commit = the chart in the working tree.
func TestChartTesting(t *testing.T) {
	if _, err := exec.LookPath("yamllint"); err != nil {
		t.Fatalf("STEP FAILED: ct lint needs yamllint on PATH (apt-get install yamllint): %v", err)
	}
	for _, c := range charts(t) {
		t.Run(c.Name, func(t *testing.T) {
			repo := filepath.Join(env.Work, "ct", c.Name)
			if err := os.RemoveAll(repo); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(repo, "charts"), 0o755); err != nil {
				t.Fatal(err)
			}
			git := func(step string, args ...string) string {
				return must(t, step, nil, "git", append([]string{"-C", repo, "-c", "user.name=e2e", "-c", "user.email=e2e@localhost", "-c", "commit.gpgsign=false"}, args...)...)
			}
			git("git init scratch", "init", "-q", "-b", "main")
			staged := filepath.Join(repo, "charts", c.Name)
			upgrade := false
			if prevDir := previousChart(t, c); prevDir != "" {
				must(t, "stage previous release", nil, "cp", "-r", prevDir, staged)
				git("commit previous", "add", "-A")
				git("commit previous", "commit", "-q", "-m", "previous release "+previous(t).ref)
				git("set origin/main", "update-ref", "refs/remotes/origin/main", "HEAD")
				upgrade = true
			}
			must(t, "stage chart", nil, "rm", "-rf", staged)
			must(t, "stage chart", nil, "cp", "-r", c.Dir, staged)
			must(t, "stage ct.yaml", nil, "cp", filepath.Join(env.RepoRoot, "ct.yaml"), filepath.Join(repo, "ct.yaml"))
			git("commit current", "add", "-A")
			git("commit current", "commit", "-q", "-m", "current "+c.Version)
			if !upgrade {
				git("set origin/main", "update-ref", "refs/remotes/origin/main", "HEAD")
			}

			ct := func(step string, args ...string) {
				ctx, cancel := context.WithTimeout(context.Background(), 2*cmdTimeout)
				defer cancel()
				out, errOut, err := runCmd3(ctx, repo, nil, "ct", args...)
				t.Logf("step %q: ct %s\n%s", step, strings.Join(args, " "), indent(out+errOut))
				if err != nil {
					t.Fatalf("STEP FAILED: %s: %v", step, err)
				}
			}
			common := []string{"--config", "ct.yaml", "--charts", "charts/" + c.Name}
			ct("ct lint", append([]string{"lint", "--validate-chart-schema=false", "--validate-maintainers=false",
				"--check-version-increment=false", "--lint-conf", filepath.Join(os.Getenv("CT_CONFIG_DIR"), "lintconf.yaml")}, common...)...)
			// ct installs the chart once per ci/*-values.yaml (one per example, written by flotilla
			// generate), in the namespace given here: ct has no hook to create what the values name,
			// so the Secrets of every values file are created there first, as the README says.
			ns := freshNamespace(t, "e2e-ct-"+c.Name)
			ciFiles, _ := filepath.Glob(filepath.Join(staged, "ci", "*-values.yaml"))
			for _, f := range ciFiles {
				createSecrets(t, ns, []string{staged}, []string{f})
			}
			recyclePVs(t)
			// --skip-clean-up keeps every release (the namespace goes when the test ends) so that
			// their pods' Secret references can be checked afterwards.
			args := append([]string{"install", "--namespace", ns, "--release-label", "app.kubernetes.io/instance", "--skip-clean-up"}, common...)
			if upgrade {
				args = append(args, "--upgrade")
			}
			ct("ct install", args...)
			checkSecretRefs(t, ns)
		})
	}
}
