package render

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// checkResources finds every container resources block in vals ({requests: ..., limits: ...}
// under a key named resources) whose request exceeds its limit: the API server refuses such a
// pod, and JSON Schema cannot compare two quantities, so the schema lets it through. Quantities
// the schema would refuse are left to it.
func checkResources(vals map[string]any) []Problem {
	var out []Problem
	var path []string // reused: renders walk every value, allocate only for problems
	var walk func(m map[string]any)
	walk = func(m map[string]any) {
		for k, v := range m {
			sub, ok := v.(map[string]any)
			if !ok {
				continue
			}
			path = append(path, k)
			if k == "resources" {
				out = append(out, requestsOverLimits(sub, path)...)
			}
			walk(sub)
			path = path[:len(path)-1]
		}
	}
	walk(vals)
	slices.SortFunc(out, func(a, b Problem) int { return strings.Compare(a.Path, b.Path) })
	return out
}

func requestsOverLimits(block map[string]any, path []string) []Problem {
	requests, _ := block["requests"].(map[string]any)
	limits, _ := block["limits"].(map[string]any)
	var out []Problem
	for name, r := range requests {
		req, okReq := quantity(r)
		lim, okLim := quantity(limits[name])
		if okReq && okLim && req.Cmp(lim) > 0 {
			out = append(out, Problem{
				Path:    strings.Join(path, ".") + ".requests." + name,
				Message: fmt.Sprintf("request %s is more than the limit %s: Kubernetes refuses such a container", req.String(), lim.String()),
			})
		}
	}
	return out
}

// quantity parses a quantity given as a string or a YAML number.
func quantity(v any) (resource.Quantity, bool) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case nil:
		return resource.Quantity{}, false
	default:
		s = fmt.Sprint(x)
	}
	q, err := resource.ParseQuantity(s)
	return q, err == nil
}
