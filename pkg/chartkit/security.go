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
// security contexts: localhostProfile is set when type is Localhost, and only then.
var SecurityContextRules = func() []Rule {
	var out []Rule
	for _, sc := range []string{"podSecurityContext", "containerSecurityContext"} {
		for _, profile := range []string{"seccompProfile", "appArmorProfile"} {
			p := sc + "." + profile
			localhost := Eq(p+".type", "Localhost")
			set := leaf{p + ".localhostProfile", &jsonschema.Schema{}}
			out = append(out, Rule{
				Message: p + ".localhostProfile is required when " + p + ".type is Localhost, and only then (the API server refuses it otherwise)",
				Then:    Or(And(localhost, NotEmpty(p+".localhostProfile")), And(Not(localhost), Not(set))),
			})
		}
	}
	return out
}()
