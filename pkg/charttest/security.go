package charttest

import "strings"

// SecurityContextRuleCases are the cases of chartkit.SecurityContextRules, the same in every
// chart: for each profile of both security contexts, Localhost without localhostProfile and
// localhostProfile with another type.
func SecurityContextRuleCases() []RuleCase {
	var out []RuleCase
	for _, sc := range []string{"podSecurityContext", "containerSecurityContext"} {
		for _, profile := range []string{"seccompProfile", "appArmorProfile"} {
			p := sc + "." + profile
			doc := func(v string) string { return sc + ": {" + profile + ": " + v + "}" }
			at := "at '/" + strings.ReplaceAll(p, ".", "/")
			out = append(out,
				Rule(p+" Localhost needs localhostProfile", doc("{type: Localhost, localhostProfile: profiles/app.json}"), doc("{type: Localhost}"),
					p+".localhostProfile", p+".localhostProfile is required when "+p+".type is Localhost", at+"'"),
				Rule(p+" localhostProfile needs Localhost", doc("{type: RuntimeDefault}"), doc("{type: RuntimeDefault, localhostProfile: profiles/app.json}"),
					p+".type", p+".localhostProfile is required when "+p+".type is Localhost, and only then", at+"/type'"),
			)
		}
	}
	return out
}
