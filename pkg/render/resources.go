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
	var walk func(v any, path []string)
	walk = func(v any, path []string) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		for _, k := range slices.Sorted(mapKeys(m)) {
			p := append(slices.Clone(path), k)
			if k == "resources" {
				out = append(out, requestsOverLimits(m[k], p)...)
			}
			walk(m[k], p)
		}
	}
	walk(vals, nil)
	return out
}

func requestsOverLimits(v any, path []string) []Problem {
	block, _ := v.(map[string]any)
	requests, _ := block["requests"].(map[string]any)
	limits, _ := block["limits"].(map[string]any)
	var out []Problem
	for _, name := range slices.Sorted(mapKeys(requests)) {
		req, okReq := quantity(requests[name])
		lim, okLim := quantity(limits[name])
		if okReq && okLim && req.Cmp(lim) > 0 {
			out = append(out, Problem{
				Path:    strings.Join(append(slices.Clone(path), "requests", name), "."),
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

func mapKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
