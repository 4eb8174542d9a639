package chartkit

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// A schema tree is a decoded JSON Schema: map[string]any objects, bool schemas, and data
// (enum, const, required, default...) that is never walked as a schema.

// Keywords whose value holds subschemas: a map of them, one, or a list.
var (
	schemaMapKeywords  = []string{"definitions", "patternProperties", "properties"}
	schemaOneKeywords  = []string{"additionalProperties", "else", "if", "items", "not", "propertyNames", "then"}
	schemaListKeywords = []string{"allOf", "anyOf", "oneOf"}
)

// annotationKeywords only inform readers; the chart's schema drops them.
var annotationKeywords = []string{"$comment", "default", "description", "examples", "title"}

// assertionKeywords mean the same in JSON Schema 2020-12 and draft-07, so the chart's draft-07
// copy of an editor schema using only these (and the keywords above) validates alike.
var assertionKeywords = []string{
	"$schema", "$ref", "const", "enum", "exclusiveMaximum", "exclusiveMinimum", "maxItems", "maxLength",
	"maxProperties", "maximum", "minItems", "minLength", "minProperties", "minimum", "multipleOf",
	"pattern", "required", "type", "uniqueItems",
}

// eachSubschema calls f for every direct subschema of s, in a fixed order, and stores what f
// returns in its place. kw is the keyword holding it; key its property name or list index.
func eachSubschema(s map[string]any, f func(kw, key string, sub any) any) {
	for _, kw := range schemaMapKeywords {
		m, _ := s[kw].(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(m)) {
			m[k] = f(kw, k, m[k])
		}
	}
	for _, kw := range schemaOneKeywords {
		if sub, ok := s[kw]; ok {
			s[kw] = f(kw, "", sub)
		}
	}
	for _, kw := range schemaListKeywords {
		l, _ := s[kw].([]any)
		for i := range l {
			l[i] = f(kw, strconv.Itoa(i), l[i])
		}
	}
}

// checkKeywords refuses keywords whose meaning differs between 2020-12 and draft-07 (or that
// the chart's copy does not know), so the two copies cannot silently drift apart.
func checkKeywords(s any, ptr string) error {
	obj, ok := s.(map[string]any)
	if !ok {
		if _, isBool := s.(bool); isBool {
			return nil
		}
		return fmt.Errorf("%s: not a schema", ptr)
	}
	for kw, v := range obj {
		switch {
		case slices.Contains(schemaMapKeywords, kw):
			if _, ok := v.(map[string]any); !ok {
				return fmt.Errorf("%s/%s: not an object of schemas", ptr, kw)
			}
		case slices.Contains(schemaListKeywords, kw):
			if _, ok := v.([]any); !ok {
				return fmt.Errorf("%s/%s: not a list of schemas", ptr, kw)
			}
		case slices.Contains(schemaOneKeywords, kw), slices.Contains(annotationKeywords, kw), slices.Contains(assertionKeywords, kw):
		default:
			return fmt.Errorf("%s: keyword %q has no draft-07 equivalent in the chart's schema", ptr, kw)
		}
	}
	var err error
	eachSubschema(obj, func(kw, key string, sub any) any {
		if err == nil {
			err = checkKeywords(sub, ptr+"/"+kw+pointerSuffix(key))
		}
		return sub
	})
	return err
}

// schemaSize counts the schemas in s, itself included: what Helm's validator compiles one by one.
func schemaSize(s any) int {
	obj, ok := s.(map[string]any)
	if !ok {
		return 1
	}
	n := 1
	eachSubschema(obj, func(_, _ string, sub any) any {
		n += schemaSize(sub)
		return sub
	})
	return n
}

func pointerSuffix(key string) string {
	if key == "" {
		return ""
	}
	return "/" + escapePointer(key)
}

// escapePointer escapes a JSON Pointer token (RFC 6901).
func escapePointer(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '~':
			out = append(out, "~0"...)
		case '/':
			out = append(out, "~1"...)
		default:
			out = append(out, s[i])
		}
	}
	return string(out)
}
