package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/cli"
)

func run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = cli.Run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// The committed charts/ and schemas/ must be what the Go sources generate.
func TestGenerateCheckPassesOnCommittedTree(t *testing.T) {
	code, out, errOut := run("generate", "--check")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "generated files are up to date")
}

func TestGenerateCheckNamesDriftedFiles(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "go.mod"), []byte("module github.com/flotilla/flotilla\n"), 0o644))
	// The generator reads doc comments and examples from the checkout: link them in.
	wd, err := os.Getwd()
	require.NoError(t, err)
	repo := filepath.Join(wd, "..", "..")
	for _, dir := range []string{"pkg", "examples"} {
		require.NoError(t, os.Symlink(filepath.Join(repo, dir), filepath.Join(root, dir)))
	}
	code, _, errOut := run("generate", "--root", root)
	require.Equal(t, 0, code, errOut)

	values := filepath.Join(root, "charts", "flowise", "values.yaml")
	require.NoError(t, os.WriteFile(values, []byte("edited: true\n"), 0o644))
	stray := filepath.Join(root, "charts", "flowise", "templates", "stray.yaml")
	require.NoError(t, os.WriteFile(stray, []byte("kind: ConfigMap\n"), 0o644))
	require.NoError(t, os.Remove(filepath.Join(root, "schemas", "flowise.values.schema.json")))

	code, _, errOut = run("generate", "--check", "--root", root)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "charts/flowise/values.yaml (differs)")
	assert.Contains(t, errOut, "charts/flowise/templates/stray.yaml (not generated)")
	assert.Contains(t, errOut, "schemas/flowise.values.schema.json (missing)")

	code, _, _ = run("generate", "--root", root)
	require.Equal(t, 0, code)
	_, err = os.Stat(stray)
	assert.True(t, os.IsNotExist(err), "generate removes files it no longer produces")
	code, _, errOut = run("generate", "--check", "--root", root)
	assert.Equal(t, 0, code, errOut)
}

func TestRenderAndSchema(t *testing.T) {
	code, out, errOut := run("render", "flowise", "-f", "../../examples/flowise/queue.yaml", "--set", "queue.worker.replicaCount=4", "--release", "x")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `name: "x-flowise-worker"`)
	assert.Contains(t, out, "replicas: 4")
	assert.Contains(t, out, "# Source: flowise/templates/deployment.yaml")

	code, out, _ = run("schema", "flowise")
	require.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(out, "{"))
	assert.Contains(t, out, `"$schema":"http://json-schema.org/draft-07/schema#"`)
}

func TestValidateReportsEveryProblem(t *testing.T) {
	f := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(f, []byte("architecture: {mode: queue}\nflowise: {logLevl: x}\n"), 0o644))
	code, _, errOut := run("validate", "flowise", "-f", f)
	assert.Equal(t, 1, code)
	for _, want := range []string{
		"flowise.logLevl", // unknown key (reported at its object)
		"persistence.enabled must be false when architecture.mode is queue",
		"storage.type must be s3, gcs or azure when architecture.mode is queue",
		"queue mode needs Redis",
		"queue mode needs a SQL database",
	} {
		assert.Contains(t, errOut, want)
	}

	code, out, _ := run("validate", "flowise", "-f", "../../examples/flowise/standalone-sqlite.yaml")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "values are valid")
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "Usage:"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"render"}, 2, "want exactly one CHART"},
		{[]string{"render", "a", "b"}, 2, "want exactly one CHART"},
		{[]string{"render", "flowise", "--nope"}, 1, "flag provided but not defined: -nope"},
		{[]string{"generate", "extra"}, 2, "generate takes no arguments"},
		{[]string{"render", "nosuch"}, 1, "not an embedded chart ("},
		{[]string{"render", "flowise", "-f", "/nonexistent.yaml"}, 1, "/nonexistent.yaml"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := run(tc.args...)
			assert.Equal(t, tc.code, code)
			assert.Contains(t, out+errOut, tc.want)
		})
	}
}

// A chart whose template writes invalid YAML fails `flotilla render`, as it fails helm template.
func TestRenderRefusesInvalidYAML(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "templates"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Chart.yaml"), []byte("apiVersion: v2\nname: broken\nversion: 0.1.0\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "templates", "cm.yaml"), []byte("kind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: [\n"), 0o644))
	code, out, errOut := run("render", dir)
	assert.NotEqual(t, 0, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "YAML parse error on broken/templates/cm.yaml")
}
