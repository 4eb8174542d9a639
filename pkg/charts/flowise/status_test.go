package flowise_test

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

func checkNames(checks map[string]charttest.StatusCheck) []string {
	var out []string
	for k := range checks {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestStatusEndpoint renders status.enabled on every topology: the checks follow the
// components the release runs, every password and CA they read is mounted from the Secret the
// app pods use, and the pod passes restricted Pod Security (renderWith checks strict decoding
// and the restricted level).
func TestStatusEndpoint(t *testing.T) {
	tests := []struct {
		file   string
		checks []string
		files  map[string]map[string]string // check → file → source
		spec   map[string]string            // check → spec
	}{
		{file: "standalone-sqlite.yaml", checks: []string{"http/flowise"},
			spec: map[string]string{"http/flowise": "http://rel-flowise:3000/api/v1/ping"}},
		{file: "standalone-postgresql.yaml", checks: []string{"http/flowise", "postgres/postgresql"},
			spec:  map[string]string{"postgres/postgresql": "host=rel-flowise-postgresql,port=5432,dbname=flowise,user=flowise,sslmode=disable,password-file=/run/flotilla/status/postgresql/password"},
			files: map[string]map[string]string{"postgres/postgresql": {"/run/flotilla/status/postgresql/password": "secret:rel-flowise-postgresql/password"}}},
		{file: "queue.yaml", checks: []string{"http/flowise", "postgres/postgresql", "redis/redis", "s3/storage"},
			files: map[string]map[string]string{"redis/redis": {"/run/flotilla/status/redis/password": "secret:rel-flowise-redis/redis-password"}}},
		{file: "queue-external.yaml", checks: []string{"http/flowise", "postgres/postgresql", "redis/redis", "s3/storage"},
			files: map[string]map[string]string{
				"postgres/postgresql": {"/run/flotilla/status/postgresql/password": "secret:flowise-db-credentials/database-password", "/run/flotilla/status/postgresql/ca.crt": "secret:flowise-db-ca/ca.crt"},
				"redis/redis":         {"/run/flotilla/status/redis/password": "secret:flowise-redis-credentials/redis-password", "/run/flotilla/status/redis/ca.crt": "secret:flowise-redis-ca/ca.crt"},
				"s3/storage": {"/run/flotilla/status/storage/access-key-id": "secret:flowise-s3-credentials/access-key-id",
					"/run/flotilla/status/storage/secret-access-key": "secret:flowise-s3-credentials/secret-access-key"},
			},
			spec: map[string]string{"redis/redis": "host=redis.cache.svc.cluster.local,port=6380,password-file=/run/flotilla/status/redis/password,tls=true,ca-file=/run/flotilla/status/redis/ca.crt"}},
		{file: "external-postgresql.yaml", checks: []string{"http/flowise", "postgres/postgresql"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			res := renderWith(t, []string{example(tc.file)}, "status.enabled=true")
			checks, keys := charttest.StatusChecks(t, res, "rel-flowise-status")
			assert.Equal(t, tc.checks, checkNames(checks))
			assert.Equal(t, "secret:rel-flowise-status/status-keys", keys)
			for name, spec := range tc.spec {
				assert.Equal(t, spec, checks[name].Spec, name)
			}
			for name, files := range tc.files {
				assert.Equal(t, files, checks[name].Files, name)
			}
			assert.NotEmpty(t, secretValue(t, res, "rel-flowise-status", "status-keys"))
			svc := charttest.Object[*corev1.Service](t, res, "Service", "rel-flowise-status")
			assert.EqualValues(t, 8080, svc.Spec.Ports[0].Port)
			assert.Equal(t, "status", svc.Spec.Selector["app.kubernetes.io/component"])
		})
	}

	t.Run("off by default", func(t *testing.T) {
		res := renderWith(t, []string{example("queue.yaml")})
		charttest.RequireObjects(t, res, nil, []string{"Deployment/rel-flowise-status", "Service/rel-flowise-status", "Secret/rel-flowise-status"})
	})

	t.Run("existing secret, ingress and trusted proxies", func(t *testing.T) {
		res := renderWith(t, nil, "status.enabled=true", "status.existingSecret=monitoring", "status.existingSecretKeysKey=keys",
			"status.trustedProxies={10.42.0.0/16,fd00::/8}", "status.checkTimeout=2s",
			"status.ingress.enabled=true", "status.ingress.hosts[0].host=status.example.com",
			"status.ingress.hosts[0].paths[0].path=/", "status.ingress.hosts[0].paths[0].pathType=Prefix")
		charttest.RequireObjects(t, res, []string{"Ingress/rel-flowise-status"}, []string{"Secret/rel-flowise-status"})
		_, keys := charttest.StatusChecks(t, res, "rel-flowise-status")
		assert.Equal(t, "secret:monitoring/keys", keys)
		c := charttest.Container(t, *charttest.PodSpecs(t, res)["Deployment/rel-flowise-status"], "status")
		assert.Contains(t, c.Args, "--trusted-proxies=10.42.0.0/16,fd00::/8")
		assert.Contains(t, c.Args, "--check-timeout=2s")
		ing := charttest.Object[*networkingv1.Ingress](t, res, "Ingress", "rel-flowise-status")
		assert.Equal(t, "rel-flowise-status", ing.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Name)
	})
}

// TestEncryptionKeyChange renders upgrades against a fake cluster: the same key passes, a
// changed one is refused with a message naming the values, and allowKeyChange lets it through.
func TestEncryptionKeyChange(t *testing.T) {
	vals := func(t *testing.T, set ...string) map[string]any {
		v, err := render.MergeValues(render.Options{Set: set})
		require.NoError(t, err)
		return v
	}
	authSecret := func(name, key, value string) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metaName(name), Data: map[string][]byte{key: []byte(value)}}
	}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	fingerprint := func(key string) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metaName("rel-flowise-auth-fingerprint"), Data: map[string][]byte{"encryption-key-sha256": []byte(sum(key))}}
	}

	tests := []struct {
		name     string
		set      []string
		existing []*corev1.Secret
		wantErr  string
		wantFP   string // fingerprint recorded
	}{
		{name: "first install records the generated key", wantFP: "any"},
		{name: "upgrade from a release without a fingerprint records it", existing: []*corev1.Secret{authSecret("rel-flowise-auth", "FLOWISE_SECRETKEY_OVERWRITE", "k1")}, wantFP: sum("k1")},
		{name: "generated key unchanged", existing: []*corev1.Secret{authSecret("rel-flowise-auth", "FLOWISE_SECRETKEY_OVERWRITE", "k1"), fingerprint("k1")}, wantFP: sum("k1")},
		{name: "switch to an existing Secret with the same key", set: []string{"auth.existingSecret=mine"},
			existing: []*corev1.Secret{authSecret("mine", "encryption-key", "k1"), fingerprint("k1")}, wantFP: sum("k1")},
		{name: "switch to an existing Secret with another key", set: []string{"auth.existingSecret=mine"},
			existing: []*corev1.Secret{authSecret("mine", "encryption-key", "k2"), fingerprint("k1")},
			wantErr:  "auth: the Flowise encryption key (FLOWISE_SECRETKEY_OVERWRITE, Secret mine key encryption-key) is not the one this release last ran with"},
		{name: "another key name in the same Secret", set: []string{"auth.existingSecret=mine", "auth.existingSecretEncryptionKeyKey=new-key"},
			existing: []*corev1.Secret{{ObjectMeta: metaName("mine"), Data: map[string][]byte{"encryption-key": []byte("k1"), "new-key": []byte("k2")}}, fingerprint("k1")},
			wantErr:  "set auth.allowKeyChange=true to change it anyway"},
		{name: "generated Secret edited by hand", existing: []*corev1.Secret{authSecret("rel-flowise-auth", "FLOWISE_SECRETKEY_OVERWRITE", "k2"), fingerprint("k1")},
			wantErr: "Secret rel-flowise-auth key FLOWISE_SECRETKEY_OVERWRITE"},
		{name: "allowKeyChange accepts and records the new key", set: []string{"auth.existingSecret=mine", "auth.allowKeyChange=true"},
			existing: []*corev1.Secret{authSecret("mine", "encryption-key", "k2"), fingerprint("k1")}, wantFP: sum("k2")},
		{name: "existing Secret not created yet keeps the record", set: []string{"auth.existingSecret=later"},
			existing: []*corev1.Secret{fingerprint("k1")}, wantFP: sum("k1")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := charttest.UpgradeSecrets(loadChart(t), vals(t, tc.set...), release, "apps", tc.existing)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.Contains(t, err.Error(), "would become unreadable")
				return
			}
			require.NoError(t, err)
			fp := string(out["rel-flowise-auth-fingerprint"]["encryption-key-sha256"])
			if tc.wantFP == "any" {
				assert.Len(t, fp, 64)
				assert.Equal(t, sum(string(out["rel-flowise-auth"]["FLOWISE_SECRETKEY_OVERWRITE"])), fp, "the recorded key is the one generated")
				return
			}
			assert.Equal(t, tc.wantFP, fp)
		})
	}
}

func metaName(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Name: name} }
