// Package migrate rewrites a values file written for another chart (a chartkit.Compat
// declaration names its keys) into a Flotilla chart's own keys, keeping the file's comments and
// order: aliases are renamed (in place when the canonical key sits in the same block, else
// moved under it), keys the chart refuses are taken out and reported, everything else is left
// as it was.
package migrate

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/flotilla/flotilla/pkg/chartkit"
)

// Dropped is a key that could not be carried over.
type Dropped struct {
	// Path of the key in the old file, dotted.
	Path string
	// Reason is why, and what to use instead.
	Reason string
}

// Result of a migration.
type Result struct {
	// Values is the rewritten file.
	Values []byte
	// Moved maps each alias found to the key it became.
	Moved map[string]string
	// Dropped lists the keys taken out, in file order.
	Dropped []Dropped
	// Unknown lists keys neither chart declares, kept as they were (flotilla validate will say
	// what is wrong with them).
	Unknown []string
}

// Migrate rewrites src, a values file for compat's chart, into the keys of the chart whose
// default values are defaults.
func Migrate(src []byte, compat *chartkit.Compat, defaults map[string]any) (*Result, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("migrate: parse values: %w", err)
	}
	res := &Result{Moved: map[string]string{}}
	if len(doc.Content) == 0 {
		res.Values = src
		return res, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("migrate: the values file is not a map of values")
	}
	m := &migration{compat: compat, defaults: defaults, root: root, res: res, touched: map[*yaml.Node]bool{}}
	if err := m.walk(root, ""); err != nil {
		return nil, err
	}
	for _, mv := range m.moves {
		if err := m.place(mv); err != nil {
			return nil, err
		}
	}
	m.prune(root, "")
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("migrate: write values: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("migrate: write values: %w", err)
	}
	res.Values = b.Bytes()
	return res, nil
}

type move struct {
	alias      chartkit.Alias
	key, value *yaml.Node
}

type migration struct {
	compat   *chartkit.Compat
	defaults map[string]any
	root     *yaml.Node
	res      *Result
	moves    []move
	touched  map[*yaml.Node]bool // mappings keys were taken out of
}

// walk handles every key of the mapping n at path prefix.
func (m *migration) walk(n *yaml.Node, prefix string) error {
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := strings.TrimPrefix(prefix+"."+k.Value, ".")
		alias, refusal, same := m.compat.Lookup(path)
		switch {
		case same:
		case alias != nil:
			if _, key := split(alias.To); parent(alias.From) == parent(alias.To) && !alias.List {
				// Same block: rename in place, where the comments are.
				m.res.Moved[path] = alias.To
				if j := dropKey(n, key, i); j >= 0 && j < i {
					i -= 2
				}
				k.Value = key
				continue
			}
			m.res.Moved[path] = alias.To
			m.moves = append(m.moves, move{*alias, k, v})
			m.touched[n] = true
			n.Content = append(n.Content[:i], n.Content[i+2:]...)
			i -= 2
		case refusal != nil:
			if refusal.Allow == nil || !equal(v, refusal.Allow) {
				m.res.Dropped = append(m.res.Dropped, Dropped{Path: path, Reason: refusal.Message(m.compat.From)})
			}
			m.touched[n] = true
			n.Content = append(n.Content[:i], n.Content[i+2:]...)
			i -= 2
		case v.Kind == yaml.MappingNode:
			if err := m.walk(v, path); err != nil {
				return err
			}
		default:
			if _, ours := lookup(m.defaults, path); !ours {
				m.res.Unknown = append(m.res.Unknown, path)
			}
		}
	}
	return nil
}

// dropKey removes an existing key named key from the mapping n (other than the pair at skip)
// and returns its index, or -1: the alias replacing it wins, as it does in the chart.
func dropKey(n *yaml.Node, key string, skip int) int {
	for j := 0; j < len(n.Content); j += 2 {
		if j != skip && n.Content[j].Value == key {
			n.Content = append(n.Content[:j], n.Content[j+2:]...)
			return j
		}
	}
	return -1
}

// place puts a moved alias at its canonical path, creating the blocks on the way. An existing
// value there is replaced (the alias wins, as in the chart), or merged into for maps.
func (m *migration) place(mv move) error {
	at := m.root
	parts := strings.Split(mv.alias.To, ".")
	for _, p := range parts[:len(parts)-1] {
		next := child(at, p)
		if next == nil {
			next = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			at.Content = append(at.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: p}, next)
		}
		if next.Kind != yaml.MappingNode {
			return fmt.Errorf("migrate: %s: %s is not a map in the values file", mv.alias.To, p)
		}
		at = next
	}
	key := parts[len(parts)-1]
	value := mv.value
	if mv.alias.List {
		value = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{mv.value}}
	}
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key,
		HeadComment: mv.key.HeadComment, LineComment: mv.key.LineComment, FootComment: mv.key.FootComment}
	for j := 0; j < len(at.Content); j += 2 {
		if at.Content[j].Value != key {
			continue
		}
		old := at.Content[j+1]
		if old.Kind == yaml.MappingNode && value.Kind == yaml.MappingNode {
			mergeMap(old, value)
			return nil
		}
		at.Content[j+1] = value
		return nil
	}
	at.Content = append(at.Content, k, value)
	return nil
}

// mergeMap sets every key of src in dst (src wins), recursively.
func mergeMap(dst, src *yaml.Node) {
	for i := 0; i < len(src.Content); i += 2 {
		k, v := src.Content[i], src.Content[i+1]
		if old := child(dst, k.Value); old != nil && old.Kind == yaml.MappingNode && v.Kind == yaml.MappingNode {
			mergeMap(old, v)
			continue
		}
		replaced := false
		for j := 0; j < len(dst.Content); j += 2 {
			if dst.Content[j].Value == k.Value {
				dst.Content[j+1] = v
				replaced = true
			}
		}
		if !replaced {
			dst.Content = append(dst.Content, k, v)
		}
	}
}

// prune removes blocks the migration emptied (gateway: after its keys moved to httpRoute) and
// reports whether it removed anything. A removed key's head
// comment goes to the key after it.
func (m *migration) prune(n *yaml.Node, prefix string) bool {
	removed := m.touched[n]
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.MappingNode {
			continue
		}
		path := strings.TrimPrefix(prefix+"."+k.Value, ".")
		emptied := m.prune(v, path)
		if !emptied || len(v.Content) > 0 {
			continue
		}
		n.Content = append(n.Content[:i], n.Content[i+2:]...)
		if k.HeadComment != "" && i < len(n.Content) {
			next := n.Content[i]
			next.HeadComment = strings.TrimSpace(k.HeadComment + "\n" + next.HeadComment)
		}
		i -= 2
		removed = true
	}
	return removed
}

func child(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// equal reports whether the YAML value v decodes to want.
func equal(v *yaml.Node, want any) bool {
	var got any
	if err := v.Decode(&got); err != nil {
		return false
	}
	return reflect.DeepEqual(got, want)
}

func lookup(m map[string]any, path string) (any, bool) {
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

func parent(path string) string { p, _ := split(path); return p }

func split(path string) (string, string) {
	if i := strings.LastIndex(path, "."); i >= 0 {
		return path[:i], path[i+1:]
	}
	return "", path
}
