package charttest

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/chart"
	"sigs.k8s.io/yaml"

	"github.com/flotilla/flotilla/pkg/render"
)

// RuleCase exercises one schema rule with a document it accepts and one it refuses.
type RuleCase struct {
	Name    string
	Valid   string // YAML values the chart must accept
	Invalid string // YAML values the chart must refuse
	// Path is the field the error must name.
	Path string
	// Rule is a substring of the cross-field rule's message; empty for single-field checks.
	Rule string
	// HelmText is a substring of Helm's own message for the invalid document.
	HelmText string
}

// Rule builds a RuleCase: name, the accepted and the refused document, the field the error
// names, a substring of the rule's message and one of Helm's message.
func Rule(name, valid, invalid, path, rule, helmText string) RuleCase {
	return RuleCase{Name: name, Valid: valid, Invalid: invalid, Path: path, Rule: rule, HelmText: helmText}
}

// RequireRules feeds every case to pkg/render and to Helm's install action (what `helm
// template` runs): both accept the valid document, both refuse the invalid one with the same
// Helm message, and pkg/render names the field and the rule. prefix is YAML prepended to every
// document (for values that keep renders cheap).
func RequireRules(t *testing.T, chartName, prefix string, cases []RuleCase) {
	t.Helper()
	load := func(t *testing.T) *chart.Chart {
		ch, err := render.Load(context.Background(), chartName, render.LoadOptions{})
		require.NoError(t, err)
		return ch
	}
	ch := load(t)
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			_, err := render.Render(ch, render.Options{Values: []map[string]any{Doc(t, prefix+tc.Valid)}})
			require.NoError(t, err, "valid document refused")
			_, err = HelmTemplate(load(t), Doc(t, prefix+tc.Valid), "rel", "apps")
			require.NoError(t, err, "helm refuses the valid document")

			_, err = render.Render(ch, render.Options{Values: []map[string]any{Doc(t, prefix+tc.Invalid)}})
			var ve *render.ValidationError
			require.True(t, errors.As(err, &ve), "want a ValidationError, got %v", err)
			if tc.Rule != "" {
				assert.Contains(t, err.Error(), tc.Rule)
			}
			var paths []string
			for _, p := range ve.Problems {
				paths = append(paths, p.Path)
			}
			assert.Contains(t, paths, tc.Path)
			assert.Contains(t, ve.Helm, tc.HelmText)

			_, helmErr := HelmTemplate(load(t), Doc(t, prefix+tc.Invalid), "rel", "apps")
			require.Error(t, helmErr, "helm accepts a document pkg/render refuses")
			assert.Equal(t, ve.Helm, helmErr.Error(), "pkg/render must report Helm's own failure")
		})
	}
}

// Doc parses a YAML values document.
func Doc(t testing.TB, s string) map[string]any {
	t.Helper()
	m := map[string]any{}
	require.NoError(t, yaml.Unmarshal([]byte(s), &m))
	return m
}
