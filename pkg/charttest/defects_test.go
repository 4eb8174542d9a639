package charttest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/yaml"

	"github.com/flotilla/flotilla/pkg/chartkit"
	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

// defect is one document the schema used to accept that crashed a template or rendered
// manifests Kubernetes refuses (issue 11). Either it is now refused, naming refusedAt, or it
// renders manifests that pass charttest.ManifestProblems and check.
type defect struct {
	name      string
	chart     string
	values    string   // YAML
	set       []string // --set
	setString []string // --set-string
	refusedAt string
	check     func(t *testing.T, res *render.Result)
}

// noKeygen names FlowKit's key pair, which spares each render a 4096-bit key generation.
const noKeygen = "jwt: {existingSecret: jwt}\n"

func defects() []defect {
	return []defect{
		// 1. A null deletes the chart's default (Helm's coalescing): refused where the chart needs a value.
		{name: "null serviceAccount", chart: "flowise", values: "serviceAccount: null", refusedAt: "serviceAccount"},
		{name: "null flowmachine.debugMode", chart: "flowkit", values: noKeygen + "flowmachine: {debugMode: null}", refusedAt: "flowmachine.debugMode"},
		{name: "null tests", chart: "flagsmith", values: "tests: null", refusedAt: "tests"},
		{name: "null PVC size", chart: "flowise", values: "persistence: {enabled: true, size: null}", refusedAt: "persistence.size"},
		{name: "null secret key", chart: "flowise", values: "auth: {existingSecret: s, existingSecretJwtAuthTokenSecretKey: null}", refusedAt: "auth.existingSecretJwtAuthTokenSecretKey"},
		{name: "null image tag", chart: "flowise", values: "image: {tag: null}", refusedAt: "image.tag"},
		{name: "null hook image", chart: "flagsmith", values: "hook: {image: null}", refusedAt: "hook.image"},
		// ... and a block left out (or emptied) keeps its defaults.
		{name: "empty serviceAccount keeps its defaults", chart: "flowise", values: "serviceAccount: {}", check: func(t *testing.T, res *render.Result) {
			assert.Len(t, res.Find("ServiceAccount", "fuzz-flowise"), 1)
		}},
		{name: "empty tests keeps the test pod", chart: "flagsmith", values: "tests: {}", check: func(t *testing.T, res *render.Result) {
			assert.NotEmpty(t, res.Hooks)
		}},

		// 2. User strings are written quoted, or refused by a pattern.
		{name: "newline in a Secret name", chart: "flowise", values: "auth: {existingSecret: \"x\\ny\"}", refusedAt: "auth.existingSecret"},
		{name: "Secret named true", chart: "flowise", setString: []string{"auth.existingSecret=true"}, check: func(t *testing.T, res *render.Result) {
			d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "fuzz-flowise")
			assert.Equal(t, "secret:true/jwt-auth-token-secret", charttest.Env(d.Spec.Template.Spec.Containers[0])["JWT_AUTH_TOKEN_SECRET"])
		}},
		{name: "nameOverride 0x10", chart: "flowise", setString: []string{"nameOverride=0x10"}, refusedAt: "nameOverride"},
		{name: "nameOverride true", chart: "flowise", setString: []string{"nameOverride=true"}, check: func(t *testing.T, res *render.Result) {
			d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "fuzz-true")
			assert.Equal(t, "true", d.Labels["app.kubernetes.io/name"])
		}},
		{name: "release-wide Secret key true", chart: "flowkit", values: noKeygen, setString: []string{"jwt.existingSecretPrivateKeyKey=true"}, check: func(t *testing.T, res *render.Result) {}},
		{name: "image tag with a space", chart: "flowise", setString: []string{"image.tag=1 2"}, refusedAt: "image.tag"},

		// 3. Integers are int32.
		{name: "probe timeout beyond int32", chart: "flowise", set: []string{"flowise.probes.startup.timeoutSeconds=2147483648"}, refusedAt: "flowise.probes.startup.timeoutSeconds"},
		{name: "probe timeout at int32 max", chart: "flowise", set: []string{"flowise.probes.startup.timeoutSeconds=2147483647"}, check: func(t *testing.T, res *render.Result) {}},
		{name: "replicas beyond int32", chart: "flagsmith", set: []string{"api.replicaCount=2147483648"}, refusedAt: "api.replicaCount"},
		{name: "PDB beyond int32", chart: "flowise", set: []string{"podDisruptionBudget.maxUnavailable=2147483648"}, refusedAt: "podDisruptionBudget.maxUnavailable"},
		{name: "HPA beyond int32", chart: "flagsmith", set: []string{"api.autoscaling.maxReplicas=2147483648"}, refusedAt: "api.autoscaling.maxReplicas"},
		{name: "runAsUser beyond int32", chart: "flowkit", values: noKeygen, set: []string{"flowdb.uid=2147483648"}, refusedAt: "flowdb.uid"},

		// 4. Names and keys follow the API's rules.
		{name: "fullnameOverride 1e400", chart: "flowise", setString: []string{"fullnameOverride=1e400"}, refusedAt: "fullnameOverride"},
		{name: "fullnameOverride too long for derived names", chart: "flowise", setString: []string{"fullnameOverride=" + strings.Repeat("a", 41)}, refusedAt: "fullnameOverride"},
		{name: "Secret key ..", chart: "flowise", values: "auth: {existingSecret: s, existingSecretEncryptionKeyKey: ..}", refusedAt: "auth.existingSecretEncryptionKeyKey"},
		{name: "Secret key /", chart: "flowise", values: "auth: {existingSecret: s, existingSecretEncryptionKeyKey: /}", refusedAt: "auth.existingSecretEncryptionKeyKey"},
		{name: "Secret name with a capital", chart: "flagsmith", values: "auth: {existingSecret: Secret}", refusedAt: "auth.existingSecret"},
		{name: "pull Secret without a name", chart: "flagsmith", values: "imagePullSecrets: [{name: ''}]", refusedAt: "imagePullSecrets.0.name"},
		{name: "pull Secret named true", chart: "flagsmith", values: "imagePullSecrets: [{name: 'true'}]", check: func(t *testing.T, res *render.Result) {
			d := charttest.Object[*appsv1.Deployment](t, res, "Deployment", "fuzz-flagsmith")
			assert.Equal(t, "true", d.Spec.Template.Spec.ImagePullSecrets[0].Name)
		}},
		{name: "ingress path omitted", chart: "flowise", values: "ingress: {enabled: true, hosts: [{host: a.example.com, paths: [{pathType: Prefix}]}]}", refusedAt: "ingress.hosts.0.paths.0.path"},
		{name: "ingress path not absolute", chart: "flowise", values: "ingress: {enabled: true, hosts: [{host: a.example.com, paths: [{path: api, pathType: Prefix}]}]}", refusedAt: "ingress.hosts.0.paths.0.path"},
	}
}

// TestIssue11Defects: each document that used to crash a template or render a manifest the API
// refuses is now refused naming its field (by pkg/render and by Helm's own chartutil path), or
// renders valid manifests.
func TestIssue11Defects(t *testing.T) {
	for _, d := range defects() {
		t.Run(d.name, func(t *testing.T) {
			ch, err := render.Load(context.Background(), d.chart, render.LoadOptions{})
			require.NoError(t, err)
			opts := render.Options{ReleaseName: "fuzz", Namespace: "fuzz", Values: []map[string]any{charttest.Doc(t, d.values)}, Set: d.set, SetString: d.setString}
			user, err := render.MergeValues(opts)
			require.NoError(t, err)
			_, helmErr := chartutil.ToRenderValues(ch, user, chartutil.ReleaseOptions{Name: "fuzz", Namespace: "fuzz", IsInstall: true}, nil)
			res, err := render.Render(ch, opts)
			if d.refusedAt != "" {
				require.Error(t, helmErr, "Helm accepts the values")
				var ve *render.ValidationError
				require.True(t, errors.As(err, &ve), "want a ValidationError, got %v", err)
				var paths []string
				for _, p := range ve.Problems {
					paths = append(paths, p.Path)
				}
				assert.Contains(t, paths, d.refusedAt, "%v", ve)
				return
			}
			require.NoError(t, helmErr)
			require.NoError(t, err)
			assert.Empty(t, charttest.ManifestProblems(res))
			d.check(t, res)
		})
	}
}

// TestLongestNameOverrides: every example of every chart renders valid manifests (names, CronJob
// names and labels within the API's lengths) with name overrides of the longest allowed length.
func TestLongestNameOverrides(t *testing.T) {
	long := strings.Repeat("a", chartkit.NameOverrideMaxLength)
	for _, chart := range []string{"flowise", "flowkit", "flagsmith"} {
		ch, err := render.Load(context.Background(), chart, render.LoadOptions{})
		require.NoError(t, err)
		dir := filepath.Join("..", "..", "examples", chart)
		for _, seed := range charttest.FuzzSeeds(t, dir, map[bool]string{true: noKeygen}[chart == "flowkit"]) {
			for _, set := range [][]string{{"fullnameOverride=" + long}, {"nameOverride=" + long}} {
				res, err := render.Render(ch, render.Options{ReleaseName: "fuzz", Namespace: "fuzz", Values: []map[string]any{seed}, SetString: set})
				require.NoError(t, err, "%s %v", chart, set)
				assert.Empty(t, charttest.ManifestProblems(res), "%s %v", chart, set)
			}
		}
	}
}

// FuzzValues is the property test as a native Go fuzz target: any YAML values document for any
// chart is refused with a field path or renders valid manifests. `go test` runs the examples as
// its seed corpus; `go test ./pkg/charttest/ -run '^$' -fuzz FuzzValues` explores further.
func FuzzValues(f *testing.F) {
	charts := []string{"flowise", "flowkit", "flagsmith"}
	loaded := map[string]*chart.Chart{}
	for i, name := range charts {
		ch, err := render.Load(context.Background(), name, render.LoadOptions{})
		require.NoError(f, err)
		loaded[name] = ch
		files, err := filepath.Glob(filepath.Join("..", "..", "examples", name, "*.yaml"))
		require.NoError(f, err)
		for _, file := range files {
			data, err := os.ReadFile(file)
			require.NoError(f, err)
			f.Add(uint8(i), string(data))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, values string) {
		name := charts[int(which)%len(charts)]
		doc := map[string]any{}
		if yaml.Unmarshal([]byte(values), &doc) != nil {
			t.Skip("not a YAML map")
		}
		if name == "flowkit" {
			if jwt, ok := doc["jwt"].(map[string]any); !ok || jwt["existingSecret"] == "" || jwt["existingSecret"] == nil {
				doc["jwt"] = map[string]any{"existingSecret": "jwt"} // no 4096-bit key generation per input
			}
		}
		if verdict, problems := charttest.CheckDocument(loaded[name], doc); len(problems) > 0 {
			t.Fatalf("%s: %s: %v", name, verdict, problems)
		}
	})
}
