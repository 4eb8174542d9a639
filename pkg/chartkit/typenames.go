package chartkit

import (
	"reflect"
	"strings"
)

// typeNames maps the values paths of t ("flowise.probes.liveness", "flowise.extraEnv[]" for
// list items, "podLabels{}" for map values) to a name for the Go type there ("Probe",
// "EnvVar", "String"), for the chart schema's definitions.
func typeNames(t reflect.Type) map[string]string {
	out := map[string]string{}
	var walk func(t reflect.Type, path string)
	walk = func(t reflect.Type, path string) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if path != "" {
			out[path] = goTypeName(t)
		}
		if sp, ok := reflect.Zero(t).Interface().(shaped); ok {
			t = reflect.TypeOf(sp.Shape()) // free-form in Go, typed in the schema by this shape
		}
		switch t.Kind() {
		case reflect.Slice, reflect.Array:
			walk(t.Elem(), path+"[]")
		case reflect.Map:
			walk(t.Elem(), path+"{}")
		case reflect.Struct:
			for i := 0; i < t.NumField(); i++ {
				sf := t.Field(i)
				if sf.Anonymous && sf.Type.Kind() == reflect.Struct && sf.Tag.Get("json") == "" {
					walk(sf.Type, path) // embedded: its fields sit at this level
					continue
				}
				if name := jsonName(sf); name != "" {
					walk(sf.Type, strings.TrimPrefix(path+"."+name, "."))
				}
			}
		}
	}
	walk(t, "")
	return out
}

// goTypeName is t's name, or for unnamed types one built from their elements: []EnvVar is
// "EnvVarList", map[string]string "StringMap".
func goTypeName(t reflect.Type) string {
	if t.Name() != "" {
		return strings.ToUpper(t.Name()[:1]) + t.Name()[1:]
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return goTypeName(t.Elem()) + "List"
	case reflect.Map:
		return goTypeName(t.Elem()) + "Map"
	case reflect.Pointer:
		return goTypeName(t.Elem())
	case reflect.Interface:
		return "Any"
	}
	return t.Kind().String()
}

// shaped is a free-form Go value (a map) whose schema is reflected from a typed shape, such as
// chartvalues.Affinity; the shape's types name its subtrees.
type shaped interface{ Shape() any }
