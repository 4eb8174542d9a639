package charttest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/flotilla/flotilla/pkg/render"
)

// UngovernedStatefulSets lists every StatefulSet of res whose spec.serviceName is not a
// headless Service of res: only a headless governing Service gives the pods their stable DNS
// names (NAME-0.SERVICE).
func UngovernedStatefulSets(t testing.TB, res *render.Result) []string {
	t.Helper()
	headless := map[string]bool{}
	for _, m := range res.Manifests {
		if m.Kind != "Service" {
			continue
		}
		obj, err := Typed(m)
		require.NoError(t, err)
		if svc := obj.(*corev1.Service); svc.Spec.ClusterIP == corev1.ClusterIPNone {
			headless[svc.Name] = true
		}
	}
	var out []string
	for _, m := range res.Manifests {
		if m.Kind != "StatefulSet" {
			continue
		}
		obj, err := Typed(m)
		require.NoError(t, err)
		if sts := obj.(*appsv1.StatefulSet); !headless[sts.Spec.ServiceName] {
			out = append(out, fmt.Sprintf("StatefulSet %s: serviceName %q is not a headless Service of the release", sts.Name, sts.Spec.ServiceName))
		}
	}
	return out
}

// RequireStatefulSetMigration checks the pre-upgrade hooks of flotilla.statefulsetMigration for
// vals: rendered as an upgrade over StatefulSets named want whose serviceName is their own name
// (0.1.0's ClusterIP Service), the hooks are a ServiceAccount, a Role allowing exactly get and
// delete on exactly those StatefulSets, its RoleBinding and a Job running
// kube recreate-statefulset NAME=<the serviceName the render gives it>; over StatefulSets that
// already have that serviceName, and on install, there are none.
func RequireStatefulSetMigration(t *testing.T, chartName string, vals map[string]any, want []string) {
	t.Helper()
	ch, err := render.Load(context.Background(), chartName, render.LoadOptions{})
	require.NoError(t, err)
	install, err := render.Render(ch, render.Options{ReleaseName: "rel", Namespace: "apps", Values: []map[string]any{vals}})
	require.NoError(t, err)
	governing := map[string]string{}
	for _, m := range install.Manifests {
		if m.Kind == "StatefulSet" {
			sts := Object[*appsv1.StatefulSet](t, install, "StatefulSet", m.Name)
			governing[sts.Name] = sts.Spec.ServiceName
		}
	}
	for _, h := range install.Hooks {
		assert.NotEqual(t, "rel-"+chartName+"-statefulset-migrate", h.Name, "no migration on install")
	}
	sts := func(name, service string) runtime.Object {
		return &appsv1.StatefulSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "apps"}, Spec: appsv1.StatefulSetSpec{ServiceName: service}}
	}
	migration := func(existing ...runtime.Object) map[string]map[string]any {
		docs, err := UpgradeDocuments(ch, vals, "rel", "apps", existing...)
		require.NoError(t, err)
		out := map[string]map[string]any{}
		for _, d := range docs {
			meta, _ := d["metadata"].(map[string]any)
			if name, _ := meta["name"].(string); name == "rel-"+chartName+"-statefulset-migrate" {
				out[d["kind"].(string)] = d
			}
		}
		return out
	}

	var old, current []runtime.Object
	var wantArgs []any
	var names []any
	for _, n := range want {
		require.Contains(t, governing, n, "StatefulSet %s is rendered", n)
		require.NotEqual(t, n, governing[n], "StatefulSet %s has a governing Service of its own", n)
		old = append(old, sts(n, n))
		current = append(current, sts(n, governing[n]))
		wantArgs = append(wantArgs, "--statefulset="+n+"="+governing[n])
		names = append(names, n)
	}
	hooks := migration(old...)
	require.Len(t, hooks, 4, "ServiceAccount, Role, RoleBinding, Job")
	role := hooks["Role"]
	assert.Equal(t, []any{map[string]any{"apiGroups": []any{"apps"}, "resources": []any{"statefulsets"},
		"resourceNames": names, "verbs": []any{"get", "delete"}}}, role["rules"], "the Role allows get and delete on those StatefulSets only")
	for kind, h := range hooks {
		ann := h["metadata"].(map[string]any)["annotations"].(map[string]any)
		assert.Equal(t, "pre-upgrade", ann["helm.sh/hook"], kind)
	}
	var job batchv1.Job
	b, err := json.Marshal(hooks["Job"])
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&job), "the Job decodes strictly")
	pod := job.Spec.Template.Spec
	assert.Equal(t, "rel-"+chartName+"-statefulset-migrate", pod.ServiceAccountName)
	require.Len(t, pod.Containers, 1)
	args := pod.Containers[0].Args
	require.GreaterOrEqual(t, len(args), 2+len(want))
	assert.Equal(t, []string{"kube", "recreate-statefulset"}, args[:2])
	var got []any
	for _, a := range args[2 : 2+len(want)] {
		got = append(got, a)
	}
	assert.ElementsMatch(t, wantArgs, got)
	assert.Empty(t, RestrictedViolations(&job.Spec.Template), "the Job passes PodSecurity restricted")

	assert.Empty(t, migration(current...), "no migration when every serviceName is current")
	assert.Empty(t, migration(), "no migration when the StatefulSets do not exist")
}
