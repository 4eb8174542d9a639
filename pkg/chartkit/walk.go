package chartkit

import (
	"reflect"
	"strings"
)

// field is one value of a chart, found by walking its Go values type in declaration order.
type field struct {
	Path    string // dotted path, e.g. "postgresql.auth.password"
	Key     string // last path element
	Depth   int
	Comment string
	Type    reflect.Type
	Value   reflect.Value
	Group   bool     // a nested struct: its fields follow
	Enum    []string // allowed values, from the jsonschema tag
}

// walkValues lists every value of v (a struct) with its doc comment.
func walkValues(v reflect.Value, comments map[string]string) []field {
	var out []field
	var walk func(v reflect.Value, prefix string, depth int)
	walk = func(v reflect.Value, prefix string, depth int) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			if sf.Anonymous && sf.Type.Kind() == reflect.Struct && sf.Tag.Get("json") == "" {
				// An embedded block (chartvalues.Common): its fields sit at this level, as in JSON.
				walk(v.Field(i), prefix, depth)
				continue
			}
			name := jsonName(sf)
			if name == "" {
				continue
			}
			f := field{
				Path:    strings.TrimPrefix(prefix+"."+name, "."),
				Key:     name,
				Depth:   depth,
				Comment: comments[t.PkgPath()+"."+t.Name()+"."+sf.Name],
				Type:    sf.Type,
				Value:   v.Field(i),
				Enum:    tagEnum(sf.Tag.Get("jsonschema")),
			}
			if sf.Type.Kind() == reflect.Struct {
				f.Group = true
				out = append(out, f)
				walk(v.Field(i), f.Path, depth+1)
				continue
			}
			out = append(out, f)
		}
	}
	walk(reflect.Indirect(v), "", 0)
	return out
}

func jsonName(sf reflect.StructField) string {
	if !sf.IsExported() {
		return ""
	}
	tag := sf.Tag.Get("json")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return sf.Name
	}
	return name
}

func tagEnum(tag string) []string {
	var out []string
	for _, part := range strings.Split(tag, ",") {
		if v, ok := strings.CutPrefix(part, "enum="); ok {
			out = append(out, v)
		}
	}
	return out
}

// typeName is the JSON type users see for a Go type.
func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice:
		return "array"
	default:
		return "object"
	}
}
