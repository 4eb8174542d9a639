package charttest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/chart"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

const commonValues = `commonLabels: {team: ai, "example.com/cost-centre": "true"}
podLabels: {team: other, tier: web}
extraVolumes:
- {name: certs, secret: {secretName: my-certs}}
- {name: scratch, emptyDir: {sizeLimit: 1Gi}}
extraVolumeMounts:
- {name: certs, mountPath: /etc/certs, readOnly: true}
- {name: scratch, mountPath: /scratch, subPath: app}
`

// appWorkloads: per chart, the values that run every app component and the Deployments and
// StatefulSets of the app (not the bundled PostgreSQL, Redis, InfluxDB or PgBouncer).
var appWorkloads = []struct {
	chart, values string
	app           []string
}{
	{"flowise", `architecture: {mode: queue}
persistence: {enabled: false}
storage: {type: s3, s3: {bucketName: b}}
postgresql: {enabled: true, auth: {existingSecret: flowise-db}}
redis: {enabled: true, auth: {existingSecret: flowise-redis}}
`, []string{"Deployment/r-flowise", "Deployment/r-flowise-worker"}},
	{"flagsmith", "", []string{"Deployment/r-flagsmith", "Deployment/r-flagsmith-frontend"}},
	{"flowkit", noKeygen, []string{"Deployment/r-flowkit-flowapi", "Deployment/r-flowkit-flowauth", "Deployment/r-flowkit-flowetl",
		"Deployment/r-flowkit-flowmachine", "StatefulSet/r-flowkit-flowdb"}},
}

// TestCommonLabelsAndExtraVolumes: commonLabels reach every object's labels and every pod's, never
// a selector; extraVolumes and extraVolumeMounts reach every app pod and its main container and
// nothing else; the manifests decode strictly and the pods stay "restricted".
func TestCommonLabelsAndExtraVolumes(t *testing.T) {
	for _, tc := range appWorkloads {
		t.Run(tc.chart, func(t *testing.T) {
			ch, err := render.Load(context.Background(), tc.chart, render.LoadOptions{})
			require.NoError(t, err)
			res, err := render.Render(ch, render.Options{ReleaseName: "r", Namespace: "apps",
				Values: []map[string]any{charttest.Doc(t, tc.values), charttest.Doc(t, commonValues)}})
			require.NoError(t, err)
			charttest.RequireStrict(t, res)
			charttest.RequireRestricted(t, res)
			assert.Empty(t, charttest.ManifestProblems(res))

			for _, m := range append(append([]render.Manifest{}, res.Manifests...), res.Hooks...) {
				obj, err := charttest.Typed(m)
				require.NoError(t, err)
				acc, err := meta.Accessor(obj)
				require.NoError(t, err)
				assert.Equal(t, "ai", acc.GetLabels()["team"], "%s/%s labels", m.Kind, m.Name)
				assert.Equal(t, "true", acc.GetLabels()["example.com/cost-centre"], "%s/%s labels", m.Kind, m.Name)
				var selector map[string]string
				switch o := obj.(type) {
				case *appsv1.Deployment:
					selector = o.Spec.Selector.MatchLabels
				case *appsv1.StatefulSet:
					selector = o.Spec.Selector.MatchLabels
				case *corev1.Service:
					selector = o.Spec.Selector
				}
				assert.NotContains(t, selector, "team", "%s/%s selector", m.Kind, m.Name)
			}

			pods := charttest.PodSpecs(t, res)
			for _, key := range tc.app {
				require.Contains(t, pods, key)
			}
			for key, pod := range pods {
				var vols []string
				for _, v := range pod.Spec.Volumes {
					if v.Name == "certs" || v.Name == "scratch" {
						vols = append(vols, v.Name)
					}
				}
				var mounts []corev1.VolumeMount
				for _, m := range pod.Spec.Containers[0].VolumeMounts {
					if m.Name == "certs" || m.Name == "scratch" {
						mounts = append(mounts, m)
					}
				}
				if !contains(tc.app, key) {
					assert.Empty(t, vols, "%s is not an app pod", key)
					continue
				}
				assert.Equal(t, "ai", pod.Labels["team"], "%s pod: commonLabels win over podLabels", key)
				assert.Equal(t, "web", pod.Labels["tier"], key)
				assert.Equal(t, []string{"certs", "scratch"}, vols, key)
				assert.Equal(t, []corev1.VolumeMount{
					{Name: "certs", MountPath: "/etc/certs", ReadOnly: true},
					{Name: "scratch", MountPath: "/scratch", SubPath: "app"},
				}, mounts, key)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestBadExtraVolumesRefused: documents the API (or the restricted Pod Security Standard) would
// refuse are refused before anything renders, naming the field.
func TestBadExtraVolumesRefused(t *testing.T) {
	cases := []struct{ name, values, path string }{
		{"selector label", `commonLabels: {app.kubernetes.io/name: x}`, "commonLabels.app.kubernetes.io/name"},
		{"label key syntax", `commonLabels: {"-bad": x}`, "commonLabels.-bad"},
		{"label value too long", `commonLabels: {team: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}`, "commonLabels.team"},
		{"label value syntax", `commonLabels: {team: "a b"}`, "commonLabels.team"},
		{"hostPath", `extraVolumes: [{name: h, hostPath: {path: /}}]`, "extraVolumes.0.hostPath"},
		{"no source", `extraVolumes: [{name: h}]`, "extraVolumes.0"},
		{"two sources", `extraVolumes: [{name: h, emptyDir: {}, secret: {secretName: s}}]`, "extraVolumes.0"},
		{"volume name", `extraVolumes: [{name: Certs, emptyDir: {}}]`, "extraVolumes.0.name"},
		{"volume not an object", `extraVolumes: [certs]`, "extraVolumes.0"},
		{"source not an object", `extraVolumes: [{name: c, emptyDir: true}]`, "extraVolumes.0.emptyDir"},
		{"relative mountPath", `extraVolumeMounts: [{name: c, mountPath: etc}]`, "extraVolumeMounts.0.mountPath"},
		{"no mountPath", `extraVolumeMounts: [{name: c}]`, "extraVolumeMounts.0.mountPath"},
		{"subPath ..", `extraVolumeMounts: [{name: c, mountPath: /c, subPath: a/../b}]`, "extraVolumeMounts.0.subPath"},
		{"unknown mount field", `extraVolumeMounts: [{name: c, mountPath: /c, mountPropagation: Bidirectional}]`, "extraVolumeMounts.0.mountPropagation"},
		{"mount of no volume", `extraVolumeMounts: [{name: c, mountPath: /c}]`, "extraVolumeMounts.0.name"},
		{"volume name twice", `extraVolumes: [{name: c, emptyDir: {}}, {name: c, emptyDir: {}}]`, "extraVolumes.1.name"},
		{"chart's own volume", `extraVolumes: [{name: tmp, emptyDir: {}}]`, "extraVolumes.0.name"},
		{"hook's volume name, reserved", `extraVolumes: [{name: flotilla-db-ca, emptyDir: {}}]`, "extraVolumes.0.name"},
		{"chart's own path", `extraVolumes: [{name: c, emptyDir: {}}]
extraVolumeMounts: [{name: c, mountPath: /tmp/}]`, "extraVolumeMounts.0.mountPath"},
		{"mountPath twice", `extraVolumes: [{name: c, emptyDir: {}}]
extraVolumeMounts: [{name: c, mountPath: /c}, {name: c, mountPath: /c}]`, "extraVolumeMounts.1.mountPath"},
		// The fuzz property test's [{name: ""}]: topologySpreadConstraints items are typed now.
		{"spread entry of another shape", `topologySpreadConstraints: [{name: ""}]`, "topologySpreadConstraints.0.name"},
		{"spread minDomains with ScheduleAnyway", `topologySpreadConstraints: [{maxSkew: 1, topologyKey: k, whenUnsatisfiable: ScheduleAnyway, minDomains: 2}]`, "topologySpreadConstraints.0.minDomains"},
	}
	for _, chart := range []string{"flowise", "flagsmith", "flowkit"} {
		ch, err := render.Load(context.Background(), chart, render.LoadOptions{})
		require.NoError(t, err)
		for _, c := range cases {
			t.Run(chart+"/"+c.name, func(t *testing.T) {
				base := ""
				if chart == "flowkit" {
					base = noKeygen
				}
				_, err := render.Render(ch, render.Options{ReleaseName: "r", Namespace: "apps",
					Values: []map[string]any{charttest.Doc(t, base), charttest.Doc(t, c.values)}})
				var ve *render.ValidationError
				require.True(t, errors.As(err, &ve), "want a ValidationError, got %v", err)
				var paths []string
				for _, p := range ve.Problems {
					paths = append(paths, p.Path)
				}
				assert.Contains(t, paths, c.path, "%v", ve)
			})
		}
	}
}

// TestExtraVolumesClashesAcceptedFindsGaps: the completeness check fails a chart whose clash
// check misses its own volumes or paths, and passes the real one.
func TestExtraVolumesClashesAcceptedFindsGaps(t *testing.T) {
	ch, err := render.Load(context.Background(), "flowise", render.LoadOptions{})
	require.NoError(t, err)
	doc := charttest.CaseDocument(t, charttest.ExtraVolumesCase{Name: "queue", Files: []string{"../../examples/flowise/queue.yaml"}})
	assert.Empty(t, charttest.ExtraVolumesClashesAccepted(t, ch, doc))

	// The same chart with a check that knows neither the hook's volumes nor any mount path.
	broken := *ch
	broken.Templates = nil
	found := false
	for _, f := range ch.Templates {
		if f.Name == "templates/checks.yaml" {
			data := strings.Replace(string(f.Data), `(include "flotilla.hook.volumes" .)`, "", 1)
			data = strings.Replace(data, `"mounts" (list $mounts)`, `"mounts" (list)`, 1)
			require.NotEqual(t, string(f.Data), data)
			f = &chart.File{Name: f.Name, Data: []byte(data)}
			found = true
		}
		broken.Templates = append(broken.Templates, f)
	}
	require.True(t, found)
	assert.ElementsMatch(t, []string{
		`extraVolumes name "flotilla-db-password" (a volume of the chart's own) is not refused`,
		`extraVolumeMounts mountPath "/home/node" (a path the chart mounts) is not refused`,
		`extraVolumeMounts mountPath "/home/node/.flowise" (a path the chart mounts) is not refused`,
		`extraVolumeMounts mountPath "/opt/flotilla" (a path the chart mounts) is not refused`,
		`extraVolumeMounts mountPath "/tmp" (a path the chart mounts) is not refused`,
	}, charttest.ExtraVolumesClashesAccepted(t, &broken, doc))
}
