package charttest

import (
	"encoding/json"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
)

// Mutants returns n documents, each one of seeds (in turn) with one to three seeded mutations at
// paths of the chart's values (defaults merged with the seed): a value of another type, an
// unknown key, a null, a string outside any enum, an out-of-range number, an empty string, list
// or object. The same arguments give the same documents.
func Mutants(seeds []map[string]any, defaults map[string]any, n int, salt string) []map[string]any {
	return MutantsExcept(seeds, defaults, n, salt, nil)
}

// MutantsExcept is Mutants without mutations at the paths skip reports (nil skips none).
func MutantsExcept(seeds []map[string]any, defaults map[string]any, n int, salt string, skip func(path []any) bool) []map[string]any {
	h := fnv.New64a()
	h.Write([]byte(salt))
	rng := rand.New(rand.NewPCG(uint64(n), h.Sum64()))
	out := make([]map[string]any, 0, n)
	for i := 0; i < n; i++ {
		doc := deepCopy(seeds[i%len(seeds)]).(map[string]any)
		for m := 1 + rng.IntN(3); m > 0; m-- {
			mutate(rng, doc, defaults, skip)
		}
		out = append(out, doc)
	}
	return out
}

// replacements are the values a mutation may put in place of another: every JSON type, enum
// misses, empty values, numbers at and beyond the bounds of int32 and of ports, and strings
// that YAML or the API read as something else when written unquoted (a newline, "true",
// "0x10", "1e400", "null"), path-like and over-long strings.
var replacements = []any{
	"not-a-valid-value", "", "10 GB", float64(0), float64(-1), float64(70000), float64(1e12), 2.5,
	true, false, nil, map[string]any{}, map[string]any{"unknownKey": "x"}, []any{}, []any{"x"},
	[]any{map[string]any{"name": ""}},
	float64(2147483647), float64(2147483648), float64(-2147483649), float64(65536), float64(1),
	"x\ny", "true", "0x10", "1e400", "null", "..", ".", "/", "a/b", "-x", "Upper", "with space",
	"ok-name", "yes", "~", "a.b", strings.Repeat("c", 40), strings.Repeat("a", 64), strings.Repeat("b", 300),
}

func mutate(rng *rand.Rand, doc, defaults map[string]any, skip func([]any) bool) {
	merged := merge(deepCopy(defaults), doc).(map[string]any)
	paths := leafAndBranchPaths(merged, nil)
	if skip != nil {
		paths = slices.DeleteFunc(paths, skip)
		if len(paths) == 0 {
			return
		}
	}
	path := paths[rng.IntN(len(paths))]
	if obj, ok := valueAt(merged, path).(map[string]any); ok && rng.IntN(3) == 0 {
		// An unknown key next to real ones, often a near-miss of one of them.
		keys := slices.Sorted(maps.Keys(obj))
		name := "unknownKey"
		if len(keys) > 0 && rng.IntN(2) == 0 {
			name = keys[rng.IntN(len(keys))] + "s"
		}
		setAt(doc, merged, append(slices.Clone(path), name), "x")
		return
	}
	pool := replacements
	// Half the time keep the value's JSON type, so that more documents pass the schema and
	// reach the templates: the strings and numbers the API or YAML treat specially.
	if rng.IntN(2) == 0 {
		switch valueAt(merged, path).(type) {
		case string:
			pool = stringReplacements
		case float64, int, int64:
			pool = numberReplacements
		}
	}
	setAt(doc, merged, path, deepCopy(pool[rng.IntN(len(pool))]))
}

func ofType[T any](vs []any) []any {
	var out []any
	for _, v := range vs {
		if _, ok := v.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

var (
	stringReplacements = ofType[string](replacements)
	numberReplacements = ofType[float64](replacements)
)

// leafAndBranchPaths lists every path in v (map keys sorted, list indexes as ints).
func leafAndBranchPaths(v any, prefix []any) [][]any {
	var out [][]any
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			p := append(slices.Clone(prefix), k)
			out = append(append(out, p), leafAndBranchPaths(x[k], p)...)
		}
	case []any:
		for i, e := range x {
			p := append(slices.Clone(prefix), i)
			out = append(append(out, p), leafAndBranchPaths(e, p)...)
		}
	}
	return out
}

func valueAt(v any, path []any) any {
	for _, step := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[step.(string)]
		case []any:
			v = x[step.(int)]
		default:
			return nil
		}
	}
	return v
}

// setAt sets path in doc to v. Lists replace the chart's defaults as a whole, so a path through
// a list first copies that list from merged into doc.
func setAt(doc, merged map[string]any, path []any, v any) {
	var cur any = doc
	for i, step := range path {
		last := i == len(path)-1
		switch x := cur.(type) {
		case map[string]any:
			k := step.(string)
			if last {
				x[k] = v
				return
			}
			if _, isList := path[i+1].(int); isList {
				if _, ok := x[k].([]any); !ok {
					x[k] = deepCopy(valueAt(merged, path[:i+1]))
				}
			} else if _, ok := x[k].(map[string]any); !ok {
				x[k] = map[string]any{}
			}
			cur = x[k]
		case []any:
			idx := step.(int)
			if last {
				x[idx] = v
				return
			}
			cur = x[idx]
		default:
			return // a scalar on the way: a mutation already replaced this branch
		}
	}
}

// merge overlays src on dst like Helm's coalescing: maps merge, everything else replaces.
func merge(dst, src any) any {
	d, dok := dst.(map[string]any)
	s, sok := src.(map[string]any)
	if !dok || !sok {
		return deepCopy(src)
	}
	for k, v := range s {
		d[k] = merge(d[k], v)
	}
	return d
}

// deepCopy copies a JSON-shaped value (values documents are: YAML decoded through JSON).
func deepCopy(v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		panic(err)
	}
	return out
}
