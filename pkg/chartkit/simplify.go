package chartkit

import (
	"fmt"
	"maps"
	"slices"
)

// simplifyRule rewrites a rule (an allOf entry of the editor schema) into an equivalent one with
// fewer subschemas, keeping its message.
func simplifyRule(rule map[string]any) map[string]any {
	msg, hasMsg := rule["description"]
	delete(rule, "description")
	out, ok := simplify(rule).(map[string]any)
	if !ok { // a rule that always holds
		out = map[string]any{}
	}
	if hasMsg {
		out["description"] = msg
	}
	return out
}

// simplify rewrites s and its subschemas bottom-up into an equivalent schema with fewer
// subschemas. Equivalent is stricter than "the same verdict": for every document the first
// failure Helm's validator (santhosh-tekuri/jsonschema) reports, depth first, has the same
// instance location and kind, because that is the problem pkg/render reports for a rule. So
// each rewrite keeps the failure order and every failure inline (a $ref would move it out of
// the rule's allOf entry), and never merges different properties into one properties object
// (the validator walks those in map order, and the first failure would depend on it).
//
// In the rewrites, P(k, X) is {properties: {k: X}, required: [k]} and P?(k, X) the same
// without required ("X when k is set"):
//   - {if: true, then: X} is X.
//   - {if: P(k, A), then: P(k, B), else: P(k, C)} is P(k, {if: A, then: B, else: C}); then may
//     be missing. Without k both fail naming k.
//   - {if: P(k, A), then: P(k, B)} is P?(k, {if: A, then: B}), and {if: {required: [k]}, then:
//     P(k, B)} is P?(k, B). Without k both hold. (This nests each rule where its condition and
//     requirement share a path.)
//   - In allOf, neighbours P(k, X) and P(k, Y) are P(k, {allOf: [X, Y]}) (likewise P?): the
//     first failing entry stays first. Only neighbours: a failure of an entry in between
//     comes first.
//   - In anyOf, every P(k, Xi) joins the first (likewise P?): anyOf fails only when every
//     branch does, and reports the first branch's failure first.
//   - {allOf: [X]} and {anyOf: [X]} are X.
//   - P(k, true) is {required: [k]}.
//
// Only the verdict matters in an if and a not, and everything under them: Helm's validator
// drops their failures. There, moreover, allOf joins every entry on the same property (not only
// neighbours), and entries on different properties into one object. (Not in an anyOf's
// branches after the first, although pkg/render reports the first branch's failure: Helm's
// message lists every branch's failures, and their order would follow Go's map order.)
func simplify(s any) any { return simplifyIn(s, false) }

func simplifyIn(s any, cond bool) any {
	obj, ok := s.(map[string]any)
	if !ok {
		return s
	}
	eachSubschema(obj, func(kw, _ string, sub any) any { return simplifyIn(sub, cond || verdictOnly(kw)) })
	switch {
	case cond && only(obj, "allOf"):
		return simplifyCondAllOf(obj["allOf"].([]any))
	case only(obj, "if", "then", "else"):
		return simplifyIf(obj)
	case only(obj, "allOf"):
		return simplifyList(obj["allOf"].([]any), "allOf")
	case only(obj, "anyOf"):
		return simplifyList(obj["anyOf"].([]any), "anyOf")
	}
	if k, sub, req, ok := propertyOf(obj); ok && req && isTrue(sub) {
		return property(k, sub, req) // {required: [k]}
	}
	return obj
}

// verdictOnly reports whether only the verdict of the subschema at kw matters: Helm's validator
// drops its failures (see simplify).
func verdictOnly(kw string) bool {
	return kw == "if" || kw == "not"
}

func simplifyIf(obj map[string]any) any {
	cond, then, els := obj["if"], obj["then"], obj["else"]
	if isTrue(cond) {
		if then == nil {
			return true
		}
		return then
	}
	k, a, req, ok := propertyOf(cond)
	if !ok || !req {
		return obj
	}
	kt, b, reqT, okT := propertyOf(then)
	if then != nil && (!okT || !reqT || kt != k) {
		return obj
	}
	if els != nil {
		ke, c, reqE, okE := propertyOf(els)
		if !okE || !reqE || ke != k {
			return obj
		}
		inner := map[string]any{"if": a, "else": c}
		if then != nil {
			inner["then"] = b
		}
		return property(k, simplifyIn(inner, false), true)
	}
	if then == nil {
		return true
	}
	if isTrue(a) { // the condition is only "k is set"
		return property(k, b, false)
	}
	return property(k, simplifyIn(map[string]any{"if": a, "then": b}, false), false)
}

// simplifyList joins the entries of an allOf or anyOf on the same single property (see simplify).
func simplifyList(list []any, kw string) any {
	type group struct {
		first any // the first entry, kept as it is when nothing joins it
		key   string
		req   bool
		subs  []any // what each joined entry requires of the property
	}
	var groups []*group
	open := map[string]*group{} // the groups later entries may join
	for _, x := range list {
		k, sub, req, ok := propertyOf(x)
		id := fmt.Sprintf("%t %s", req, k)
		if g := open[id]; ok && g != nil {
			g.subs = append(g.subs, sub)
			continue
		}
		if kw == "allOf" {
			clear(open) // only neighbours join
		}
		g := &group{first: x, key: k, req: req, subs: []any{sub}}
		if ok {
			open[id] = g
		}
		groups = append(groups, g)
	}
	out := make([]any, len(groups))
	for i, g := range groups {
		out[i] = g.first
		if len(g.subs) > 1 {
			out[i] = property(g.key, simplify(map[string]any{kw: g.subs}), g.req)
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	return map[string]any{kw: out}
}

// simplifyCondAllOf rewrites an allOf in a condition: every entry on a property, P(k, X) or
// P?(k, X), joins one object {properties: {k: {allOf: [X, ...]}, ...}, required: [...]}.
// Entries in it and out of it are checked in another order, which changes no verdict.
func simplifyCondAllOf(list []any) any {
	props := map[string]any{}
	var keys []string // in order of appearance
	required := map[string]bool{}
	var rest []any
	for _, x := range list {
		k, sub, req, ok := propertyOf(x)
		if !ok {
			rest = append(rest, x)
			continue
		}
		if prev, seen := props[k]; seen {
			if p, ok := prev.(map[string]any); ok && only(p, "allOf") {
				p["allOf"] = append(p["allOf"].([]any), sub)
			} else {
				props[k] = map[string]any{"allOf": []any{prev, sub}}
			}
		} else {
			props[k] = sub
			keys = append(keys, k)
		}
		required[k] = required[k] || req
	}
	if len(keys) == 0 {
		return simplifyList(list, "allOf")
	}
	var req []any
	for _, k := range keys {
		props[k] = simplifyIn(props[k], true)
		if required[k] {
			req = append(req, k)
		}
	}
	var joined map[string]any
	if len(keys) == 1 {
		joined = property(keys[0], props[keys[0]], required[keys[0]])
	} else {
		joined = map[string]any{"properties": props}
		if len(req) > 0 {
			joined["required"] = req
		}
	}
	if len(rest) == 0 {
		return joined
	}
	return map[string]any{"allOf": append([]any{joined}, rest...)}
}

// propertyOf matches P(k, sub) (required) and P?(k, sub) (see simplify).
func propertyOf(s any) (key string, sub any, required, ok bool) {
	obj, _ := s.(map[string]any)
	if only(obj, "required") {
		// {required: [k]} is P(k, true).
		req, _ := obj["required"].([]any)
		if len(req) != 1 {
			return "", nil, false, false
		}
		k, _ := req[0].(string)
		return k, true, true, true
	}
	props, _ := obj["properties"].(map[string]any)
	if len(props) != 1 {
		return "", nil, false, false
	}
	for k, v := range props {
		key, sub = k, v
	}
	switch {
	case len(obj) == 1:
		return key, sub, false, true
	case len(obj) == 2:
		req, _ := obj["required"].([]any)
		return key, sub, len(req) == 1 && req[0] == key, len(req) == 1 && req[0] == key
	}
	return "", nil, false, false
}

// property is P(k, sub), or P?(k, sub) when not required.
func property(k string, sub any, required bool) map[string]any {
	if required && isTrue(sub) {
		return map[string]any{"required": []any{k}}
	}
	out := map[string]any{"properties": map[string]any{k: sub}}
	if required {
		out["required"] = []any{k}
	}
	return out
}

// only reports whether obj is not empty and has no keywords but kws.
func only(obj map[string]any, kws ...string) bool {
	if len(obj) == 0 {
		return false
	}
	for k := range maps.Keys(obj) {
		if !slices.Contains(kws, k) {
			return false
		}
	}
	return true
}

// isTrue reports whether s is a schema every value satisfies: true or {}.
func isTrue(s any) bool {
	if b, ok := s.(bool); ok {
		return b
	}
	obj, ok := s.(map[string]any)
	return ok && len(obj) == 0
}
