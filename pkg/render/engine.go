package render

import (
	"fmt"
	"hash/maphash"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"text/template"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
)

// renderTemplates gives what engine.Render gives for the same chart and values. Helm parses
// every template on every call, which is half the cost of a render; this parses a chart's
// templates once (same parser, same text, same function names, so the same trees), clones
// the parsed set per render and executes it as Helm's engine does. Any failure — a parse
// error, an execution error, a panic — is handed to engine.Render with freshly coalesced
// values, so every error a caller sees is Helm's own. A test compares both paths on every
// example and on the fuzz documents.
func renderTemplates(ch *chart.Chart, top chartutil.Values, fresh func() (chartutil.Values, error)) (map[string]string, error) {
	if p := parsedTemplates(ch); p != nil {
		if out, ok := p.render(ch, top); ok {
			return out, nil
		}
		again, err := fresh()
		if err != nil {
			return nil, err
		}
		top = again
	}
	return engine.Render(ch, top)
}

// parsed is a chart's templates, parsed once, in Helm's parse order.
type parsed struct {
	base *template.Template
	keys []string
}

var (
	parsedMu    sync.Mutex
	parsedCache = map[uint64]*parsed{} // by fingerprint of template names and texts
)

// parsedCacheSize bounds the cache; past it, an arbitrary entry is dropped (and re-parsed when
// its chart renders again).
const parsedCacheSize = 16

// parsedTemplates returns the chart's parsed templates, or nil when they cannot be parsed
// here (Helm then reports the parse error, or uses a function this engine does not know).
func parsedTemplates(ch *chart.Chart) *parsed {
	tpls := templateTexts(ch, nil)
	var h maphash.Hash
	h.SetSeed(seed)
	keys := make([]string, 0, len(tpls))
	for k := range tpls {
		keys = append(keys, k)
	}
	sortByPathLen(keys)
	for _, k := range keys {
		h.WriteString(k)
		h.WriteByte(0)
		h.Write(tpls[k])
		h.WriteByte(0)
	}
	sum := h.Sum64()
	parsedMu.Lock()
	p, ok := parsedCache[sum]
	parsedMu.Unlock()
	if ok {
		return p
	}
	p = parse(keys, tpls)
	parsedMu.Lock()
	if len(parsedCache) >= parsedCacheSize {
		for k := range parsedCache {
			delete(parsedCache, k)
			break
		}
	}
	parsedCache[sum] = p
	parsedMu.Unlock()
	return p
}

func parse(keys []string, tpls map[string][]byte) *parsed {
	t := template.New("gotpl")
	t.Option("missingkey=zero")
	t.Funcs(funcMap())
	for _, k := range keys {
		if _, err := t.New(k).Parse(string(tpls[k])); err != nil {
			return nil
		}
	}
	return &parsed{base: t, keys: keys}
}

// templateTexts is engine's template walk without the values: every template of the chart
// and its dependencies by full path (a library chart contributes only its partials).
func templateTexts(c *chart.Chart, out map[string][]byte) map[string][]byte {
	if out == nil {
		out = map[string][]byte{}
	}
	for _, dep := range c.Dependencies() {
		templateTexts(dep, out)
	}
	library := strings.EqualFold(c.Metadata.Type, "library")
	for _, t := range c.Templates {
		if t == nil || library && !strings.HasPrefix(filepath.Base(t.Name), "_") {
			continue
		}
		out[path.Join(c.ChartFullPath(), t.Name)] = t.Data
	}
	return out
}

// scope is what one template executes with: its chart's values and its base path.
type scope struct {
	vals     chartutil.Values
	basePath string
}

// scopes builds each template's values as engine.Render does: a chart sees only its own
// section of its parent's values, its metadata, files and subcharts.
func scopes(c *chart.Chart, out map[string]scope, vals chartutil.Values) map[string]any {
	subcharts := map[string]any{}
	next := chartutil.Values{
		"Chart": struct {
			chart.Metadata
			IsRoot bool
		}{*c.Metadata, c.IsRoot()},
		"Files":        newFiles(c.Files),
		"Release":      vals["Release"],
		"Capabilities": vals["Capabilities"],
		"Values":       make(chartutil.Values),
		"Subcharts":    subcharts,
	}
	if c.IsRoot() {
		next["Values"] = vals["Values"]
	} else if vs, err := vals.Table("Values." + c.Name()); err == nil {
		next["Values"] = vs
	}
	for _, dep := range c.Dependencies() {
		subcharts[dep.Name()] = scopes(dep, out, next)
	}
	base := c.ChartFullPath()
	for _, t := range c.Templates {
		if t != nil {
			out[path.Join(base, t.Name)] = scope{vals: next, basePath: path.Join(base, "templates")}
		}
	}
	return next
}

// render executes a clone of the parsed set; ok is false on any failure.
func (p *parsed) render(ch *chart.Chart, top chartutil.Values) (out map[string]string, ok bool) {
	defer func() {
		if recover() != nil {
			out, ok = nil, false
		}
	}()
	t, err := p.base.Clone()
	if err != nil {
		return nil, false
	}
	// Clone drops the option (golang/go#43022), as Helm's tpl notes.
	t.Option("missingkey=zero")
	bindTemplateFuncs(t, map[string]int{})
	sc := map[string]scope{}
	scopes(ch, sc, top)
	out = make(map[string]string, len(p.keys))
	var buf strings.Builder
	for _, k := range p.keys {
		if strings.HasPrefix(path.Base(k), "_") {
			continue
		}
		s := sc[k]
		s.vals["Template"] = chartutil.Values{"Name": k, "BasePath": s.basePath}
		buf.Reset()
		if err := t.ExecuteTemplate(&buf, k, s.vals); err != nil {
			return nil, false
		}
		out[k] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	return out, true
}

// maxIncludeDepth is Helm's limit on a template including itself.
const maxIncludeDepth = 1000

// bindTemplateFuncs binds include and tpl to t, as Helm's engine does per render.
func bindTemplateFuncs(t *template.Template, included map[string]int) {
	t.Funcs(template.FuncMap{
		"include": func(name string, data any) (string, error) {
			if included[name] > maxIncludeDepth {
				return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
			}
			included[name]++
			defer func() { included[name]-- }()
			var buf strings.Builder
			err := t.ExecuteTemplate(&buf, name, data)
			return buf.String(), err
		},
		"tpl": func(text string, vals any) (string, error) {
			c, err := t.Clone()
			if err != nil {
				return "", err
			}
			c.Option("missingkey=zero")
			bindTemplateFuncs(c, included)
			// A new template of the parent's name, so text of only defines adds them.
			if c, err = c.New(t.Name()).Parse(text); err != nil {
				return "", err
			}
			var buf strings.Builder
			if err := c.Execute(&buf, vals); err != nil {
				return "", err
			}
			return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
		},
	})
}

func sortByPathLen(keys []string) {
	// Helm parses shallower paths last, each depth in reverse alphabetical order.
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		ca, cb := strings.Count(a, "/"), strings.Count(b, "/")
		if ca == cb {
			return a > b
		}
		return ca > cb
	})
}
