// Package render renders Flotilla's charts (or any Helm chart) from Go with Helm's own loader,
// values coalescing, schema library and template functions: the same values give the same
// manifests and the same validation failures as `helm template`. Schemas are compiled and
// templates parsed once per chart; a render whose templates fail goes to Helm's engine.Render,
// so template errors are Helm's own.
package render

import (
	"errors"
	"fmt"
	"os"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	yamlv3 "go.yaml.in/yaml/v3"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/cli/values"
	"helm.sh/helm/v3/pkg/getter"
	"helm.sh/helm/v3/pkg/releaseutil"
	"helm.sh/helm/v3/pkg/strvals"
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
	// YAML is the manifest as rendered.
	YAML string

	decoded *decoded // shared by copies, so a manifest is decoded at most once
}

type decoded struct {
	once sync.Once
	obj  map[string]any
	err  error
}

// Object is the manifest decoded into a map (YAML 1.2 scalars: only true/false are booleans).
// Rendering reads only each manifest's head; the body is parsed on the first call, and later
// calls (on any copy of m) return the same map. A manifest that is not valid YAML gives a
// "YAML parse error on <template>" error, where helm template would have stopped.
func (m Manifest) Object() (map[string]any, error) {
	d := m.decoded
	if d == nil {
		d = &decoded{}
	}
	d.once.Do(func() { d.obj, d.err = decodeObject(m.Source, m.YAML) })
	return d.obj, d.err
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

// Decode decodes every manifest and hook (see Manifest.Object), in parallel, and returns the
// errors helm template would have stopped at: call it before using a render of a chart whose
// templates may write invalid YAML.
func (r *Result) Decode() error {
	all := append(append([]Manifest{}, r.Manifests...), r.Hooks...)
	errs := make([]error, len(all))
	parallel(len(all), func(i int) { _, errs[i] = all[i].Object() })
	return errors.Join(errs...)
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
		if why := notAMap(opts.ValueFiles); why != nil {
			return nil, why
		}
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

// notAMap explains a values file whose top level is not a map, which helm reports only as a
// failed JSON conversion; nil when every file is a map (or unreadable: helm's error says why).
func notAMap(files []string) error {
	for _, f := range files {
		if f == "-" {
			continue // stdin: already consumed by helm
		}
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var doc yamlv3.Node
		if yamlv3.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
			continue
		}
		switch top := doc.Content[0]; {
		case top.Kind == yamlv3.SequenceNode:
			return fmt.Errorf("values file %s: top level is a list; want a map of values", f)
		case top.Kind == yamlv3.ScalarNode && top.Tag != "!!null":
			return fmt.Errorf("values file %s: top level is a single value (%.40q); want a map of values", f, top.Value)
		}
	}
	return nil
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
	coalesce := func() (chartutil.Values, error) {
		vals, err := chartutil.CoalesceValues(ch, user)
		if err != nil {
			return nil, fmt.Errorf("render %s: values: %w", name, err)
		}
		return vals, nil
	}
	vals, err := coalesce()
	if err != nil {
		return nil, err
	}
	// Validation runs beside the engine, on its own copy of the values (templates may modify
	// theirs, e.g. with sprig's set or merge); its verdict wins, so invalid values are
	// reported exactly as when validating first, and the speculative render is dropped.
	validated := make(chan error, 1)
	if !hasSchema(ch) {
		validated <- nil
	} else {
		go func(vals chartutil.Values) { validated <- validate(ch, user, vals) }(copyValues(vals))
	}
	// Helm's engine gets values no template has touched when the fast path gives up.
	fresh := func() (chartutil.Values, error) {
		vals, err := coalesce()
		if err != nil {
			return nil, err
		}
		return topValues(ch, caps, opts, vals), nil
	}
	files, err := renderTemplates(ch, topValues(ch, caps, opts, vals), fresh)
	if verr := <-validated; verr != nil {
		return nil, verr
	}
	if err != nil {
		if ve := checkProblems(name, err); ve != nil {
			return nil, ve
		}
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
	if err := sortInto(res, files); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return res, nil
}

// topValues is what chartutil.ToRenderValues builds, minus its second coalescing and schema
// compile: the values every template of a render starts from.
func topValues(ch *chart.Chart, caps *chartutil.Capabilities, opts Options, vals chartutil.Values) chartutil.Values {
	return chartutil.Values{
		"Chart":        ch.Metadata,
		"Capabilities": caps,
		"Release": map[string]any{
			"Name": defaultString(opts.ReleaseName, "release"), "Namespace": defaultString(opts.Namespace, "default"),
			"IsUpgrade": opts.IsUpgrade, "IsInstall": !opts.IsUpgrade, "Revision": 1, "Service": "Helm",
		},
		"Values": vals,
	}
}

// sortInto splits the rendered files into manifests and hooks in Helm's install order. It
// follows releaseutil.SortManifests (files by path, documents in file order, hooks by their
// helm.sh/hook annotation, a stable sort by kind) but reads only each document's head when
// the document allows it (see scanHead); a test compares the result with Helm's on every
// example.
func sortInto(res *Result, files map[string]string) error {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		content := files[p]
		if strings.HasPrefix(path.Base(p), "_") || strings.TrimSpace(content) == "" {
			continue
		}
		entries := splitManifests(content)
		keys := make([]string, 0, len(entries))
		for k := range entries {
			keys = append(keys, k)
		}
		sort.Sort(releaseutil.BySplitManifestsOrder(keys))
		for _, k := range keys {
			m, isHook, err := manifest(p, entries[k])
			if err != nil {
				return err
			}
			switch {
			case !isHook:
				res.Manifests = append(res.Manifests, m)
			case m.Hook != nil:
				res.Hooks = append(res.Hooks, m)
			}
			// A hook with an unknown event is dropped, as Helm does.
		}
	}
	byKind(res.Manifests)
	byKind(res.Hooks)
	return nil
}

// splitManifests does what releaseutil.SplitManifests does — split at every "---" that starts
// the text or follows a newline, trim each document, drop empty ones, keys "manifest-N" — with
// string search instead of Helm's regexp, the costliest step of a render otherwise. A test
// compares the two.
func splitManifests(content string) map[string]string {
	rest := strings.TrimSpace(content)
	res := map[string]string{}
	add := func(doc string) {
		if doc = strings.TrimSpace(doc); doc != "" {
			res["manifest-"+strconv.Itoa(len(res))] = doc
		}
	}
	const space = " \t\n\f\r" // regexp's \s, which Helm's separator consumes after "---"
	if strings.HasPrefix(rest, "---") {
		rest = strings.TrimLeft(rest[3:], space)
	}
	for {
		i := strings.Index(rest, "\n---")
		if i < 0 {
			add(rest)
			return res
		}
		add(rest[:i])
		rest = strings.TrimLeft(rest[i+4:], space)
	}
}

var kindOrder = func() map[string]int {
	m := make(map[string]int, len(releaseutil.InstallOrder))
	for i, k := range releaseutil.InstallOrder {
		m[k] = i
	}
	return m
}()

// byKind is Helm's stable sort by kind: known kinds in install order, unknown kinds last,
// alphabetically.
func byKind(ms []Manifest) {
	sort.SliceStable(ms, func(i, j int) bool {
		a, aok := kindOrder[ms[i].Kind]
		b, bok := kindOrder[ms[j].Kind]
		switch {
		case !aok && !bok:
			return ms[i].Kind < ms[j].Kind
		case !aok:
			return false
		case !bok:
			return true
		}
		return a < b
	})
}

var hookNames = map[string]bool{
	"pre-install": true, "post-install": true, "pre-delete": true, "post-delete": true,
	"pre-upgrade": true, "post-upgrade": true, "pre-rollback": true, "post-rollback": true,
	"test": true, "test-success": true,
}

// hookEvents parses a helm.sh/hook annotation: nil for a hook naming an unknown event, which
// Helm drops.
func hookEvents(raw string) []string {
	var events []string
	for _, e := range strings.Split(raw, ",") {
		e = strings.ToLower(strings.TrimSpace(e))
		if !hookNames[e] {
			return nil
		}
		if e == "test-success" {
			e = "test"
		}
		events = append(events, e)
	}
	return events
}

// manifest builds a Manifest from one rendered document. The head is scanned without parsing
// the body when the document is in plain block style; otherwise the whole document is parsed
// now, so a malformed head fails the render as it fails helm template.
func manifest(source, content string) (m Manifest, isHook bool, err error) {
	m = Manifest{Source: source, YAML: content, decoded: &decoded{}}
	h, ok := scanHead(content)
	if !ok {
		obj, err := m.Object()
		if err != nil {
			return Manifest{}, false, err
		}
		h = headOf(obj)
	}
	m.Kind, m.APIVersion, m.Name, m.Namespace = h.kind, h.apiVersion, h.name, h.namespace
	if h.hasHook {
		m.Hook = hookEvents(h.hook)
	}
	return m, h.hasHook, nil
}

func headOf(obj map[string]any) head {
	var h head
	h.kind, _ = obj["kind"].(string)
	h.apiVersion, _ = obj["apiVersion"].(string)
	meta, _ := obj["metadata"].(map[string]any)
	h.name, _ = meta["name"].(string)
	h.namespace, _ = meta["namespace"].(string)
	ann, _ := meta["annotations"].(map[string]any)
	h.hook, h.hasHook = ann["helm.sh/hook"].(string)
	return h
}

func decodeObject(source, content string) (map[string]any, error) {
	obj := map[string]any{}
	// yaml.v3 decodes in one pass (sigs.k8s.io/yaml converts to JSON first, at twice the cost).
	if err := yamlv3.Unmarshal([]byte(content), &obj); err != nil {
		return nil, fmt.Errorf("YAML parse error on %s: %w", source, err)
	}
	return obj, nil
}

// parallel runs f(0..n-1) on up to GOMAXPROCS goroutines.
func parallel(n int, f func(i int)) {
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := range next {
				f(i)
			}
		})
	}
	wg.Wait()
}

// copyValues deep-copies the maps and lists of a values tree, keeping their types.
func copyValues(v chartutil.Values) chartutil.Values {
	return copyValue(v).(chartutil.Values)
}

func copyValue(v any) any {
	switch v := v.(type) {
	case chartutil.Values:
		out := make(chartutil.Values, len(v))
		for k, e := range v {
			out[k] = copyValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = copyValue(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = copyValue(e)
		}
		return out
	}
	return v
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
