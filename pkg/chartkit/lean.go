package chartkit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// draft07 is the dialect of the chart's values.schema.json. Helm's validator checks every
// schema it compiles against its dialect's metaschema, on every render; draft-07's metaschema
// costs about a third less to check against than 2020-12's (measured with Helm's own
// validator), and the assertions the charts use mean the same in both.
const draft07 = "http://json-schema.org/draft-07/schema#"

// leanSchema derives the chart's values.schema.json from the editor schema (schemas/): the same
// verdict and the same failing paths for every document, at a fraction of the compile cost Helm
// pays on each `helm install`, `helm template` and Argo CD render. Helm's cost grows with the
// number of subschemas, so the lean copy
//   - drops descriptions, titles and defaults (editors read them from schemas/), keeping each
//     rule's message, which pkg/render reports;
//   - rewrites each rule into an equivalent one with fewer subschemas, nested where its
//     condition and requirement share a path (simplify);
//   - writes every repeated subtree (Image, Probes, a rule's condition...) once under
//     definitions and $refs it;
//   - declares draft-07;
//   - is written without indentation (compactLines).
//
// typeNames names definitions after the Go type at a values path (see typeNames).
func leanSchema(editor []byte, typeNames map[string]string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(editor))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("lean schema: %w", err)
	}
	if err := checkKeywords(doc, "#"); err != nil {
		return nil, fmt.Errorf("lean schema: %w", err)
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("lean schema: the root is not an object")
	}
	rules, _ := root["allOf"].([]any)
	messages := make([]any, len(rules))
	for i, r := range rules {
		messages[i] = r.(map[string]any)["description"]
	}
	stripAnnotations(root)
	for i, r := range rules {
		rule := r.(map[string]any)
		if messages[i] != nil {
			rule["description"] = messages[i]
		}
		rules[i] = simplifyRule(rule)
	}
	hoistRepeated(root, typeNames)
	root["$schema"] = draft07
	out, err := compactLines(root)
	if err != nil {
		return nil, fmt.Errorf("lean schema: %w", err)
	}
	return out, nil
}

// compactLines writes the schema without indentation, which Helm's JSON decoder would scan
// byte by byte on every render (a third of the file), but with each root property, rule and
// definition on a line of its own so that diffs stay readable.
func compactLines(root map[string]any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{")
	for i, k := range slices.Sorted(maps.Keys(root)) {
		if i > 0 {
			b.WriteString(",")
		}
		writeJSON(&b, k)
		b.WriteString(":")
		switch v := root[k].(type) {
		case map[string]any:
			b.WriteString("{")
			for j, name := range slices.Sorted(maps.Keys(v)) {
				if j > 0 {
					b.WriteString(",")
				}
				b.WriteString("\n")
				writeJSON(&b, name)
				b.WriteString(":")
				writeJSON(&b, v[name])
			}
			b.WriteString("\n}")
		case []any:
			b.WriteString("[")
			for j, x := range v {
				if j > 0 {
					b.WriteString(",")
				}
				b.WriteString("\n")
				writeJSON(&b, x)
			}
			b.WriteString("\n]")
		default:
			writeJSON(&b, v)
		}
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// writeJSON appends v, decoded JSON (which always encodes), to b.
func writeJSON(b *bytes.Buffer, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	b.Write(raw)
}

// stripAnnotations removes the annotation keywords of s and of every subschema.
func stripAnnotations(s any) {
	obj, ok := s.(map[string]any)
	if !ok {
		return
	}
	for _, kw := range annotationKeywords {
		delete(obj, kw)
	}
	eachSubschema(obj, func(_, _ string, sub any) any {
		stripAnnotations(sub)
		return sub
	})
}

// onlyProperty matches a schema that is exactly {properties: {key: sub}, required: [key]}.
func onlyProperty(s any) (key string, sub any, ok bool) {
	obj, _ := s.(map[string]any)
	props, _ := obj["properties"].(map[string]any)
	req, _ := obj["required"].([]any)
	if len(obj) != 2 || len(props) != 1 || len(req) != 1 {
		return "", nil, false
	}
	for k, v := range props {
		key, sub = k, v
	}
	return key, sub, req[0] == key
}
