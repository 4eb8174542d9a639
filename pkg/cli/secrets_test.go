package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

func TestSecrets(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		code  int
		names []string // Secrets printed
		ns    string
		want  string
	}{
		{name: "queue example", args: []string{"flowise", "-f", "../../examples/flowise/queue.yaml", "--namespace", "ai"},
			names: []string{"flowise-auth-secrets", "flowise-s3-credentials"}, ns: "ai", want: "Replace CHANGE_ME in access-key-id"},
		{name: "no namespace flag leaves it unset", args: []string{"flowkit", "-f", "../../examples/flowkit/db-etl.yaml"},
			names: []string{"flowdb-passwords", "flowetl-db", "flowetl-secrets"}},
		{name: "defaults need nothing", args: []string{"flagsmith"}, want: "nothing to create"},
		{name: "set flags count", args: []string{"flagsmith", "--set", "auth.existingSecret=mine"},
			names: []string{"mine"}, want: "DJANGO_SECRET_KEY (auth.existingSecretSecretKeyKey): 50 random letters and digits"},
		{name: "invalid values", args: []string{"flowise", "--set", "architecture.mode=queue"}, code: 1, want: "storage.type must be s3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(append([]string{"secrets"}, tc.args...)...)
			require.Equal(t, tc.code, code, errOut)
			assert.Contains(t, out+errOut, tc.want)
			if tc.code != 0 {
				return
			}
			var names []string
			for _, doc := range strings.Split(out, "\n---\n") {
				var s corev1.Secret
				require.NoError(t, yaml.UnmarshalStrict([]byte(doc), &s))
				if s.Name != "" {
					names = append(names, s.Name)
					assert.Equal(t, tc.ns, s.Namespace)
				}
			}
			assert.Equal(t, tc.names, names)
		})
	}
}

func TestSecretsApplyNeedsACluster(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "kubeconfig")
	code, _, errOut := run("secrets", "flowise", "--apply", "--kubeconfig", missing)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "kubeconfig")

	bad := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, os.WriteFile(bad, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:1"}}]
contexts: [{name: c, context: {cluster: c, user: u, namespace: from-context}}]
users: [{name: u, user: {}}]
current-context: c
`), 0o600))
	code, out, errOut := run("secrets", "flowise", "-f", "../../examples/flowise/queue.yaml", "--apply", "--kubeconfig", bad)
	assert.Equal(t, 1, code, out)
	assert.Contains(t, errOut, "get Secret flowise-auth-secrets")
}
