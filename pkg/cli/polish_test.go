package cli_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/registry"

	"github.com/flotilla/flotilla/pkg/catalog"
	"github.com/flotilla/flotilla/pkg/cli"
	"github.com/flotilla/flotilla/pkg/render"
)

func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "-version", "version"} {
		code, out, _ := run(arg)
		assert.Equal(t, 0, code)
		assert.Regexp(t, `^flotilla \S.*, go1\.\d+`, out, arg)
	}
	old := cli.Version
	t.Cleanup(func() { cli.Version = old })
	cli.Version = "v1.2.3" // what -ldflags -X sets
	code, out, _ := run("--version")
	assert.Equal(t, 0, code)
	assert.Equal(t, "flotilla v1.2.3\n", out)
}

func TestList(t *testing.T) {
	code, out, errOut := run("list")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	assert.Regexp(t, `^NAME\s+VERSION\s+APP VERSION\s+DESCRIPTION$`, lines[0])
	charts := catalog.Charts()
	require.Len(t, lines, len(charts)+1)
	for i, c := range charts {
		assert.Regexp(t, `^`+c.Name+`\s+`+strings.ReplaceAll(c.Version, ".", `\.`)+`\s+`+strings.ReplaceAll(c.AppVersion, ".", `\.`)+`\s+\S`, lines[i+1])
	}
	code, _, errOut = run("list", "extra")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "list takes no arguments")
}

// --help prints the command's usage on stdout and exits 0; a mistake prints it on stderr.
func TestHelpOnEveryCommand(t *testing.T) {
	for _, cmd := range []string{"list", "generate", "render", "validate", "schema", "secrets"} {
		for _, args := range [][]string{{cmd, "--help"}, {cmd, "-h"}, {"help", cmd}} {
			code, out, errOut := run(args...)
			assert.Equal(t, 0, code, args)
			assert.Contains(t, out, "Usage: flotilla "+cmd, args)
			assert.Contains(t, out, "Flags:", args)
			assert.Empty(t, errOut, args)
		}
		code, out, errOut := run(cmd, "--no-such-flag")
		assert.NotEqual(t, 0, code, cmd)
		assert.Empty(t, out, cmd)
		assert.Contains(t, errOut, "flag provided but not defined: -no-such-flag", cmd)
		assert.Contains(t, errOut, "Usage: flotilla "+cmd, cmd)
	}
}

// The top-level usage names every chart of the catalog and every command.
func TestUsageNamesEveryChartAndCommand(t *testing.T) {
	code, out, _ := run("--help")
	require.Equal(t, 0, code)
	for _, c := range catalog.Charts() {
		assert.Contains(t, out, c.Name)
	}
	assert.Contains(t, out, "CHART is an embedded chart name (flagsmith, flowise, flowkit)")
	for _, cmd := range []string{"list", "generate", "render", "validate", "schema", "secrets", "release", "--version"} {
		assert.Contains(t, out, "flotilla "+cmd)
	}
	_, _, errOut := run("frobnicate")
	assert.Contains(t, errOut, "want one of generate, list, migrate, release, render, schema, secrets, validate")
}

func TestValuesFileNotAMap(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, doc, want string }{
		{"list.yaml", "- architecture: {mode: queue}\n", "values file " + filepath.Join(dir, "list.yaml") + ": top level is a list; want a map of values"},
		{"scalar.yaml", "queue\n", "values file " + filepath.Join(dir, "scalar.yaml") + `: top level is a single value ("queue"); want a map of values`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := filepath.Join(dir, tc.name)
			require.NoError(t, os.WriteFile(f, []byte(tc.doc), 0o644))
			for _, cmd := range []string{"render", "validate", "secrets"} {
				code, _, errOut := run(cmd, "flowise", "-f", f)
				assert.Equal(t, 1, code, cmd)
				assert.Contains(t, errOut, tc.want, cmd)
			}
		})
	}
	empty := filepath.Join(dir, "empty.yaml")
	require.NoError(t, os.WriteFile(empty, []byte("# nothing\n"), 0o644))
	code, _, errOut := run("validate", "flowise", "-f", empty)
	assert.Equal(t, 0, code, errOut)
}

// An oci:// reference without --version gets the highest SemVer tag, as helm install does, and
// the CLI says so.
func TestOCIWithoutVersion(t *testing.T) {
	srv := httptest.NewServer(ggcrregistry.New())
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	client, err := registry.NewClient(registry.ClientOptPlainHTTP())
	require.NoError(t, err)
	ch, err := render.Load(context.Background(), "flowise", render.LoadOptions{})
	require.NoError(t, err)
	for _, v := range []string{"0.1.0", "0.10.0", "0.9.0", "1.0.0-rc.1"} {
		ch.Metadata.Version = v
		tgz, err := chartutil.Save(ch, t.TempDir())
		require.NoError(t, err)
		data, err := os.ReadFile(tgz)
		require.NoError(t, err)
		_, err = client.Push(data, host+"/charts/flowise:"+v)
		require.NoError(t, err)
	}
	ref := "oci://" + host + "/charts/flowise"

	code, out, errOut := run("render", ref, "--plain-http")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, ref+" has no --version: using its highest SemVer tag, 0.10.0 (as helm install does); pass --version to pin it")
	assert.Contains(t, out, `helm.sh/chart: "flowise-0.10.0"`)

	for _, args := range [][]string{{"render", ref, "--plain-http", "--version", "0.9.0"}, {"render", ref + ":0.9.0", "--plain-http"}} {
		code, out, errOut = run(args...)
		require.Equal(t, 0, code, errOut)
		assert.NotContains(t, errOut, "has no --version", args)
		assert.Contains(t, out, `helm.sh/chart: "flowise-0.9.0"`, args)
	}

	code, _, errOut = run("schema", "oci://"+host+"/charts/nothing", "--plain-http")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "no version given")
}
