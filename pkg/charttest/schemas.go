package charttest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/flotilla/flotilla/pkg/chartkit"
	"github.com/flotilla/flotilla/pkg/render"
)

// fuzzed is how many seeded mutations of the chart's documents RequireEquivalentSchemas checks
// (FLOTILLA_FUZZ_N overrides it).
const fuzzed = 300

// baselineEnv names a directory of charts whose lean schemas RequireEquivalentSchemas compares too.
const baselineEnv = "FLOTILLA_SCHEMA_BASELINE"

// RequireEquivalentSchemas checks that a chart's two schemas agree: the lean copy Helm compiles
// (charts/<chart>/values.schema.json) and the editor copy (schemas/), which is generated exactly
// as the single schema was before the lean copy existed (byte-identical when it was introduced;
// frozen copies of that state were compared then and dropped once the values moved on). On every
// example in examplesDir, both documents of every rule case (after prefix) and a seeded fuzzed
// corpus of them, both give the same verdict and pkg/render the same problems (path, message,
// rule); Helm's own validator gives the same verdict on the examples and rule cases.
//
// With FLOTILLA_SCHEMA_BASELINE set to a directory of charts (a copy of charts/ from another
// commit), the chart's lean schema there must give the same problems too: a change to how
// schemas are derived (pkg/chartkit lean.go, simplify.go, rules.go) must change no verdict and
// no problem. The corpus is fuzzed from the current rule cases, so compare commits with the
// same ones.
func RequireEquivalentSchemas(t *testing.T, chartName, examplesDir, prefix string, cases []RuleCase) {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err)
	root, err := chartkit.FindRoot(wd)
	require.NoError(t, err)
	schemas := map[string][]byte{}
	for name, p := range map[string]string{
		"lean":   filepath.Join(root, "charts", chartName, "values.schema.json"),
		"editor": filepath.Join(root, "schemas", chartName+".values.schema.json"),
	} {
		schemas[name], err = os.ReadFile(p)
		require.NoError(t, err)
	}
	if dir := os.Getenv(baselineEnv); dir != "" {
		schemas["baseline"], err = os.ReadFile(filepath.Join(dir, chartName, "values.schema.json"))
		require.NoError(t, err, baselineEnv)
	}
	ch, err := render.Load(context.Background(), chartName, render.LoadOptions{})
	require.NoError(t, err)

	docs := map[string]map[string]any{}
	entries, err := os.ReadDir(examplesDir)
	require.NoError(t, err)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") {
			data, err := os.ReadFile(filepath.Join(examplesDir, e.Name()))
			require.NoError(t, err)
			docs["example "+e.Name()] = Doc(t, string(data))
		}
	}
	for _, c := range cases {
		docs["rule "+c.Name+" (valid)"] = Doc(t, prefix+c.Valid)
		docs["rule "+c.Name+" (invalid)"] = Doc(t, prefix+c.Invalid)
	}
	// Helm's own validator compiles the schema per call: keep it to the hand-written documents.
	for name, doc := range docs {
		vals, err := chartutil.CoalesceValues(ch, doc)
		require.NoError(t, err, name)
		want := chartutil.ValidateAgainstSingleSchema(vals, schemas["editor"]) == nil
		got := chartutil.ValidateAgainstSingleSchema(vals, schemas["lean"]) == nil
		assert.Equal(t, want, got, "%s: Helm's verdict with the lean schema", name)
		if schemas["baseline"] != nil {
			assert.Equal(t, want, chartutil.ValidateAgainstSingleSchema(vals, schemas["baseline"]) == nil, "%s: Helm's verdict with the baseline schema", name)
		}
	}

	defaults, err := chartutil.CoalesceValues(ch, map[string]any{})
	require.NoError(t, err)
	seeds := make([]map[string]any, 0, len(docs))
	for _, name := range sortedNames(docs) {
		seeds = append(seeds, docs[name])
	}
	n := FuzzN(t, fuzzed)
	for i, doc := range Mutants(seeds, defaults, n, chartName) {
		docs[fmt.Sprintf("fuzzed %03d", i)] = doc
	}

	verdicts := map[bool]int{}
	for _, name := range sortedNames(docs) {
		vals, err := chartutil.CoalesceValues(ch, docs[name])
		require.NoError(t, err, name)
		want := problems(t, schemas["editor"], vals)
		verdicts[len(want) == 0]++
		assert.Equal(t, want, problems(t, schemas["lean"], vals), "%s: problems with the lean schema", name)
		if schemas["baseline"] != nil {
			assert.Equal(t, problems(t, schemas["baseline"], vals), want, "%s: problems with the baseline schema (%s) and now", name, baselineEnv)
		}
	}
	t.Logf("%d documents: %d valid, %d invalid", len(docs), verdicts[true], verdicts[false])
	// A corpus that is all valid or all invalid would compare little.
	assert.Greater(t, verdicts[true], len(cases), "valid documents")
	assert.Greater(t, verdicts[false], n/2, "invalid documents")
}

func problems(t *testing.T, schema []byte, vals map[string]any) []render.Problem {
	t.Helper()
	ps, err := render.Validate(schema, vals)
	require.NoError(t, err)
	sort.Slice(ps, func(i, j int) bool { return ps[i].String() < ps[j].String() })
	return ps
}

func sortedNames(docs map[string]map[string]any) []string {
	names := make([]string, 0, len(docs))
	for n := range docs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
