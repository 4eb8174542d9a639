package chartkit

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// hoistRepeated writes every subtree that occurs more than once under root.definitions and
// replaces each occurrence with a $ref to it, largest first, as long as that lowers the number
// of schemas Helm compiles. Subtrees are shared only where a failure's location does not
// matter: the values tree and the rules' conditions, never what a rule requires (pkg/render
// names a rule by the allOf entry its failure is under).
func hoistRepeated(root map[string]any, typeNames map[string]string) {
	names := candidateNames(root, typeNames)
	defs := map[string]any{}
	taken := map[string]bool{}
	for {
		canon, node := mostRepeated(root, defs)
		if node == nil {
			break
		}
		name := names[canon]
		if name == "" {
			name = "shared"
		}
		for base, n := name, 2; taken[name]; n++ {
			name = base + fmt.Sprint(n)
		}
		taken[name] = true
		defs[name] = node
		ref := map[string]any{"$ref": "#/definitions/" + escapePointer(name)}
		visitShareable(root, defs, func(s map[string]any) any {
			if canonical(s) == canon {
				return ref
			}
			return nil
		})
	}
	if len(defs) > 0 {
		root["definitions"] = defs
	}
}

// mostRepeated finds the largest shareable subtree whose hoisting saves work: n copies of
// cost s (hoistCost) become one copy and n one-schema $refs.
func mostRepeated(root, defs map[string]any) (string, map[string]any) {
	type seen struct {
		n, size int
		node    map[string]any
	}
	count := map[string]*seen{}
	visitShareable(root, defs, func(s map[string]any) any {
		c := canonical(s)
		if count[c] == nil {
			count[c] = &seen{size: hoistCost(s), node: s}
		}
		count[c].n++
		return nil
	})
	best, bestCanon := (*seen)(nil), ""
	for c, x := range count {
		if x.n < 2 || (x.n-1)*x.size <= x.n {
			continue
		}
		if best == nil || x.size > best.size || x.size == best.size && c < bestCanon {
			best, bestCanon = x, c
		}
	}
	if best == nil {
		return "", nil
	}
	return bestCanon, best.node
}

// visitShareable calls f for every shareable subtree that costs more than a $ref (subschemas of
// its own, or a pattern), outermost first; a non-nil result replaces the subtree.
func visitShareable(root, defs map[string]any, f func(map[string]any) any) {
	var visit func(s any, shareable bool) any
	visit = func(s any, shareable bool) any {
		obj, ok := s.(map[string]any)
		if !ok {
			return s
		}
		if shareable && hoistCost(obj) > 1 {
			if r := f(obj); r != nil {
				return r
			}
		}
		eachSubschema(obj, func(kw, _ string, sub any) any { return visit(sub, shareable || kw == "if") })
		return obj
	}
	eachSubschema(root, func(kw, _ string, sub any) any { return visit(sub, kw == "properties") })
	for _, def := range defs {
		eachSubschema(def.(map[string]any), func(_, _ string, sub any) any { return visit(sub, true) })
	}
}

// patternNames names the shared definitions of the Kubernetes string patterns (kubeschema.go).
var patternNames = map[string]string{
	dns1123Subdomain: "DNSSubdomain",
	dns1035Label:     "DNSLabel",
	secretKey:        "SecretKey",
	storageClass:     "StorageClassName",
}

// patternCost is what a pattern adds to a schema's cost: Helm's validator compiles its regexp,
// and checks it against the metaschema's "format": "regex" (compiling it again), on every render;
// a $ref to one shared copy compiles it once. Measured on the charts' name patterns, each costs
// about as much as a few plain subschemas.
const patternCost = 4

// hoistCost is what s costs Helm to compile: its subschemas, and its patterns.
func hoistCost(s any) int {
	n := schemaSize(s)
	var patterns func(s any)
	patterns = func(s any) {
		obj, ok := s.(map[string]any)
		if !ok {
			return
		}
		if _, ok := obj["pattern"]; ok {
			n += patternCost
		}
		eachSubschema(obj, func(_, _ string, sub any) any { patterns(sub); return sub })
	}
	patterns(s)
	return n
}

func canonical(s any) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // decoded JSON always encodes
	}
	return string(b)
}

// candidateNames names subtrees before any is hoisted (hoisting the largest first leaves a
// subtree as it was until its own turn): a values subtree after the Go type at its first
// path, a rule's condition after what it tests ("architecture.mode=queue").
func candidateNames(root map[string]any, typeNames map[string]string) map[string]string {
	names := map[string]string{}
	// region: "values" (path is the values path, or "" where unknown), "condition", or "" for
	// the rest of the rules.
	var walk func(s any, region, path string)
	walk = func(s any, region, path string) {
		obj, ok := s.(map[string]any)
		if !ok {
			return
		}
		if c := canonical(obj); hoistCost(obj) > 1 && names[c] == "" {
			switch region {
			case "values":
				names[c] = typeNames[path]
				if p, ok := obj["pattern"].(string); ok && schemaSize(obj) == 1 {
					names[c] = patternNames[p] // a Go type name would say "String"
					if names[c] == "" {
						names[c] = "pattern"
					}
					if obj["minLength"] != nil {
						names[c] += "NonEmpty"
					}
				}
			case "condition":
				names[c] = conditionName(obj)
			}
		}
		eachSubschema(obj, func(kw, key string, sub any) any {
			switch {
			case region == "condition" || kw == "if":
				walk(sub, "condition", "")
			case region != "values":
				walk(sub, region, "")
			case path == "":
				walk(sub, region, "")
			case kw == "properties":
				walk(sub, region, strings.TrimPrefix(path+"."+key, "."))
			case kw == "items":
				walk(sub, region, path+"[]")
			case kw == "additionalProperties":
				walk(sub, region, path+"{}")
			default:
				walk(sub, region, "")
			}
			return sub
		})
	}
	eachSubschema(root, func(kw, key string, sub any) any {
		if kw == "properties" {
			walk(sub, "values", key)
		} else {
			walk(sub, "", "")
		}
		return sub
	})
	return names
}

var safeName = regexp.MustCompile(`^[A-Za-z0-9_.,=-]+$`)

// conditionName spells a condition on one value, {properties: {a: {properties: {b: {const:
// v}}, ...}}}, as "a.b=v"; other conditions get "condition".
func conditionName(s any) string {
	var path []string
	for {
		k, sub, ok := onlyProperty(s)
		if !ok {
			break
		}
		path = append(path, k)
		s = sub
	}
	leaf, _ := s.(map[string]any)
	v, isConst := leaf["const"]
	name := strings.Join(path, ".") + "=" + fmt.Sprint(v)
	if len(path) == 0 || len(leaf) != 1 || !isConst || !safeName.MatchString(name) {
		return "condition"
	}
	return name
}
