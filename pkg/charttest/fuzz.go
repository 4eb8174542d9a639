package charttest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	"github.com/flotilla/flotilla/pkg/render"
)

// FuzzNEnv overrides how many mutated documents per chart RequireFuzzedRenders checks.
const FuzzNEnv = "FLOTILLA_FUZZ_N"

// Fuzz configures RequireFuzzedRenders for one chart.
type Fuzz struct {
	Chart       string
	ExamplesDir string
	// Base is YAML merged under every example (values that keep renders cheap, such as a named
	// key pair instead of a generated one).
	Base string
	// N is the default number of mutated documents; FLOTILLA_FUZZ_N overrides it.
	N int
	// Skip leaves mutations at these dotted paths (and below) out, each with its reason.
	Skip map[string]string
}

// FuzzCounts sums up a fuzz run.
type FuzzCounts struct {
	Accepted, Refused, Crashes, Invalid int
}

// FuzzN is the number of documents to check: FLOTILLA_FUZZ_N when set, else def.
func FuzzN(t testing.TB, def int) int {
	t.Helper()
	if s := os.Getenv(FuzzNEnv); s != "" {
		n, err := strconv.Atoi(s)
		require.NoError(t, err, FuzzNEnv)
		return n
	}
	return def
}

// FuzzSeeds returns the chart's examples (sorted by file name), each merged over base.
func FuzzSeeds(t testing.TB, examplesDir, base string) []map[string]any {
	t.Helper()
	entries, err := os.ReadDir(examplesDir)
	require.NoError(t, err)
	var seeds []map[string]any
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(examplesDir, e.Name()))
		require.NoError(t, err)
		seeds = append(seeds, merge(Doc(t, base), Doc(t, string(data))).(map[string]any))
	}
	require.NotEmpty(t, seeds, "no examples in %s", examplesDir)
	return seeds
}

// RequireFuzzedRenders is the property "every document the schema accepts renders valid
// manifests": seeded mutations of every example (wrong types, unknown keys, nulls, enum misses,
// boundary and huge numbers, special strings) go through pkg/render, Helm's own coalescing,
// schema validation and engine. Each must be refused with a field path, or render manifests
// that decode strictly into the Kubernetes API types, pass the API's own name, label, key and
// reference checks, and keep every pod "restricted". A crash or an invalid manifest fails the
// test, naming the mutated document.
func RequireFuzzedRenders(t *testing.T, f Fuzz) FuzzCounts {
	t.Helper()
	ch, docs := f.Documents(t, FuzzN(t, f.N))
	// Helm's coalescing logs a warning through the standard logger for every mistyped value;
	// thousands of them would bury the test's own report.
	prev := log.Writer()
	log.SetOutput(io.Discard)
	defer log.SetOutput(prev)
	var counts FuzzCounts
	failures := 0
	for i, doc := range docs {
		verdict, problems := CheckDocument(ch, doc)
		switch verdict {
		case "accepted":
			counts.Accepted++
		case "refused":
			counts.Refused++
		case "crash":
			counts.Crashes++
		case "invalid":
			counts.Invalid++
		}
		if len(problems) > 0 && os.Getenv("FLOTILLA_FUZZ_DUMP") != "" {
			body, _ := json.Marshal(doc)
			fmt.Fprintf(os.Stderr, "FUZZ %s\t%s\t%s\n", verdict, strings.ReplaceAll(problems[0], "\n", " "), body)
		}
		if len(problems) > 0 && failures < 20 {
			failures++
			body, _ := yaml.Marshal(doc)
			t.Errorf("document %d: %s:\n  %s\nvalues:\n%s", i, verdict, strings.Join(problems, "\n  "), body)
		}
	}
	t.Logf("%s: %d fuzzed documents: %d accepted, %d refused, %d crashes, %d invalid", f.Chart, len(docs), counts.Accepted, counts.Refused, counts.Crashes, counts.Invalid)
	return counts
}

// Documents loads the chart and returns its n seeded mutated documents (the same for the same
// n): the corpus RequireFuzzedRenders checks and the e2e dry-run samples.
func (f Fuzz) Documents(t testing.TB, n int) (*chart.Chart, []map[string]any) {
	t.Helper()
	ch, err := render.Load(context.Background(), f.Chart, render.LoadOptions{})
	require.NoError(t, err)
	defaults, err := chartutil.CoalesceValues(ch, map[string]any{})
	require.NoError(t, err)
	skip := func(path []any) bool {
		p := "." + dotted(path) + "."
		for s := range f.Skip {
			if strings.Contains(p, "."+s+".") {
				return true
			}
		}
		return false
	}
	return ch, MutantsExcept(FuzzSeeds(t, f.ExamplesDir, f.Base), defaults, n, f.Chart+"-render", skip)
}

// Accepted renders doc and returns the result when the chart accepts it and its manifests pass
// ManifestProblems; nil otherwise.
func Accepted(ch *chart.Chart, doc map[string]any) *render.Result {
	if verdict, _ := CheckDocument(ch, doc); verdict != "accepted" {
		return nil
	}
	res, err := render.RenderValues(ch, doc, render.Options{ReleaseName: "fuzz", Namespace: "fuzz"})
	if err != nil {
		return nil
	}
	return res
}

// CheckDocument renders one values document and returns its verdict (accepted, refused, crash,
// invalid) with what is wrong, if anything: the property RequireFuzzedRenders checks.
func CheckDocument(ch *chart.Chart, doc map[string]any) (verdict string, problems []string) {
	defer func() {
		if r := recover(); r != nil {
			verdict, problems = "crash", []string{fmt.Sprintf("panic: %v", r)}
		}
	}()
	res, err := render.RenderValues(ch, doc, render.Options{ReleaseName: "fuzz", Namespace: "fuzz"})
	var ve *render.ValidationError
	switch {
	case errors.As(err, &ve):
		for _, p := range ve.Problems {
			if p.Path == "" && p.Rule == "" {
				return "refused", []string{"refused without a field path: " + p.String()}
			}
		}
		if len(ve.Problems) == 0 {
			return "refused", []string{"refused with no problem listed: " + ve.Helm}
		}
		return "refused", nil
	case err != nil:
		return "crash", []string{err.Error()}
	}
	problems = ManifestProblems(res)
	if len(problems) > 0 {
		return "invalid", problems
	}
	return "accepted", nil
}

// ManifestProblems lists what the API server would refuse in res, as far as Go can tell
// without one: strict decoding into the API types, object names, labels and annotations
// (k8s.io/apimachinery's validation), the Secret keys and references pods use, resource
// quantities, and the "restricted" Pod Security Standard.
func ManifestProblems(res *render.Result) []string {
	var out []string
	add := func(m render.Manifest, errs field.ErrorList) {
		for _, e := range errs {
			out = append(out, fmt.Sprintf("%s %s (%s): %s", m.Kind, m.Name, m.Source, e.Error()))
		}
	}
	for _, m := range append(slices.Clone(res.Manifests), res.Hooks...) {
		obj, err := Typed(m)
		if err != nil && strings.HasPrefix(m.APIVersion, "monitoring.coreos.com/") {
			// The Prometheus Operator's types are not a dependency: check its metadata only.
			u, uerr := m.Object()
			if uerr != nil {
				out = append(out, uerr.Error())
				continue
			}
			obj, err = &unstructured.Unstructured{Object: u}, nil
		}
		if err != nil {
			out = append(out, err.Error())
			continue
		}
		accessor, err := meta.Accessor(obj)
		if err != nil {
			continue
		}
		nameFn := apivalidation.NameIsDNSSubdomain
		if m.Kind == "Service" {
			nameFn = apivalidation.NameIsDNS1035Label
		}
		add(m, apivalidation.ValidateObjectMetaAccessor(accessor, false, nameFn, field.NewPath("metadata")))
		switch o := obj.(type) {
		case *corev1.Secret:
			for k := range o.Data {
				add(m, keyErrors(field.NewPath("data").Key(k), k))
			}
			for k := range o.StringData {
				add(m, keyErrors(field.NewPath("stringData").Key(k), k))
			}
		case *corev1.ConfigMap:
			for k := range o.Data {
				add(m, keyErrors(field.NewPath("data").Key(k), k))
			}
		case *corev1.PersistentVolumeClaim:
			if q, ok := o.Spec.Resources.Requests[corev1.ResourceStorage]; !ok || q.Sign() <= 0 {
				add(m, field.ErrorList{field.Required(field.NewPath("spec", "resources", "requests", "storage"), "a positive size")})
			}
		case *appsv1.Deployment:
			add(m, selectorErrors(o.Spec.Selector.MatchLabels, o.Spec.Template.Labels))
		case *appsv1.StatefulSet:
			add(m, selectorErrors(o.Spec.Selector.MatchLabels, o.Spec.Template.Labels))
			for _, c := range o.Spec.VolumeClaimTemplates {
				if q, ok := c.Spec.Resources.Requests[corev1.ResourceStorage]; !ok || q.Sign() <= 0 {
					add(m, field.ErrorList{field.Required(field.NewPath("spec", "volumeClaimTemplates", "storage"), "a positive size")})
				}
			}
		case *batchv1.CronJob:
			// The API refuses longer CronJob names: its Jobs' names add 11 characters.
			if len(o.Name) > 52 {
				add(m, field.ErrorList{field.TooLong(field.NewPath("metadata", "name"), o.Name, 52)})
			}
		case *autoscalingv2.HorizontalPodAutoscaler:
			if o.Spec.MinReplicas != nil && *o.Spec.MinReplicas > o.Spec.MaxReplicas {
				add(m, field.ErrorList{field.Invalid(field.NewPath("spec", "maxReplicas"), o.Spec.MaxReplicas, "below minReplicas")})
			}
		}
	}
	pods := map[string]*corev1.PodTemplateSpec{}
	func() {
		defer func() { recover() }() // a manifest that failed to decode is reported above
		pods = PodSpecs(noFail{}, res)
	}()
	for _, name := range slices.Sorted(maps.Keys(pods)) {
		pod := pods[name]
		for _, v := range RestrictedViolations(pod) {
			out = append(out, name+": violates PodSecurity restricted: "+v)
		}
		for _, e := range podErrors(pod) {
			out = append(out, name+": "+e.Error())
		}
	}
	return out
}

// podErrors checks what the API validates in a pod spec and the charts fill from values:
// container names, images, env var names, unique volume names and mount paths, and the
// Secrets, keys, ConfigMaps and claims the pod references.
func podErrors(pod *corev1.PodTemplateSpec) field.ErrorList {
	var errs field.ErrorList
	spec := field.NewPath("spec")
	if n := pod.Spec.ServiceAccountName; n != "" {
		errs = append(errs, nameErrors(spec.Child("serviceAccountName"), n, validation.IsDNS1123Subdomain)...)
	}
	for i, s := range pod.Spec.ImagePullSecrets {
		errs = append(errs, nameErrors(spec.Child("imagePullSecrets").Index(i), s.Name, validation.IsDNS1123Subdomain)...)
	}
	volumes := map[string]bool{}
	for i, v := range pod.Spec.Volumes {
		p := spec.Child("volumes").Index(i)
		errs = append(errs, nameErrors(p.Child("name"), v.Name, validation.IsDNS1123Label)...)
		if volumes[v.Name] {
			errs = append(errs, field.Duplicate(p.Child("name"), v.Name))
		}
		volumes[v.Name] = true
		switch {
		case v.Secret != nil:
			errs = append(errs, nameErrors(p.Child("secret", "secretName"), v.Secret.SecretName, validation.IsDNS1123Subdomain)...)
			for j, it := range v.Secret.Items {
				errs = append(errs, keyErrors(p.Child("secret", "items").Index(j).Child("key"), it.Key)...)
			}
		case v.ConfigMap != nil:
			errs = append(errs, nameErrors(p.Child("configMap", "name"), v.ConfigMap.Name, validation.IsDNS1123Subdomain)...)
			for j, it := range v.ConfigMap.Items {
				errs = append(errs, keyErrors(p.Child("configMap", "items").Index(j).Child("key"), it.Key)...)
			}
		case v.PersistentVolumeClaim != nil:
			errs = append(errs, nameErrors(p.Child("persistentVolumeClaim", "claimName"), v.PersistentVolumeClaim.ClaimName, validation.IsDNS1123Subdomain)...)
		}
	}
	containers := append(slices.Clone(pod.Spec.InitContainers), pod.Spec.Containers...)
	for i, c := range containers {
		p := spec.Child("containers").Index(i)
		errs = append(errs, nameErrors(p.Child("name"), c.Name, validation.IsDNS1123Label)...)
		if c.Image == "" || strings.TrimSpace(c.Image) != c.Image || strings.Contains(c.Image, "%!") {
			errs = append(errs, field.Invalid(p.Child("image"), c.Image, "not an image reference"))
		}
		mountPaths := map[string]bool{}
		for j, m := range c.VolumeMounts {
			if mountPaths[m.MountPath] {
				errs = append(errs, field.Invalid(p.Child("volumeMounts").Index(j).Child("mountPath"), m.MountPath, "must be unique"))
			}
			mountPaths[m.MountPath] = true
		}
		for j, e := range c.Env {
			ep := p.Child("env").Index(j)
			for _, msg := range validation.IsEnvVarName(e.Name) {
				errs = append(errs, field.Invalid(ep.Child("name"), e.Name, msg))
			}
			if e.ValueFrom == nil {
				continue
			}
			if r := e.ValueFrom.SecretKeyRef; r != nil {
				errs = append(errs, nameErrors(ep.Child("valueFrom", "secretKeyRef", "name"), r.Name, validation.IsDNS1123Subdomain)...)
				errs = append(errs, keyErrors(ep.Child("valueFrom", "secretKeyRef", "key"), r.Key)...)
			}
			if r := e.ValueFrom.ConfigMapKeyRef; r != nil {
				errs = append(errs, nameErrors(ep.Child("valueFrom", "configMapKeyRef", "name"), r.Name, validation.IsDNS1123Subdomain)...)
				errs = append(errs, keyErrors(ep.Child("valueFrom", "configMapKeyRef", "key"), r.Key)...)
			}
		}
		for j, e := range c.EnvFrom {
			ep := p.Child("envFrom").Index(j)
			if e.SecretRef != nil {
				errs = append(errs, nameErrors(ep.Child("secretRef", "name"), e.SecretRef.Name, validation.IsDNS1123Subdomain)...)
			}
			if e.ConfigMapRef != nil {
				errs = append(errs, nameErrors(ep.Child("configMapRef", "name"), e.ConfigMapRef.Name, validation.IsDNS1123Subdomain)...)
			}
		}
	}
	return errs
}

func nameErrors(p *field.Path, name string, check func(string) []string) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range check(name) {
		errs = append(errs, field.Invalid(p, name, msg))
	}
	return errs
}

// keyErrors applies the API's rule for Secret and ConfigMap keys.
func keyErrors(p *field.Path, key string) field.ErrorList {
	return nameErrors(p, key, validation.IsConfigMapKey)
}

// selectorErrors checks that a workload's selector selects its own pod template.
func selectorErrors(selector, labels map[string]string) field.ErrorList {
	for k, v := range selector {
		if labels[k] != v {
			return field.ErrorList{field.Invalid(field.NewPath("spec", "template", "metadata", "labels"), labels, "does not match the selector")}
		}
	}
	return nil
}

// noFail is a testing.TB whose failures panic, for helpers used outside a test's flow.
type noFail struct{ testing.TB }

func (noFail) Helper()                   {}
func (noFail) Errorf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }
func (noFail) FailNow()                  { panic("FailNow") }

func dotted(path []any) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = fmt.Sprint(p)
	}
	return strings.Join(parts, ".")
}

// OtherScopes are values typed after the Kubernetes OpenAPI (issue 11) whose mutations this
// property leaves out to stay fast: their schemas are tested on their own (chartvalues' kube
// types). The security contexts and tolerations are mutated like every other value.
var OtherScopes = map[string]string{
	"resources":  "typed from the k8s OpenAPI (issue 11, speed)",
	"affinity":   "typed from the k8s OpenAPI (issue 11, speed)",
	"parentRefs": "typed from the k8s OpenAPI (issue 11, speed)",
}
