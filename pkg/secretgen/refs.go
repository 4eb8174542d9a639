// Package secretgen finds the Secrets a rendered release references but does not create, and
// makes them: values of the shape the chart declares (chartvalues.SecretKey), as manifests to
// print or created in a cluster (never changing a Secret that exists).
package secretgen

import (
	"fmt"
	"sort"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/flotilla/flotilla/pkg/render"
	"github.com/flotilla/flotilla/pkg/secretensure"
)

// Ref is one reference of a pod spec to a Secret.
type Ref struct {
	Secret string
	// Key is the key referenced; empty when the whole Secret is (envFrom, a volume without items).
	Key string
	// Object is the referencing object (Deployment/x); empty for a bare pod spec.
	Object string
	// Use is how the pod uses it: "env NAME" of container C, "volume V", "envFrom".
	Use string
}

// PodSpecRefs lists the Secrets a pod spec needs to start: env secretKeyRefs, envFrom
// secretRefs, secret volumes and projected secret sources of every container. Optional
// references are left out: a pod starts without them.
func PodSpecRefs(spec *corev1.PodSpec) []Ref {
	var out []Ref
	containers := append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...)
	for _, c := range spec.EphemeralContainers {
		containers = append(containers, corev1.Container(c.EphemeralContainerCommon))
	}
	for _, c := range containers {
		for _, e := range c.Env {
			if r := e.ValueFrom; r != nil && r.SecretKeyRef != nil && !isTrue(r.SecretKeyRef.Optional) {
				out = append(out, Ref{Secret: r.SecretKeyRef.Name, Key: r.SecretKeyRef.Key, Use: fmt.Sprintf("env %s of container %s", e.Name, c.Name)})
			}
		}
		for _, e := range c.EnvFrom {
			if e.SecretRef != nil && !isTrue(e.SecretRef.Optional) {
				out = append(out, Ref{Secret: e.SecretRef.Name, Use: "envFrom of container " + c.Name})
			}
		}
	}
	volume := func(name string, items []corev1.KeyToPath, optional *bool, use string) {
		if isTrue(optional) {
			return
		}
		if len(items) == 0 {
			out = append(out, Ref{Secret: name, Use: use})
		}
		for _, it := range items {
			out = append(out, Ref{Secret: name, Key: it.Key, Use: use})
		}
	}
	for _, v := range spec.Volumes {
		if s := v.Secret; s != nil {
			volume(s.SecretName, s.Items, s.Optional, "volume "+v.Name)
		}
		if p := v.Projected; p != nil {
			for _, src := range p.Sources {
				if s := src.Secret; s != nil {
					volume(s.Name, s.Items, s.Optional, "projected volume "+v.Name)
				}
			}
		}
	}
	return out
}

func isTrue(b *bool) bool { return b != nil && *b }

// podSpecPath is where each workload kind keeps its pod spec.
var podSpecPath = map[string][]string{
	"Pod":                   {"spec"},
	"Deployment":            {"spec", "template", "spec"},
	"StatefulSet":           {"spec", "template", "spec"},
	"DaemonSet":             {"spec", "template", "spec"},
	"ReplicaSet":            {"spec", "template", "spec"},
	"ReplicationController": {"spec", "template", "spec"},
	"Job":                   {"spec", "template", "spec"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template", "spec"},
}

// ManifestRefs lists the Secret references of a rendered workload, or of a CloudNativePG
// Cluster's initdb (nil for other kinds).
func ManifestRefs(m render.Manifest) ([]Ref, error) {
	cnpg := m.Kind == "Cluster" && m.APIVersion == "postgresql.cnpg.io/v1"
	if _, ok := podSpecPath[m.Kind]; !ok && !cnpg {
		return nil, nil
	}
	obj, err := m.Object()
	if err != nil {
		return nil, err
	}
	if cnpg {
		return clusterRefs(m.Name, obj), nil
	}
	return ObjectRefs(m.Kind, m.Name, obj)
}

// clusterRefs: CloudNativePG's initdb reads the owner's credentials from the keys username
// and password of spec.bootstrap.initdb.secret (the operator creates one when none is named).
func clusterRefs(name string, obj map[string]any) []Ref {
	var cur any = obj
	for _, p := range []string{"spec", "bootstrap", "initdb", "secret", "name"} {
		mm, _ := cur.(map[string]any)
		cur = mm[p]
	}
	secret, _ := cur.(string)
	if secret == "" {
		return nil
	}
	use := "initdb owner of CloudNativePG"
	return []Ref{{Secret: secret, Key: "username", Object: "Cluster/" + name, Use: use}, {Secret: secret, Key: "password", Object: "Cluster/" + name, Use: use}}
}

// ObjectRefs lists the Secret references of a workload object of the given kind (a decoded
// manifest, or an object read from a cluster); nil for kinds without a pod spec.
func ObjectRefs(kind, name string, obj map[string]any) ([]Ref, error) {
	path, ok := podSpecPath[kind]
	if !ok {
		return nil, nil
	}
	var cur any = obj
	for _, p := range path {
		mm, _ := cur.(map[string]any)
		cur = mm[p]
	}
	raw, ok := cur.(map[string]any)
	if !ok {
		return nil, nil
	}
	var spec corev1.PodSpec
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &spec); err != nil {
		return nil, fmt.Errorf("%s/%s: pod spec: %w", kind, name, err)
	}
	refs := PodSpecRefs(&spec)
	for i := range refs {
		refs[i].Object = kind + "/" + name
	}
	return refs, nil
}

// ReleaseRefs lists the Secret references of every workload of a render, hooks and test pods
// included, and the keys of every Secret the release creates itself (rendered, or created by
// its secrets hook Job).
func ReleaseRefs(res *render.Result) (refs []Ref, created map[string]map[string]bool, err error) {
	created = map[string]map[string]bool{}
	for _, m := range append(append([]render.Manifest{}, res.Manifests...), res.Hooks...) {
		if m.Kind == "Secret" {
			obj, err := m.Object()
			if err != nil {
				return nil, nil, err
			}
			keys := map[string]bool{}
			for _, field := range []string{"data", "stringData"} {
				d, _ := obj[field].(map[string]any)
				for k := range d {
					keys[k] = true
				}
			}
			created[m.Name] = keys
			continue
		}
		r, err := ManifestRefs(m)
		if err != nil {
			return nil, nil, err
		}
		refs = append(refs, r...)
		if err := hookCreated(m, created); err != nil {
			return nil, nil, err
		}
	}
	return refs, created, nil
}

// Unresolved returns the references that no Secret of have resolves (have: Secret name → keys).
func Unresolved(refs []Ref, have map[string]map[string]bool) []Ref {
	var out []Ref
	for _, r := range refs {
		keys, ok := have[r.Secret]
		if !ok || (r.Key != "" && !keys[r.Key]) {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Secret < out[j].Secret })
	return out
}

// hookCreated adds the Secrets a secrets hook Job (`flotilla-hook secrets ensure`,
// secrets.generation hook) creates to created: the release makes them, though not as manifests.
func hookCreated(m render.Manifest, created map[string]map[string]bool) error {
	if m.Kind != "Job" {
		return nil
	}
	obj, err := m.Object()
	if err != nil {
		return err
	}
	var job batchv1.Job
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj, &job); err != nil {
		return fmt.Errorf("Job/%s: %w", m.Name, err)
	}
	for _, c := range job.Spec.Template.Spec.Containers {
		if len(c.Args) < 2 || c.Args[0] != "secrets" || c.Args[1] != "ensure" {
			continue
		}
		for _, a := range c.Args[2:] {
			v, ok := strings.CutPrefix(a, "--secret=")
			if !ok {
				continue
			}
			sp, err := secretensure.ParseSpec(v)
			if err != nil {
				return fmt.Errorf("Job/%s: %w", m.Name, err)
			}
			keys := map[string]bool{}
			for _, k := range sp.Keys {
				keys[k.Name] = true
			}
			created[sp.Name] = keys
		}
	}
	return nil
}
