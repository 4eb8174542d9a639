package chartkit

import (
	"reflect"

	"github.com/invopop/jsonschema"

	"github.com/flotilla/flotilla/pkg/chartvalues"
)

// hasSecurityContexts reports whether the chart's values have the shared security contexts.
func (c Chart) hasSecurityContexts() bool {
	f, ok := reflect.TypeOf(c.Defaults).FieldByName("PodSecurityContext")
	return ok && f.Type == reflect.TypeOf(chartvalues.PodSecurityContext{})
}

// SecurityContextRules are the API server's rule for the seccomp and AppArmor profiles of both
// security contexts: localhostProfile is set when type is Localhost, and only then. Each is
// written within its profile object (a third of the schemas of repeating the object's path in
// every condition); the else branch tries Localhost first so that a profile with another type
// fails naming type, as pkg/render has always reported it.
var SecurityContextRules = func() []Rule {
	var out []Rule
	for _, sc := range []string{"podSecurityContext", "containerSecurityContext"} {
		for _, profile := range []string{"seccompProfile", "appArmorProfile"} {
			p := sc + "." + profile
			localhost := Eq("type", "Localhost")
			set := leaf{"localhostProfile", &jsonschema.Schema{}}
			out = append(out, Rule{
				Message: p + ".localhostProfile is required when " + p + ".type is Localhost, and only then (the API server refuses it otherwise)",
				Then:    Within(p, IfElse(localhost, NotEmpty("localhostProfile"), Or(localhost, Not(set)))),
			})
		}
	}
	return out
}()
