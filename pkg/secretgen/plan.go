package secretgen

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"

	cv "github.com/flotilla/flotilla/pkg/chartvalues"
	"github.com/flotilla/flotilla/pkg/render"
	"github.com/flotilla/flotilla/pkg/secretgen/genvalue"
)

// Secret is a Secret the release needs and does not create, with its values.
type Secret struct {
	Name string
	// Type is the Secret's type; empty means Opaque.
	Type string
	Keys []Key
	// NamedBy lists the values naming the Secret (auth.existingSecret).
	NamedBy []string
	// UsedBy lists the objects referencing it (Deployment/x).
	UsedBy []string
}

// Key is one key of a Secret to create.
type Key struct {
	Name  string
	Value string
	Shape cv.SecretShape
	// Decl is the chart's declaration of the key; nil when the chart declares none (a
	// reference from extraEnv, or a chart Flotilla does not define): the value is a placeholder.
	Decl *cv.SecretDecl
	// Inline is true when Value was given in the values (Decl.InlinePath) rather than generated.
	Inline bool
	// Uses says how the release uses the key ("env X of container c").
	Uses []string
}

// Placeholders lists the keys whose value the user must still fill in.
func (s Secret) Placeholders() []string {
	var out []string
	for _, k := range s.Keys {
		if !k.Inline && k.Shape.Kind == cv.SecretPlaceholder {
			out = append(out, k.Name)
		}
	}
	return out
}

// Plan renders ch as `helm install` would with opts and returns every Secret its pods, hooks,
// CronJobs and test pods reference that the release does not create itself, sorted by name,
// with values of the shapes declared (chartvalues.DeclaredSecrets of the chart's values type;
// nil for a chart Flotilla does not define, whose keys all get placeholders). A key whose value
// the values give inline gets that value.
func Plan(ch *chart.Chart, opts render.Options, declared []cv.SecretDecl) ([]Secret, error) {
	user, err := render.MergeValues(opts)
	if err != nil {
		return nil, fmt.Errorf("secrets of %s: %w", ch.Name(), err)
	}
	res, err := render.RenderValues(ch, user, opts)
	if err != nil {
		return nil, err
	}
	if err := res.Decode(); err != nil {
		return nil, fmt.Errorf("render %s: %w", ch.Name(), err)
	}
	vals, err := chartutil.CoalesceValues(ch, user)
	if err != nil {
		return nil, fmt.Errorf("secrets of %s: values: %w", ch.Name(), err)
	}
	refs, created, err := ReleaseRefs(res)
	if err != nil {
		return nil, fmt.Errorf("secrets of %s: %w", ch.Name(), err)
	}
	// The External Secrets Operator creates the targets of the release's ExternalSecrets.
	for _, m := range res.Find("ExternalSecret", "") {
		obj, err := m.Object()
		if err != nil {
			return nil, err
		}
		spec, _ := obj["spec"].(map[string]any)
		target, _ := spec["target"].(map[string]any)
		name, _ := target["name"].(string)
		if name == "" {
			name = m.Name
		}
		keys := map[string]bool{}
		data, _ := spec["data"].([]any)
		for _, d := range data {
			if k, ok := d.(map[string]any)["secretKey"].(string); ok {
				keys[k] = true
			}
		}
		created[name] = keys
	}
	return plan(Unresolved(refs, created), created, resolve(declared, vals))
}

// resolved is a declaration with the Secret and key names the values give it.
type resolved struct {
	decl        *cv.SecretDecl
	secret, key string
	inline      string
}

func resolve(declared []cv.SecretDecl, vals map[string]any) []resolved {
	var out []resolved
	for i := range declared {
		d := &declared[i]
		r := resolved{decl: d, secret: cv.LookupString(vals, d.SecretPath), key: d.FixedKey}
		if d.KeyPath != "" {
			r.key = cv.LookupString(vals, d.KeyPath)
		}
		if d.InlinePath != "" {
			r.inline = cv.LookupString(vals, d.InlinePath)
		}
		if r.secret != "" && r.key != "" {
			out = append(out, r)
		}
	}
	return out
}

func plan(missing []Ref, created map[string]map[string]bool, decls []resolved) ([]Secret, error) {
	byName := map[string]*Secret{}
	var names []string
	for _, ref := range missing {
		if _, ok := created[ref.Secret]; ok {
			return nil, fmt.Errorf("%s references key %q of Secret %s, which the release creates without it", ref.Object, ref.Key, ref.Secret)
		}
		s := byName[ref.Secret]
		if s == nil {
			s = &Secret{Name: ref.Secret}
			byName[ref.Secret] = s
			names = append(names, ref.Secret)
		}
		if ref.Object != "" && !slices.Contains(s.UsedBy, ref.Object) {
			s.UsedBy = append(s.UsedBy, ref.Object)
		}
		if ref.Key == "" {
			continue
		}
		k := s.key(ref.Key)
		k.Uses = appendUnique(k.Uses, strings.TrimSpace(ref.Object+" "+ref.Use))
	}
	sort.Strings(names)
	out := make([]Secret, 0, len(names))
	for _, name := range names {
		s := byName[name]
		if err := s.fill(decls); err != nil {
			return nil, err
		}
		out = append(out, *s)
	}
	return out, nil
}

func (s *Secret) key(name string) *Key {
	for i := range s.Keys {
		if s.Keys[i].Name == name {
			return &s.Keys[i]
		}
	}
	s.Keys = append(s.Keys, Key{Name: name})
	return &s.Keys[len(s.Keys)-1]
}

// fill gives every key a value: the declared blocks naming the Secret add their other keys (a
// kubernetes.io/tls Secret needs both), declared keys get their shape, others a placeholder.
func (s *Secret) fill(decls []resolved) error {
	blocks := map[string]bool{} // SecretPath of every declared block a referenced key belongs to
	for _, d := range decls {
		if d.secret == s.Name && slices.ContainsFunc(s.Keys, func(k Key) bool { return k.Name == d.key }) {
			blocks[d.decl.SecretPath] = true
		}
	}
	order := map[string]int{} // keys in declaration order, undeclared ones last
	for i, d := range decls {
		if d.secret == s.Name && blocks[d.decl.SecretPath] {
			k := s.key(d.key)
			if k.Decl != nil {
				continue // first declaration wins
			}
			order[k.Name] = i + 1
			k.Decl, k.Shape = d.decl, d.decl.Shape
			if d.inline != "" {
				k.Value, k.Inline = d.inline, true
			}
			s.NamedBy = appendUnique(s.NamedBy, d.decl.SecretPath)
			if d.decl.Type != "" {
				s.Type = d.decl.Type
			}
		}
	}
	rank := func(k Key) int {
		if o, ok := order[k.Name]; ok {
			return o
		}
		return len(decls) + 1
	}
	slices.SortStableFunc(s.Keys, func(a, b Key) int { return rank(a) - rank(b) })
	pair := &genvalue.KeyPair{}
	for i := range s.Keys {
		k := &s.Keys[i]
		if k.Decl == nil {
			k.Shape = cv.Provided("not declared by the chart; set the value " + strings.Join(k.Uses, ", ") + " needs")
		}
		if k.Inline {
			continue
		}
		v, err := genvalue.Value(k.Shape, pair)
		if err != nil {
			return fmt.Errorf("Secret %s key %s: %w", s.Name, k.Name, err)
		}
		k.Value = v
	}
	return nil
}

func appendUnique(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
