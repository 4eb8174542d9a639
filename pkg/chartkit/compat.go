package chartkit

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/invopop/jsonschema"
)

// Compat makes a chart a drop-in for a chart users already run (another project's chart for the
// same app): every key of that chart's values is declared here once, as one of ours (Same), as
// an alias of one of ours (Aliases), or refused with what to use instead (Refusals). From it the
// generator writes
//   - schema properties for the aliases (the canonical key's schema) and refused keys, and one
//     rule per refused key whose message is the refusal, so Helm itself refuses them by name;
//   - the rules rewritten to read an alias where it is set, so a cross-field rule holds on the
//     values the templates will use;
//   - templates/flotilla/compat/aliases.yaml, the deepest template and so the first Helm
//     executes: it copies every alias that is set onto its canonical key in .Values, before any
//     other template reads them (an alias wins over the canonical key);
//   - with flotilla.aliases.notes (_aliases.tpl), a NOTES.txt line per alias used, naming the
//     canonical key;
//   - the README's table of every key of the other chart.
//
// `flotilla migrate` (pkg/migrate) rewrites a values file with the same declaration.
type Compat struct {
	// From names the other chart in messages, e.g. "helmforge".
	From string
	// Source is where the other chart lives, for the README.
	Source string
	// Same lists the other chart's keys that are ours too, with the same meaning.
	Same []string
	// Aliases are the other chart's keys accepted as ours under another name.
	Aliases []Alias
	// Refusals are the other chart's keys this chart refuses, saying what to use instead.
	Refusals []Refusal
}

// Alias accepts the value at From with the meaning of To.
type Alias struct {
	From, To string
	// List: From holds one item of To's list (persistence.accessMode → persistence.accessModes).
	List bool
}

// Refusal refuses the key at Path with Reason, which names what to use instead.
type Refusal struct {
	Path   string
	Reason string
	// Allow, when not nil, is the one value accepted (and ignored): what the chart does anyway.
	Allow any
}

// Message is the refusal as values.schema.json and pkg/render report it.
func (r Refusal) Message(from string) string {
	if r.Allow != nil {
		return fmt.Sprintf("%s (a %s chart key) can only be %v here: %s", r.Path, from, r.Allow, r.Reason)
	}
	return fmt.Sprintf("%s (a %s chart key) is not supported: %s", r.Path, from, r.Reason)
}

// Paths lists every key Compat declares, sorted.
func (c *Compat) Paths() []string {
	var out []string
	out = append(out, c.Same...)
	for _, a := range c.Aliases {
		out = append(out, a.From)
	}
	for _, r := range c.Refusals {
		out = append(out, r.Path)
	}
	sort.Strings(out)
	return out
}

// Lookup says what Compat declares for the other chart's key path: the canonical path (itself
// for Same keys), or the refusal. A path under a refused key (postgresql.initdb.scripts.x under
// postgresql.initdb) is that refusal.
func (c *Compat) Lookup(path string) (alias *Alias, refusal *Refusal, same bool) {
	for _, s := range c.Same {
		if s == path {
			return nil, nil, true
		}
	}
	for i, a := range c.Aliases {
		if a.From == path {
			return &c.Aliases[i], nil, false
		}
	}
	for i, r := range c.Refusals {
		if r.Path == path || strings.HasPrefix(path, r.Path+".") {
			return nil, &c.Refusals[i], false
		}
	}
	return nil, nil, false
}

// check refuses declarations that cannot work: a canonical key that is not a value of the
// chart, a key declared twice, an alias of an alias.
func (c *Compat) check(defaults map[string]any) error {
	seen := map[string]bool{}
	for _, p := range c.Paths() {
		if seen[p] {
			return fmt.Errorf("compat %s: %s is declared twice", c.From, p)
		}
		seen[p] = true
	}
	for _, s := range c.Same {
		if _, ok := lookupPath(defaults, s); !ok {
			return fmt.Errorf("compat %s: %s is not a value of the chart (declare it an alias or a refusal)", c.From, s)
		}
	}
	for _, a := range c.Aliases {
		if _, ok := lookupPath(defaults, a.To); !ok {
			return fmt.Errorf("compat %s: alias %s → %s: %s is not a value of the chart", c.From, a.From, a.To, a.To)
		}
		if _, ok := lookupPath(defaults, a.From); ok {
			return fmt.Errorf("compat %s: alias %s is a value of the chart already", c.From, a.From)
		}
		for _, p := range append(strings.Split(a.From, "."), strings.Split(a.To, ".")...) {
			if !identifier(p) {
				return fmt.Errorf("compat %s: alias %s → %s: %q is not a plain key", c.From, a.From, a.To, p)
			}
		}
	}
	for _, r := range c.Refusals {
		// Helm prints the message as a quoted JSON string: quotes would come out escaped.
		if strings.ContainsAny(r.Message(c.From), `'"\`) {
			return fmt.Errorf("compat %s: refusal of %s: no quotes or backslashes in the message, Helm escapes them", c.From, r.Path)
		}
		if _, ok := lookupPath(defaults, r.Path); ok {
			return fmt.Errorf("compat %s: refused key %s is a value of the chart", c.From, r.Path)
		}
	}
	return nil
}

func identifier(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

func lookupPath(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// aliasesOf maps each canonical path to the aliases of it (List aliases excluded: no rule
// reads a list's single item).
func (c *Compat) aliasesOf() map[string][]string {
	out := map[string][]string{}
	if c == nil {
		return out
	}
	for _, a := range c.Aliases {
		if !a.List {
			out[a.To] = append(out[a.To], a.From)
		}
	}
	return out
}

// resolveCond rewrites every condition on an aliased path into "the alias's value when it is
// set, else the canonical's", as the templates resolve them.
func resolveCond(c Cond, aliases map[string][]string) Cond {
	switch c := c.(type) {
	case nil:
		return nil
	case leaf:
		out := Cond(c)
		for _, from := range aliases[c.path] {
			// if/then/else rather than anyOf: a failure stays at the path that failed.
			out = combo{"ifelse", []Cond{leaf{from, &jsonschema.Schema{}}, leaf{from, c.s}, out}}
		}
		return out
	case combo:
		cs := make([]Cond, len(c.cs))
		for i, x := range c.cs {
			cs[i] = resolveCond(x, aliases)
		}
		return combo{c.kind, cs}
	case within:
		// The condition's paths are relative to c.path: so are the aliases it resolves.
		prefix := c.path + "."
		rel := map[string][]string{}
		for to, froms := range aliases {
			if !strings.HasPrefix(to, prefix) {
				continue
			}
			for _, from := range froms {
				if !strings.HasPrefix(from, prefix) {
					panic(fmt.Sprintf("within %s: the alias %s of %s is outside it", c.path, from, to))
				}
				rel[strings.TrimPrefix(to, prefix)] = append(rel[strings.TrimPrefix(to, prefix)], strings.TrimPrefix(from, prefix))
			}
		}
		return within{c.path, resolveCond(c.c, rel)}
	}
	panic(fmt.Sprintf("unknown condition %T", c))
}

// rules are the chart's rules on the values as the templates resolve them, then one rule per
// refused key.
func (c Chart) rules() []Rule {
	aliases := c.Compat.aliasesOf()
	out := make([]Rule, 0, len(c.Rules))
	rules := c.Rules
	if c.hasExternalSecrets() {
		rules = append(append([]Rule{}, rules...), ExternalSecretsRule)
	}
	if c.hasSecurityContexts() {
		rules = append(append([]Rule{}, rules...), SecurityContextRules...)
	}
	for _, r := range rules {
		out = append(out, Rule{Message: r.Message, If: resolveCond(r.If, aliases), Then: resolveCond(r.Then, aliases)})
	}
	if c.Compat == nil {
		return out
	}
	for _, r := range c.Compat.Refusals {
		msg := r.Message(c.Compat.From)
		// Helm prints only each failing keyword's own text, never a description: a const of the
		// message (which no value can meet, because of the not) makes it print the message.
		refuse := &jsonschema.Schema{Const: msg, Not: &jsonschema.Schema{Const: msg}}
		if r.Allow != nil {
			refuse = &jsonschema.Schema{AnyOf: []*jsonschema.Schema{{Const: r.Allow}, refuse}}
		}
		out = append(out, Rule{Message: msg, If: leaf{r.Path, &jsonschema.Schema{}}, Then: leaf{r.Path, refuse}})
	}
	return out
}

// extendSchema declares the aliases (with their canonical key's schema, defaults dropped) and
// the refused keys (any value; their rule refuses them) in s. An alias of a map is merged over
// the canonical map (aliasResolver), so it may leave out what the canonical schema requires.
func (c *Compat) extendSchema(s *jsonschema.Schema, defaults map[string]any) error {
	for _, a := range c.Aliases {
		to, err := schemaAt(s, a.To, "")
		if err != nil {
			return err
		}
		cp, err := copySchema(to)
		if err != nil {
			return err
		}
		if a.List {
			cp = cp.Items
		}
		if def, _ := lookupPath(defaults, a.To); !a.List {
			if m, isMap := def.(map[string]any); isMap {
				dropDefaulted(cp, m)
			}
		}
		cp.Description = fmt.Sprintf("The %s chart's name for %s (%s).", c.From, a.To, strings.TrimSuffix(to.Description, "."))
		if a.List {
			cp.Description = fmt.Sprintf("The %s chart's name for one item of %s.", c.From, a.To)
		}
		if err := setSchemaAt(s, a.From, cp, c.From); err != nil {
			return err
		}
	}
	for _, r := range c.Refusals {
		if err := setSchemaAt(s, r.Path, &jsonschema.Schema{Description: r.Message(c.From)}, c.From); err != nil {
			return err
		}
	}
	return nil
}

// dropDefaulted makes the keys that def (the canonical map's default, which the alias is merged
// over) holds optional in s, and so on in the maps below; what def lacks stays required.
func dropDefaulted(s *jsonschema.Schema, def map[string]any) {
	if s == nil {
		return
	}
	s.Required = slices.DeleteFunc(slices.Clone(s.Required), func(k string) bool { _, ok := def[k]; return ok })
	if len(s.Required) == 0 {
		s.Required = nil
	}
	if s.Properties != nil {
		for p := s.Properties.Oldest(); p != nil; p = p.Next() {
			if m, ok := def[p.Key].(map[string]any); ok {
				dropDefaulted(p.Value, m)
			}
		}
	}
}

// schemaAt finds the property schema at path; create makes missing objects on the way.
func schemaAt(s *jsonschema.Schema, path string, create string) (*jsonschema.Schema, error) {
	cur := s
	for _, k := range strings.Split(path, ".") {
		if cur.Properties == nil {
			return nil, fmt.Errorf("compat: %s: %s is not an object in the schema", path, k)
		}
		next, ok := cur.Properties.Get(k)
		if !ok {
			if create == "" {
				return nil, fmt.Errorf("compat: %s is not in the schema", path)
			}
			next = &jsonschema.Schema{Type: "object", Description: create, Properties: jsonschema.NewProperties(), AdditionalProperties: jsonschema.FalseSchema}
			cur.Properties.Set(k, next)
		}
		cur = next
	}
	return cur, nil
}

func setSchemaAt(s *jsonschema.Schema, path string, v *jsonschema.Schema, from string) error {
	parent, key := "", path
	if i := strings.LastIndex(path, "."); i >= 0 {
		parent, key = path[:i], path[i+1:]
	}
	p := s
	if parent != "" {
		var err error
		if p, err = schemaAt(s, parent, fmt.Sprintf("Keys of the %s chart, accepted as this chart's (see the README).", from)); err != nil {
			return err
		}
	}
	if p.Properties == nil {
		return fmt.Errorf("compat: %s: %s is not an object in the schema", path, parent)
	}
	if _, ok := p.Properties.Get(key); ok {
		return fmt.Errorf("compat: %s is in the schema already", path)
	}
	p.Properties.Set(key, v)
	return nil
}

// copySchema deep-copies s without its defaults (an alias has none: unset, the canonical
// key's default applies). A copy in Go rather than a JSON round trip: a schema may carry
// keywords in Extras (a list of types) that invopop's Schema cannot decode back.
func copySchema(s *jsonschema.Schema) (*jsonschema.Schema, error) {
	out := cloneSchema(s)
	dropDefaults(out)
	return out, nil
}

// cloneSchema copies s and every subschema it holds; the shared true and false schemas stay.
func cloneSchema(s *jsonschema.Schema) *jsonschema.Schema {
	if s == nil || s == jsonschema.TrueSchema || s == jsonschema.FalseSchema {
		return s
	}
	c := *s
	list := func(in []*jsonschema.Schema) []*jsonschema.Schema {
		if in == nil {
			return nil
		}
		out := make([]*jsonschema.Schema, len(in))
		for i, x := range in {
			out[i] = cloneSchema(x)
		}
		return out
	}
	byName := func(in map[string]*jsonschema.Schema) map[string]*jsonschema.Schema {
		if in == nil {
			return nil
		}
		out := make(map[string]*jsonschema.Schema, len(in))
		for k, x := range in {
			out[k] = cloneSchema(x)
		}
		return out
	}
	c.AllOf, c.AnyOf, c.OneOf, c.PrefixItems = list(s.AllOf), list(s.AnyOf), list(s.OneOf), list(s.PrefixItems)
	c.Not, c.If, c.Then, c.Else = cloneSchema(s.Not), cloneSchema(s.If), cloneSchema(s.Then), cloneSchema(s.Else)
	c.Items, c.Contains, c.ContentSchema = cloneSchema(s.Items), cloneSchema(s.Contains), cloneSchema(s.ContentSchema)
	c.AdditionalProperties, c.PropertyNames = cloneSchema(s.AdditionalProperties), cloneSchema(s.PropertyNames)
	c.PatternProperties, c.DependentSchemas = byName(s.PatternProperties), byName(s.DependentSchemas)
	if s.Definitions != nil {
		c.Definitions = jsonschema.Definitions(byName(s.Definitions))
	}
	if s.Properties != nil {
		c.Properties = jsonschema.NewProperties()
		for p := s.Properties.Oldest(); p != nil; p = p.Next() {
			c.Properties.Set(p.Key, cloneSchema(p.Value))
		}
	}
	if s.Extras != nil {
		c.Extras = maps.Clone(s.Extras)
	}
	return &c
}

func dropDefaults(s *jsonschema.Schema) {
	if s == nil {
		return
	}
	s.Default = nil
	if s.Properties != nil {
		for p := s.Properties.Oldest(); p != nil; p = p.Next() {
			dropDefaults(p.Value)
		}
	}
	dropDefaults(s.Items)
	if s.AdditionalProperties != jsonschema.FalseSchema && s.AdditionalProperties != jsonschema.TrueSchema {
		dropDefaults(s.AdditionalProperties)
	}
}

// aliasTemplate is templates/flotilla/compat/aliases.yaml. Helm executes a chart's templates
// deepest path first, and every template of a chart sees the same .Values and the same root
// context, so what it sets there is what every other template (NOTES.txt and tests included)
// reads. It writes no manifest. Helm parses every template on every render, aliases or not, so
// this one only tests whether any alias is set and then has `tpl` parse and run the resolver,
// compatResolverFile (aliasResolver), which values without aliases never pay for.
func (c *Compat) aliasTemplate(defaults map[string]any) []byte {
	var tests []string
	seen := map[string]bool{}
	for _, a := range c.Aliases {
		// The alias is set only if its first key the chart's values lack is.
		parts := strings.Split(a.From, ".")
		expr := "$v"
		for i, k := range parts {
			if _, ok := lookupPath(defaults, strings.Join(parts[:i+1], ".")); !ok {
				t := fmt.Sprintf("(hasKey %s %q)", expr, k)
				if !seen[t] {
					seen[t] = true
					tests = append(tests, t)
				}
				break
			}
			expr += "." + k
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "{{- /* Generated by `flotilla generate` from the chart's Compat declaration; do not edit.\n")
	fmt.Fprintf(&b, "When a key of the %s chart is set, %s copies it onto this chart's key. This template is\n", c.From, compatResolverFile)
	fmt.Fprintf(&b, "rendered first (the deepest one), so every other template reads the resolved values. */ -}}\n")
	fmt.Fprintf(&b, "{{- $v := .Values }}\n{{- if or %s }}\n{{- tpl (.Files.Get %q) . }}\n{{- end }}\n", strings.Join(tests, "\n  "), compatResolverFile)
	return []byte(b.String())
}

// aliasResolver is compatResolverFile: it copies every alias that is set onto its canonical
// key (the alias wins) and lists those it applied in $.flotillaAliases for
// flotilla.aliases.notes.
func (c *Compat) aliasResolver(defaults map[string]any) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "{{- /* Generated by `flotilla generate` from the chart's Compat declaration; do not edit.\n")
	fmt.Fprintf(&b, "Run by templates/flotilla/compat/aliases.yaml through tpl when a key of the %s chart is set. */ -}}\n", c.From)
	b.WriteString("{{- $v := .Values }}{{- $u := list }}\n")
	c.eachAliasParent(&b, defaults, func(a Alias, parent string) string {
		_, key := splitLast(a.From)
		toParent, toKey := splitLast(a.To)
		value := fmt.Sprintf("%s.%s", parent, key)
		def, _ := lookupPath(defaults, a.To)
		switch _, isMap := def.(map[string]any); {
		case a.List:
			value = fmt.Sprintf("(list %s)", value)
		case isMap:
			// Helm coalesces a map value with its default; so does the alias.
			value = fmt.Sprintf("(merge %s (deepCopy %s))", value, valuesExpr(a.To))
		}
		return fmt.Sprintf("{{- $_ := set %s %q %s }}{{- $u = append $u \"%s %s %s\" }}", valuesExpr(toParent), toKey, value, a.From, a.To, c.From)
	})
	b.WriteString("{{- $_ := set $ \"flotillaAliases\" $u }}\n")
	return []byte(b.String())
}

// eachAliasParent writes, per parent path of the aliases, guards that hold when that parent
// is set (a parent that is a value of the chart always is), then per alias under it an
// `if hasKey` around what body returns; body gets the template expression of the parent.
func (c *Compat) eachAliasParent(b *strings.Builder, defaults map[string]any, body func(a Alias, parent string) string) {
	var parents []string
	byParent := map[string][]Alias{}
	for _, a := range c.Aliases {
		p, _ := splitLast(a.From)
		if byParent[p] == nil {
			parents = append(parents, p)
		}
		byParent[p] = append(byParent[p], a)
	}
	for _, p := range parents {
		expr, guards := "$v", 0
		if p != "" {
			for _, k := range strings.Split(p, ".") {
				next := expr + "." + k
				if _, always := lookupPath(defaults, strings.TrimPrefix(strings.ReplaceAll(next, "$v.", ""), ".")); !always || strings.HasPrefix(expr, "$p") {
					fmt.Fprintf(b, "{{- if hasKey %s %q }}{{- $p%d := %s }}", expr, k, guards, next)
					next = fmt.Sprintf("$p%d", guards)
					guards++
				}
				expr = next
			}
			if guards > 0 {
				b.WriteString("\n")
			}
		}
		for _, a := range byParent[p] {
			_, key := splitLast(a.From)
			fmt.Fprintf(b, "{{- if hasKey %s %q }}%s{{- end }}\n", expr, key, body(a, expr))
		}
		if guards > 0 {
			b.WriteString(strings.Repeat("{{- end }}", guards) + "\n")
		}
	}
}

func splitLast(path string) (parent, key string) {
	if i := strings.LastIndex(path, "."); i >= 0 {
		return path[:i], path[i+1:]
	}
	return "", path
}

// valuesExpr is a template expression for the (always present) value at path in .Values.
func valuesExpr(path string) string {
	if path == "" {
		return "$v"
	}
	return "$v." + path
}

// compatAliasesFile is where the alias resolver goes: deeper than any template of a chart
// (compatFiles checks), so Helm renders it first.
const compatAliasesFile = chartLibraryDir + "compat/aliases.yaml"

// compatResolverFile holds the resolver compatAliasesFile runs through tpl: a chart file, not a
// template, so Helm does not parse it on every render.
const compatResolverFile = "files/flotilla/aliases.tpl"

// compatFiles adds the alias resolver to the chart's files.
func (c Chart) compatFiles(files Files) error {
	depth := strings.Count(compatAliasesFile, "/")
	err := fs.WalkDir(c.Templates, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Count(p, "/") >= depth {
			return fmt.Errorf("compat: template %s is as deep as %s, which Helm must render first", p, compatAliasesFile)
		}
		return err
	})
	if err != nil {
		return err
	}
	defaults, err := toMap(c.Defaults)
	if err != nil {
		return err
	}
	dir := "charts/" + c.Name + "/"
	files[dir+compatAliasesFile] = c.Compat.aliasTemplate(defaults)
	files[dir+compatResolverFile] = c.Compat.aliasResolver(defaults)
	return nil
}

// readme writes the README section listing every key of the other chart and what this chart
// does with it.
func (c *Compat) readme(b *strings.Builder) {
	fmt.Fprintf(b, "## Values of the %s chart\n\n", c.From)
	fmt.Fprintf(b, "This chart accepts a values file written for the %s chart (%s): every key of that chart's values.yaml is "+
		"listed below. A key with another name here is an alias: it is applied as this chart's key (when both are set, the "+
		"alias wins) and NOTES.txt names the key to use instead. A refused key fails `helm install` and `flotilla validate` "+
		"with the message shown. `flotilla migrate --from %s -f old.yaml -o new.yaml` rewrites a values file into this "+
		"chart's keys, keeping comments, and lists what it could not carry over.\n\n", c.From, c.Source, c.From)
	fmt.Fprintf(b, "| %s key | this chart | note |\n|---|---|---|\n", c.From)
	for _, p := range c.Paths() {
		a, r, _ := c.Lookup(p)
		switch {
		case a != nil && a.List:
			fmt.Fprintf(b, "| `%s` | `%s` | alias: the one item of the list |\n", p, a.To)
		case a != nil:
			fmt.Fprintf(b, "| `%s` | `%s` | alias |\n", p, a.To)
		case r != nil && r.Allow != nil:
			v, _ := json.Marshal(r.Allow)
			fmt.Fprintf(b, "| `%s` | — | only `%s`, ignored: %s |\n", p, cell(string(v)), cell(r.Reason))
		case r != nil:
			fmt.Fprintf(b, "| `%s` | — | refused: %s |\n", p, cell(r.Reason))
		default:
			fmt.Fprintf(b, "| `%s` | `%s` | same key |\n", p, p)
		}
	}
	b.WriteString("\n")
}
