package render

import "strings"

// head is what sorting a manifest needs: the fields Helm's releaseutil.SimpleHead reads.
type head struct {
	kind, apiVersion, name, namespace string
	hook                              string
	hasHook                           bool
}

// scanHead reads a manifest's head without parsing its body, which is most of the cost of a
// render otherwise. It understands only the plain block style templates write — top-level
// keys, a metadata block with name/namespace/annotations — and reports ok=false on anything
// else (flow style, anchors, tags, quoted keys, escapes, multi-line or non-string scalars,
// duplicate keys, tabs), in which case the caller parses the whole document.
func scanHead(doc string) (h head, ok bool) {
	const (
		top = iota
		inMeta
	)
	section := top
	metaIndent, annIndent := -1, -1
	child := ""        // current key directly under metadata
	scalarKey := ""    // a head key just read as a scalar: nothing may continue it
	scalarIndent := -1 // its indentation
	seen := map[string]bool{}
	first := true
	for line := range strings.Lines(doc) {
		line = strings.TrimRight(line, "\r\n")
		body := strings.TrimLeft(line, " ")
		if body == "" || body[0] == '#' {
			continue
		}
		if line == "---" && first {
			first = false
			continue // an explicit document start: "a\n---\n---\nb" splits into "a" and "---\nb"
		}
		first = false
		if body[0] == '\t' {
			return h, false
		}
		indent := len(line) - len(body)
		if scalarKey != "" {
			if indent > scalarIndent {
				return h, false // a continuation line or a nested block under a scalar head field
			}
			scalarKey = ""
		}
		key, rest, isKey := splitKey(body)
		if indent == 0 {
			if !isKey {
				return h, false
			}
			section, child = top, ""
			switch key {
			case "kind", "apiVersion":
				if seen[key] {
					return h, false
				}
				seen[key] = true
				v, ok := scalar(rest)
				if !ok {
					return h, false
				}
				if key == "kind" {
					h.kind = v
				} else {
					h.apiVersion = v
				}
				scalarKey, scalarIndent = key, 0
			case "metadata":
				if seen[key] || strings.TrimSpace(stripComment(rest)) != "" {
					return h, false
				}
				seen[key] = true
				section, metaIndent = inMeta, -1
			}
			continue
		}
		if section != inMeta {
			continue
		}
		if metaIndent < 0 {
			metaIndent = indent
		}
		switch {
		case indent < metaIndent:
			return h, false
		case indent == metaIndent:
			if !isKey {
				return h, false
			}
			child = key
			switch key {
			case "name", "namespace":
				if seen["metadata."+key] {
					return h, false
				}
				seen["metadata."+key] = true
				v, ok := scalar(rest)
				if !ok {
					return h, false
				}
				if key == "name" {
					h.name = v
				} else {
					h.namespace = v
				}
				scalarKey, scalarIndent = key, indent
			case "annotations":
				if seen["metadata.annotations"] {
					return h, false
				}
				seen["metadata.annotations"] = true
				switch strings.TrimSpace(stripComment(rest)) {
				case "", "{}":
				default:
					return h, false
				}
				annIndent = -1
			}
		case child == "annotations":
			if annIndent < 0 {
				annIndent = indent
			}
			if indent == annIndent {
				if !isKey {
					return h, false
				}
				if key == "helm.sh/hook" {
					if h.hasHook {
						return h, false
					}
					v, ok := scalar(rest)
					if !ok {
						return h, false
					}
					h.hook, h.hasHook = v, true
					scalarKey, scalarIndent = key, indent
				}
			} else if indent < annIndent {
				return h, false
			}
		}
	}
	return h, true
}

// splitKey splits "key: rest" for a plain key of the characters Kubernetes names and
// annotation keys use.
func splitKey(s string) (key, rest string, ok bool) {
	i := strings.IndexByte(s, ':')
	if i <= 0 || (i+1 < len(s) && s[i+1] != ' ') {
		return "", "", false
	}
	for _, c := range s[:i] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == '/') {
			return "", "", false
		}
	}
	if c := s[0]; c == '-' || c == '.' {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

// scalar reads the value after "key:" when it is a plain string, a double-quoted string
// without escapes or a single-quoted string without doubled quotes; an empty value is "".
func scalar(rest string) (string, bool) {
	v := strings.TrimLeft(rest, " ")
	if v == "" {
		return "", true
	}
	switch v[0] {
	case '"', '\'':
		end := strings.IndexByte(v[1:], v[0])
		if end < 0 {
			return "", false
		}
		s := v[1 : 1+end]
		if strings.ContainsAny(s, `\'"`) || strings.TrimSpace(stripComment(v[2+end:])) != "" {
			return "", false
		}
		return s, true
	case '[', ']', '{', '}', '&', '*', '!', '|', '>', '%', '@', '`', '#', ',', '?', ':', '-', '+', '.', '~':
		return "", false
	}
	if v[0] >= '0' && v[0] <= '9' {
		return "", false // a number, or something the full parser must resolve
	}
	v = strings.TrimRight(stripComment(v), " ")
	if strings.Contains(v, ": ") || strings.HasSuffix(v, ":") || strings.ContainsAny(v, "\t\"'") {
		return "", false
	}
	switch strings.ToLower(v) {
	case "null", "true", "false", "yes", "no", "on", "off", "y", "n":
		return "", false // not a string in YAML 1.1 or 1.2
	}
	return v, true
}

// stripComment cuts a plain value at " #".
func stripComment(s string) string {
	if i := strings.Index(s, " #"); i >= 0 {
		return s[:i]
	}
	return s
}
