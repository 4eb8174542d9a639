package render

import (
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
)

// BothEngines renders the same user values with the parse-once engine and with Helm's
// engine.Render, each from freshly coalesced values and after reseed (so random functions give
// both the same bytes). fastOK is false when the fast path gave up and Helm's engine decides.
func BothEngines(ch *chart.Chart, user map[string]any, opts Options, reseed func()) (fast map[string]string, fastOK bool, helm map[string]string, helmErr error) {
	top := func() chartutil.Values {
		vals, err := chartutil.CoalesceValues(ch, user)
		if err != nil {
			panic(err)
		}
		return topValues(ch, chartutil.DefaultCapabilities, opts, vals)
	}
	reseed()
	if p := parsedTemplates(ch); p != nil {
		fast, fastOK = p.render(ch, top())
	}
	reseed()
	helm, helmErr = engine.Render(ch, top())
	return fast, fastOK, helm, helmErr
}
