// Package render renders Flotilla's charts (or any Helm chart) from Go with Helm's own loader,
// values coalescing, schema validation and template engine: the same values give the same
// manifests and the same validation failures as `helm template`.
package render

import (
	"fmt"
	"path"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/cli/values"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/getter"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/releaseutil"
	"helm.sh/helm/v3/pkg/strvals"
	"sigs.k8s.io/yaml"
)

// Options are the inputs of one render, as `helm template` takes them.
type Options struct {
	// ReleaseName defaults to "release".
	ReleaseName string
	// Namespace defaults to "default".
	Namespace string
	// KubeVersion such as "v1.37.0"; empty uses DefaultKubeVersion.
	KubeVersion string
	// Values are merged first, in order, as if each were a -f file.
	Values []map[string]any
	// ValueFiles are read next, in order (-f).
	ValueFiles []string
	// Set are --set strings, applied after the files.
	Set []string
	// SetString are --set-string strings, applied last.
	SetString []string
	// IsUpgrade renders as `helm template --is-upgrade`.
	IsUpgrade bool
}

// DefaultKubeVersion is the Kubernetes version renders assume when Options.KubeVersion is
// empty. Helm's library default (v1.20) is older than any cluster the charts support; the
// helm binary reports the version it was built for, so pass the same to compare.
const DefaultKubeVersion = "v1.37.0"

// Manifest is one rendered object.
type Manifest struct {
	Kind       string
	APIVersion string
	Name       string
	Namespace  string
	// Source is the template that produced it, e.g. "flowise/templates/deployment.yaml".
	Source string
	// Hook lists the Helm hook events of a hook object (empty for ordinary manifests).
	Hook []string
	// Object is the decoded manifest.
	Object map[string]any
	// YAML is the manifest as rendered.
	YAML string
}

// Result is a rendered release.
type Result struct {
	// Manifests in Helm's install order, hooks excluded.
	Manifests []Manifest
	// Hooks in Helm's order (test pods included).
	Hooks []Manifest
	// Notes is the rendered NOTES.txt.
	Notes string
}

// Find returns the manifests of the given kind (and name, when not empty), hooks included.
func (r *Result) Find(kind, name string) []Manifest {
	var out []Manifest
	for _, m := range append(append([]Manifest{}, r.Manifests...), r.Hooks...) {
		if m.Kind == kind && (name == "" || m.Name == name) {
			out = append(out, m)
		}
	}
	return out
}

// YAML joins every manifest, hooks last, as `helm template` prints them.
func (r *Result) YAML() string {
	var b strings.Builder
	for _, m := range append(append([]Manifest{}, r.Manifests...), r.Hooks...) {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", m.Source, strings.TrimSpace(m.YAML))
	}
	return b.String()
}

// MergeValues merges the user-supplied values of opts (maps, files, --set, --set-string) in
// Helm's order, without the chart's defaults.
func MergeValues(opts Options) (map[string]any, error) {
	base := map[string]any{}
	for _, m := range opts.Values {
		base = mergeMaps(base, m)
	}
	fromFiles, err := (&values.Options{ValueFiles: opts.ValueFiles}).MergeValues(getter.Providers{})
	if err != nil {
		return nil, fmt.Errorf("values: %w", err)
	}
	base = mergeMaps(base, fromFiles)
	for _, s := range opts.Set {
		if err := strvals.ParseInto(s, base); err != nil {
			return nil, fmt.Errorf("--set %s: %w", s, err)
		}
	}
	for _, s := range opts.SetString {
		if err := strvals.ParseIntoString(s, base); err != nil {
			return nil, fmt.Errorf("--set-string %s: %w", s, err)
		}
	}
	return base, nil
}

// Render validates the values against the chart's schema and renders it. A schema failure is
// returned as *ValidationError.
func Render(ch *chart.Chart, opts Options) (*Result, error) {
	user, err := MergeValues(opts)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", ch.Name(), err)
	}
	return RenderValues(ch, user, opts)
}

// RenderValues renders with already-merged user values (see MergeValues); opts supplies the
// release name, namespace, kube version and upgrade flag.
func RenderValues(ch *chart.Chart, user map[string]any, opts Options) (*Result, error) {
	name := ch.Name()
	caps := chartutil.DefaultCapabilities.Copy()
	kv, err := chartutil.ParseKubeVersion(defaultString(opts.KubeVersion, DefaultKubeVersion))
	if err != nil {
		return nil, fmt.Errorf("render %s: kube version: %w", name, err)
	}
	caps.KubeVersion = *kv
	if ch.Metadata.KubeVersion != "" && !chartutil.IsCompatibleRange(ch.Metadata.KubeVersion, caps.KubeVersion.String()) {
		return nil, fmt.Errorf("render %s: chart requires kubeVersion %s, which is incompatible with Kubernetes %s", name, ch.Metadata.KubeVersion, caps.KubeVersion.String())
	}
	if err := chartutil.ProcessDependenciesWithMerge(ch, user); err != nil {
		return nil, fmt.Errorf("render %s: dependencies: %w", name, err)
	}
	relOpts := chartutil.ReleaseOptions{
		Name: defaultString(opts.ReleaseName, "release"), Namespace: defaultString(opts.Namespace, "default"),
		Revision: 1, IsInstall: !opts.IsUpgrade, IsUpgrade: opts.IsUpgrade,
	}
	vals, err := chartutil.ToRenderValues(ch, user, relOpts, caps)
	if err != nil {
		return nil, explain(ch, user, err)
	}
	files, err := engine.Render(ch, vals)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	res := &Result{}
	notes := path.Join(name, "templates", "NOTES.txt")
	for k, v := range files {
		if strings.HasSuffix(k, "NOTES.txt") {
			if k == notes {
				res.Notes = v
			}
			delete(files, k)
		}
	}
	hooks, manifests, err := releaseutil.SortManifests(files, caps.APIVersions, releaseutil.InstallOrder)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	for _, m := range manifests {
		man, err := decode(m.Name, m.Content)
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", name, err)
		}
		res.Manifests = append(res.Manifests, man)
	}
	for _, h := range hooks {
		man, err := decode(h.Path, h.Manifest)
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", name, err)
		}
		man.Hook = hookEvents(h)
		res.Hooks = append(res.Hooks, man)
	}
	return res, nil
}

func decode(source, content string) (Manifest, error) {
	obj := map[string]any{}
	if err := yaml.Unmarshal([]byte(content), &obj); err != nil {
		return Manifest{}, fmt.Errorf("decode %s: %w", source, err)
	}
	m := Manifest{Source: source, Object: obj, YAML: content}
	m.Kind, _ = obj["kind"].(string)
	m.APIVersion, _ = obj["apiVersion"].(string)
	if meta, ok := obj["metadata"].(map[string]any); ok {
		m.Name, _ = meta["name"].(string)
		m.Namespace, _ = meta["namespace"].(string)
	}
	return m, nil
}

func hookEvents(h *release.Hook) []string {
	out := make([]string, len(h.Events))
	for i, e := range h.Events {
		out[i] = string(e)
	}
	return out
}

func mergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if vm, ok := v.(map[string]any); ok {
			if am, ok := out[k].(map[string]any); ok {
				out[k] = mergeMaps(am, vm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

func defaultString(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
