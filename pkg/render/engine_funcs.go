package render

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"path"
	"strings"
	"text/template"

	"github.com/BurntSushi/toml"
	"github.com/Masterminds/sprig/v3"
	"github.com/gobwas/glob"
	"helm.sh/helm/v3/pkg/chart"
	"sigs.k8s.io/yaml"
	goyaml "sigs.k8s.io/yaml/goyaml.v3"
)

// funcMap is the function set of Helm's engine (pkg/engine/funcs.go, Helm 3.22) for a render
// without a cluster, with lint mode and DNS lookups off. include and tpl are bound per render (see
// bindTemplateFuncs). The functions only need to agree with Helm's where they succeed: every
// error sends the render to Helm's own engine. TestFastEngineMatchesHelm checks the outputs.
func funcMap() template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	extra := template.FuncMap{
		"toToml":        toTOML,
		"fromToml":      decodeMap(toml.Unmarshal),
		"toYaml":        toYAML,
		"toYamlPretty":  toYAMLPretty,
		"fromYaml":      decodeMap(yamlUnmarshal),
		"fromYamlArray": decodeList(yamlUnmarshal),
		"toJson":        toJSON,
		"fromJson":      decodeMap(json.Unmarshal),
		"fromJsonArray": decodeList(json.Unmarshal),
		"include":       func(string, any) string { return "not implemented" },
		"tpl":           func(string, any) any { return "not implemented" },
		// required and fail succeed only where Helm's do; their messages come from Helm.
		"required": func(_ string, val any) (any, error) {
			if val == nil || val == "" {
				return val, errRequired
			}
			return val, nil
		},
		"fail":          func(string) (string, error) { return "", errRequired },
		"lookup":        func(string, string, string, string) (map[string]any, error) { return map[string]any{}, nil },
		"getHostByName": func(string) string { return "" },
	}
	maps.Copy(f, extra)
	return f
}

var errRequired = errors.New("left to Helm's engine")

func toYAML(v any) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func toYAMLPretty(v any) string {
	var data bytes.Buffer
	enc := goyaml.NewEncoder(&data)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(data.String(), "\n")
}

func yamlUnmarshal(data []byte, v any) error { return yaml.Unmarshal(data, v) }

// decodeMap and decodeList are Helm's from* functions: a document that does not decode gives
// its error as the map's "Error" key, or as the list's only item.
func decodeMap(unmarshal func([]byte, any) error) func(string) map[string]any {
	return func(s string) map[string]any {
		m := map[string]any{}
		if err := unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
}

func decodeList(unmarshal func([]byte, any) error) func(string) []any {
	return func(s string) []any {
		a := []any{}
		if err := unmarshal([]byte(s), &a); err != nil {
			a = []any{err.Error()}
		}
		return a
	}
}

func toTOML(v any) string {
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(v); err != nil {
		return err.Error()
	}
	return b.String()
}

func toJSON(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

// files is .Files: the chart's non-template files by name, with the methods Helm's have.
type files map[string][]byte

func newFiles(from []*chart.File) files {
	f := make(files, len(from))
	for _, file := range from {
		f[file.Name] = file.Data
	}
	return f
}

func (f files) GetBytes(name string) []byte {
	if v, ok := f[name]; ok {
		return v
	}
	return []byte{}
}

func (f files) Get(name string) string { return string(f.GetBytes(name)) }

func (f files) Glob(pattern string) files {
	g, err := glob.Compile(pattern, '/')
	if err != nil {
		g, _ = glob.Compile("**")
	}
	out := files{}
	for name, data := range f {
		if g.Match(name) {
			out[name] = data
		}
	}
	return out
}

func (f files) AsConfig() string {
	if f == nil {
		return ""
	}
	m := map[string]string{}
	for k, v := range f {
		m[path.Base(k)] = string(v)
	}
	return toYAML(m)
}

func (f files) AsSecrets() string {
	if f == nil {
		return ""
	}
	m := map[string]string{}
	for k, v := range f {
		m[path.Base(k)] = base64.StdEncoding.EncodeToString(v)
	}
	return toYAML(m)
}

func (f files) Lines(name string) []string {
	if f == nil || len(f[name]) == 0 {
		return []string{}
	}
	return strings.Split(strings.TrimSuffix(string(f[name]), "\n"), "\n")
}
