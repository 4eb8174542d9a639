package release

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/buger/jsonparser"
	"go.yaml.in/yaml/v3"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	sigsyaml "sigs.k8s.io/yaml"
)

// Image is an image reference pinned by tag and digest.
type Image struct {
	Repository, Tag, Digest string
}

func (i Image) String() string { return i.Repository + ":" + i.Tag + "@" + i.Digest }

// Pin rewrites a loaded chart so that every image value naming repo (the hook's repository in
// the Go definitions) defaults to img: values.yaml (edited in place, comments kept), the
// matching "default"s of values.schema.json, and Chart.yaml's artifacthub.io/images. It
// returns the values paths it pinned ("hook.image"). The chart directory on disk is untouched.
func Pin(ch *chart.Chart, repo string, img Image) ([]string, error) {
	i := slices.IndexFunc(ch.Raw, func(f *chart.File) bool { return f.Name == chartutil.ValuesfileName })
	if i < 0 {
		return nil, fmt.Errorf("chart %s has no values.yaml", ch.Name())
	}
	raw, paths, err := pinValues(ch.Raw[i].Data, repo, img)
	if err != nil {
		return nil, fmt.Errorf("chart %s: values.yaml: %w", ch.Name(), err)
	}
	if len(paths) == 0 {
		return nil, nil
	}
	ch.Raw[i] = &chart.File{Name: chartutil.ValuesfileName, Data: raw}
	if ch.Values, err = chartutil.ReadValues(raw); err != nil {
		return nil, fmt.Errorf("chart %s: pinned values.yaml: %w", ch.Name(), err)
	}
	if len(ch.Schema) > 0 {
		if ch.Schema, err = pinSchema(ch.Schema, paths, img); err != nil {
			return nil, fmt.Errorf("chart %s: values.schema.json: %w", ch.Name(), err)
		}
	}
	if err := pinAnnotation(ch.Metadata, repo, img); err != nil {
		return nil, fmt.Errorf("chart %s: Chart.yaml: %w", ch.Name(), err)
	}
	dotted := make([]string, len(paths))
	for i, p := range paths {
		dotted[i] = strings.Join(p, ".")
	}
	return dotted, nil
}

// pinValues edits the scalars of every {repository: repo, tag, digest} mapping in place, by
// line and column, so the generated comments and layout survive byte for byte.
func pinValues(data []byte, repo string, img Image) ([]byte, [][]string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, err
	}
	type edit struct {
		line, col int
		value     string
	}
	var edits []edit
	var paths [][]string
	var walk func(n *yaml.Node, path []string) error
	walk = func(n *yaml.Node, path []string) error {
		if n.Kind == yaml.DocumentNode {
			return walk(n.Content[0], path)
		}
		if n.Kind != yaml.MappingNode {
			return nil
		}
		fields := map[string]*yaml.Node{}
		for k := 0; k+1 < len(n.Content); k += 2 {
			fields[n.Content[k].Value] = n.Content[k+1]
		}
		if r := fields["repository"]; r != nil && r.Kind == yaml.ScalarNode && r.Value == repo {
			for _, kv := range [][2]string{{"repository", img.Repository}, {"tag", img.Tag}, {"digest", img.Digest}} {
				v := fields[kv[0]]
				if v == nil || v.Kind != yaml.ScalarNode {
					return fmt.Errorf("%s names %s but has no %s value to pin", strings.Join(path, "."), repo, kv[0])
				}
				edits = append(edits, edit{v.Line, v.Column, kv[1]})
			}
			paths = append(paths, slices.Clone(path))
			return nil
		}
		for k := 0; k+1 < len(n.Content); k += 2 {
			if err := walk(n.Content[k+1], append(path, n.Content[k].Value)); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(&doc, nil); err != nil {
		return nil, nil, err
	}
	lines := bytes.Split(data, []byte("\n"))
	for _, e := range edits {
		line := lines[e.line-1]
		if bytes.Contains(line[e.col-1:], []byte(" #")) {
			return nil, nil, fmt.Errorf("line %d: a trailing comment after the value is not supported", e.line)
		}
		q, _ := json.Marshal(e.value) // a JSON string is a YAML double-quoted scalar
		lines[e.line-1] = append(line[:e.col-1:e.col-1], q...)
	}
	out := bytes.Join(lines, []byte("\n"))
	// The edit must mean what it says: re-read every pinned mapping.
	var check map[string]any
	if err := yaml.Unmarshal(out, &check); err != nil {
		return nil, nil, fmt.Errorf("after pinning: %w", err)
	}
	for _, p := range paths {
		got := lookup(check, p)
		if got["repository"] != img.Repository || got["tag"] != img.Tag || got["digest"] != img.Digest {
			return nil, nil, fmt.Errorf("after pinning, %s is %v", strings.Join(p, "."), got)
		}
	}
	return out, paths, nil
}

func lookup(m map[string]any, path []string) map[string]any {
	for _, k := range path {
		m, _ = m[k].(map[string]any)
	}
	return m
}

// pinSchema sets the "default" of repository, tag and digest under each pinned path, leaving
// the rest of the generated JSON as it is. A schema that declares no defaults (the charts' lean
// values.schema.json: editors read them from schemas/ and values.yaml) has none to pin.
func pinSchema(schema []byte, paths [][]string, img Image) ([]byte, error) {
	if !hasDefaults(schema) {
		return schema, nil
	}
	out := bytes.Clone(schema)
	for _, p := range paths {
		for _, kv := range [][2]string{{"repository", img.Repository}, {"tag", img.Tag}, {"digest", img.Digest}} {
			var keys []string
			for _, k := range append(slices.Clone(p), kv[0]) {
				keys = append(keys, "properties", k)
			}
			if _, _, _, err := jsonparser.Get(out, keys...); err != nil {
				return nil, fmt.Errorf("no schema for %s.%s: %w", strings.Join(p, "."), kv[0], err)
			}
			q, _ := json.Marshal(kv[1])
			var err error
			if out, err = jsonparser.Set(out, q, append(keys, "default")...); err != nil {
				return nil, fmt.Errorf("set default of %s.%s: %w", strings.Join(p, "."), kv[0], err)
			}
		}
	}
	if !json.Valid(out) {
		return nil, fmt.Errorf("invalid JSON after pinning")
	}
	return out, nil
}

// hasDefaults reports whether any subschema of schema has a "default" keyword.
func hasDefaults(schema []byte) bool {
	var doc any
	if err := json.Unmarshal(schema, &doc); err != nil {
		return true // let pinSchema report what is wrong with it
	}
	var walk func(v any, inProperties bool) bool
	walk = func(v any, inProperties bool) bool {
		switch x := v.(type) {
		case map[string]any:
			if _, ok := x["default"]; ok && !inProperties {
				return true
			}
			for k, e := range x {
				if walk(e, k == "properties" || k == "definitions" || k == "$defs") {
					return true
				}
			}
		case []any:
			for _, e := range x {
				if walk(e, false) {
					return true
				}
			}
		}
		return false
	}
	return walk(doc, false)
}

// pinAnnotation rewrites artifacthub.io/images entries of repo to img (tag and digest).
func pinAnnotation(md *chart.Metadata, repo string, img Image) error {
	const key = "artifacthub.io/images"
	if md.Annotations[key] == "" {
		return nil
	}
	var images []struct {
		Name  string `json:"name"`
		Image string `json:"image"`
	}
	if err := sigsyaml.Unmarshal([]byte(md.Annotations[key]), &images); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	for i, im := range images {
		if im.Image == repo || strings.HasPrefix(im.Image, repo+":") || strings.HasPrefix(im.Image, repo+"@") {
			images[i].Image = img.String()
		}
	}
	out, err := sigsyaml.Marshal(images)
	if err != nil {
		return err
	}
	md.Annotations[key] = string(out)
	return nil
}
