package secretgen_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/chart"
	batchv1 "k8s.io/api/batch/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/flotilla/flotilla/pkg/catalog"
	"github.com/flotilla/flotilla/pkg/charttest"
	cv "github.com/flotilla/flotilla/pkg/chartvalues"
	"github.com/flotilla/flotilla/pkg/render"
	"github.com/flotilla/flotilla/pkg/secretensure"
	"github.com/flotilla/flotilla/pkg/secretgen"
)

// hookCases runs test for every chart's defaults and examples, each as it is and with every
// Secret the chart can generate left to it (existingSecret cleared), so the hook has the most
// to do.
func hookCases(t *testing.T, test func(t *testing.T, chart string, opts render.Options)) {
	for _, c := range catalog.Charts() {
		t.Run(c.Name+"/defaults", func(t *testing.T) { test(t, c.Name, render.Options{}) })
		// The status endpoint's keys Secret is generated too.
		t.Run(c.Name+"/status", func(t *testing.T) { test(t, c.Name, render.Options{Set: []string{"status.enabled=true"}}) })
	}
	forEachExample(t, func(t *testing.T, chart, f string) {
		t.Run("as-is", func(t *testing.T) { test(t, chart, render.Options{ValueFiles: []string{f}}) })
		vals, err := render.MergeValues(render.Options{ValueFiles: []string{f}})
		require.NoError(t, err)
		var clear []string
		for _, d := range declared(t, chart) {
			if d.Shape.Kind != cv.SecretPlaceholder && cv.LookupString(vals, d.SecretPath) != "" && cv.LookupString(vals, d.InlinePath) == "" {
				clear = append(clear, d.SecretPath+"=")
			}
		}
		if len(clear) > 0 {
			t.Run("generated", func(t *testing.T) { test(t, chart, render.Options{ValueFiles: []string{f}, Set: clear}) })
		}
	})
}

func renderMode(t *testing.T, chart, mode string, opts render.Options) *render.Result {
	t.Helper()
	ch, err := render.Load(context.Background(), chart, render.LoadOptions{})
	require.NoError(t, err)
	opts.ReleaseName, opts.Namespace = "rel", "apps"
	opts.Set = append(append([]string{}, opts.Set...), "secrets.generation="+mode)
	res, err := render.Render(ch, opts)
	require.NoError(t, err)
	require.NoError(t, res.Decode())
	return res
}

// text is everything a render outputs, hooks and NOTES included.
func text(res *render.Result) string {
	var b strings.Builder
	for _, m := range append(append([]render.Manifest{}, res.Manifests...), res.Hooks...) {
		fmt.Fprintf(&b, "---\n%s\n", m.YAML)
	}
	b.WriteString(res.Notes)
	return b.String()
}

// generatedByHelm: the Secrets flotilla.generatedSecret renders (kept on uninstall), name → keys.
func generatedByHelm(t *testing.T, res *render.Result) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, m := range res.Manifests {
		if m.Kind != "Secret" {
			continue
		}
		obj, err := m.Object()
		require.NoError(t, err)
		md, _ := obj["metadata"].(map[string]any)
		ann, _ := md["annotations"].(map[string]any)
		if ann["helm.sh/resource-policy"] != "keep" {
			continue
		}
		data, _ := obj["data"].(map[string]any)
		for k := range data {
			out[m.Name] = append(out[m.Name], k)
		}
		sort.Strings(out[m.Name])
	}
	return out
}

// hookSpecs returns the secrets hook Job's --secret specs (nil without the Job) and its Role.
func hookSpecs(t *testing.T, res *render.Result) ([]secretensure.Spec, *rbacv1.Role, *batchv1.Job) {
	t.Helper()
	var job *batchv1.Job
	var role *rbacv1.Role
	for _, m := range res.Hooks {
		if !strings.HasSuffix(m.Name, "-secrets") {
			continue
		}
		obj, err := charttest.Typed(m)
		require.NoError(t, err)
		switch o := obj.(type) {
		case *batchv1.Job:
			job = o
		case *rbacv1.Role:
			role = o
		}
	}
	if job == nil {
		assert.Nil(t, role, "a secrets Role without its Job")
		return nil, nil, nil
	}
	c := job.Spec.Template.Spec.Containers[0]
	require.Equal(t, []string{"secrets", "ensure", "--namespace=apps"}, c.Args[:3])
	var specs []secretensure.Spec
	for _, a := range c.Args {
		if v, ok := strings.CutPrefix(a, "--secret="); ok {
			sp, err := secretensure.ParseSpec(v)
			require.NoError(t, err)
			specs = append(specs, sp)
		}
	}
	require.NotNil(t, role)
	return specs, role, job
}

// In hook mode no render carries a random value: two renders are byte-identical, for every
// example of every chart, and the Secrets the hook creates are exactly those helm mode renders,
// with the same keys, of the shapes helm mode generates.
func TestHookModeRendersAreReproducible(t *testing.T) {
	hookCases(t, func(t *testing.T, chart string, opts render.Options) {
		first := renderMode(t, chart, "hook", opts)
		second := renderMode(t, chart, "hook", opts)
		require.Equal(t, text(first), text(second), "two hook-mode renders differ")

		helm := renderMode(t, chart, "helm", opts)
		helmAgain := renderMode(t, chart, "helm", opts)
		generated := generatedByHelm(t, helm)

		specs, _, _ := hookSpecs(t, first)
		hooked := map[string][]string{}
		for _, sp := range specs {
			for _, k := range sp.Keys {
				hooked[sp.Name] = append(hooked[sp.Name], k.Name)
			}
			sort.Strings(hooked[sp.Name])
		}
		// Secrets whose every value is given in the values stay rendered (they hold no random value).
		for name := range generated {
			if strings.HasSuffix(name, "-auth-fingerprint") {
				// Flowise's record of the encryption key's sha256 (auth.allowKeyChange): a hash of
				// the generated key in helm mode; in hook mode the key is unknown to a render
				// without a cluster, and no record is written.
				assert.False(t, hasSecret(first, name), "%s rendered in hook mode without a cluster", name)
				delete(generated, name)
				continue
			}
			if _, ok := hooked[name]; !ok {
				assert.Equal(t, secretObject(t, helm, name), secretObject(t, helmAgain, name), "%s is not hooked but differs between renders", name)
				assert.Equal(t, secretObject(t, helm, name), secretObject(t, first, name), "%s: hook mode renders it differently", name)
				delete(generated, name)
			}
		}
		assert.Equal(t, generated, hooked, "hook-mode Secrets differ from the helm-mode generated ones")
		for _, sp := range specs {
			data := secretObject(t, helm, sp.Name)["data"].(map[string]any)
			for _, k := range sp.Keys {
				v := decode(t, data[k.Name])
				assert.NoError(t, checkShape(k.Shape, v), "%s/%s: helm mode generates another shape than the hook's %s", sp.Name, k.Name, k.Shape.Kind)
			}
		}
		if len(specs) > 0 {
			assert.NotEqual(t, text(helm), text(helmAgain), "helm mode renders random values: this case proves nothing otherwise")
		}
	})
}

// The hook's RBAC names exactly the Secrets it creates; the pods reference them; its Job passes
// the restricted Pod Security Standard and runs before every other hook.
func TestHookModeRBACAndReferences(t *testing.T) {
	hooked := 0
	hookCases(t, func(t *testing.T, chart string, opts render.Options) {
		res := renderMode(t, chart, "hook", opts)
		charttest.RequireStrict(t, res)
		charttest.RequireRestricted(t, res)
		specs, role, job := hookSpecs(t, res)
		refs, created, err := secretgen.ReleaseRefs(res)
		require.NoError(t, err)
		if specs == nil {
			return
		}
		hooked++
		var names []string
		have := map[string]map[string]bool{}
		for k, v := range created {
			have[k] = v
		}
		for _, sp := range specs {
			names = append(names, sp.Name)
			keys := map[string]bool{}
			for _, k := range sp.Keys {
				keys[k.Name] = true
			}
			assert.Equal(t, keys, created[sp.Name], "secretgen.ReleaseRefs does not count %s as created by the release", sp.Name)
			assert.False(t, rendered(res, sp.Name), "%s is both rendered and created by the hook", sp.Name)
		}
		require.Len(t, role.Rules, 2)
		assert.Equal(t, rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: names, Verbs: []string{"get", "patch"}}, role.Rules[0])
		assert.Equal(t, rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"create"}}, role.Rules[1])
		assert.Equal(t, role.Name, job.Spec.Template.Spec.ServiceAccountName)
		assert.Equal(t, "-10", job.Annotations["helm.sh/hook-weight"])
		assert.Equal(t, "pre-install,pre-upgrade", job.Annotations["helm.sh/hook"])
		for _, m := range res.Hooks {
			obj, err := m.Object()
			require.NoError(t, err)
			ann, _ := obj["metadata"].(map[string]any)["annotations"].(map[string]any)
			w := fmt.Sprint(ann["helm.sh/hook-weight"])
			if m.Name == role.Name {
				assert.Contains(t, []string{"-20", "-10"}, w, m.Kind)
				assert.Equal(t, "before-hook-creation,hook-succeeded", ann["helm.sh/hook-delete-policy"], m.Kind)
			} else if strings.Contains(fmt.Sprint(ann["helm.sh/hook"]), "pre-") {
				assert.Greater(t, atoi(t, w), -10, "%s/%s runs before the secrets hook", m.Kind, m.Name)
			}
		}
		// Every reference of the pods resolves to a Secret the release renders, the hook creates
		// or the values name (flotilla secrets); and the pods do use the hook's Secrets.
		planned, err := secretgen.Plan(loadChart(t, chart), withHook(opts), declared(t, chart))
		require.NoError(t, err)
		for _, s := range planned {
			assert.False(t, isSpec(specs, s.Name), "flotilla secrets lists %s, which the hook creates", s.Name)
			have[s.Name] = map[string]bool{}
			for _, k := range s.Keys {
				have[s.Name][k.Name] = true
			}
		}
		assert.Empty(t, secretgen.Unresolved(refs, have))
		used := map[string]bool{}
		for _, r := range refs {
			used[r.Secret] = true
		}
		for _, n := range names {
			assert.True(t, used[n], "no pod references the hook's Secret %s", n)
		}
	})
	assert.Positive(t, hooked)
}

func rendered(res *render.Result, name string) bool {
	for _, m := range append(append([]render.Manifest{}, res.Manifests...), res.Hooks...) {
		if m.Kind == "Secret" && m.Name == name {
			return true
		}
	}
	return false
}

func isSpec(specs []secretensure.Spec, name string) bool {
	for _, s := range specs {
		if s.Name == name {
			return true
		}
	}
	return false
}

func withHook(opts render.Options) render.Options {
	opts.ReleaseName, opts.Namespace = "rel", "apps"
	opts.Set = append(append([]string{}, opts.Set...), "secrets.generation=hook")
	return opts
}

func loadChart(t *testing.T, name string) *chart.Chart {
	t.Helper()
	ch, err := render.Load(context.Background(), name, render.LoadOptions{})
	require.NoError(t, err)
	return ch
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	_, err := fmt.Sscan(s, &n)
	require.NoError(t, err, "hook weight %q", s)
	return n
}

func secretObject(t *testing.T, res *render.Result, name string) map[string]any {
	t.Helper()
	for _, m := range append(append([]render.Manifest{}, res.Manifests...), res.Hooks...) {
		if m.Kind == "Secret" && m.Name == name {
			obj, err := m.Object()
			require.NoError(t, err)
			return obj
		}
	}
	t.Fatalf("no Secret %s rendered", name)
	return nil
}

func hasSecret(res *render.Result, name string) bool {
	for _, m := range append(append([]render.Manifest{}, res.Manifests...), res.Hooks...) {
		if m.Kind == "Secret" && m.Name == name {
			return true
		}
	}
	return false
}

func decode(t *testing.T, v any) string {
	t.Helper()
	s, _ := v.(string)
	b, err := base64.StdEncoding.DecodeString(s)
	require.NoError(t, err)
	return string(b)
}

// NOTES say which mode is in use, and warn in helm mode when the render had no cluster to keep
// the generated values from.
func TestGeneratedSecretsNotes(t *testing.T) {
	for _, c := range catalog.Charts() {
		t.Run(c.Name, func(t *testing.T) {
			helm := renderMode(t, c.Name, "helm", render.Options{})
			assert.Contains(t, helm.Notes, "WARNING: this render found no cluster to look into")
			assert.Contains(t, helm.Notes, "set secrets.generation: hook")
			hook := renderMode(t, c.Name, "hook", render.Options{})
			assert.NotContains(t, hook.Notes, "WARNING: this render found no cluster")
			assert.Contains(t, hook.Notes, "are created once by the pre-install/pre-upgrade Job\nrel-"+c.Name+"-secrets")
		})
	}
}
