package chartkit

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/invopop/jsonschema"
	"github.com/stretchr/testify/assert"
	"k8s.io/apimachinery/pkg/util/validation"
)

// TestKubeStringRules: the key of a value picks the API's rule, and each pattern accepts exactly
// what k8s.io/apimachinery's validation accepts (empty aside: it means "none" in the values).
func TestKubeStringRules(t *testing.T) {
	for _, tc := range []struct {
		key, what string
	}{
		{"existingSecret", "Secret name"},
		{"adminExistingSecret", "Secret name"},
		{"secretName", "Secret name"},
		{"existingSecretPasswordKey", "Secret key"},
		{"caExistingSecretKey", "Secret key"},
		{"existingSecretKey", "Secret key"},
		{"certKey", "Secret key"},
		{"existingConfigMap", "ConfigMap name"},
		{"inputsConfigMap", "ConfigMap name"},
		{"existingClaim", "PersistentVolumeClaim name"},
		{"dagsClaim", "PersistentVolumeClaim name"},
		{"ingressClassName", "IngressClass name"},
		{"storageClass", "StorageClass name"},
		{"fullnameOverride", "name override (DNS-1035 label)"},
		{"host", ""},
		{"password", ""},
	} {
		rule, ok := kubeRuleFor(tc.key)
		assert.Equal(t, tc.what != "", ok, tc.key)
		assert.Equal(t, tc.what, rule.what, tc.key)
	}

	samples := []string{"a", "flowise-auth", "a.b", "a..b", "A", "-a", "a-", ".", "..", "..a", ".a", "a/b", "x\ny", "true", "0x10", "1e400", "a_b", "with space", "tls.crt"}
	for _, tc := range []struct {
		pattern string
		api     func(string) []string
	}{
		{dns1123Subdomain, validation.IsDNS1123Subdomain},
		{dns1035Label, validation.IsDNS1035Label},
		{secretKey, validation.IsConfigMapKey},
	} {
		re := regexp.MustCompile(tc.pattern)
		for _, s := range samples {
			assert.Equal(t, len(tc.api(s)) == 0, re.MatchString(s), "%q against %s", s, tc.pattern)
		}
		assert.True(t, re.MatchString(""), "empty is allowed by %s", tc.pattern)
	}
}

func TestBoundInt32(t *testing.T) {
	for _, tc := range []struct{ min, max, wantMin, wantMax string }{
		{"", "", "-2147483648", "2147483647"},
		{"1", "65535", "1", "65535"},
		{"0", "1e12", "0", "2147483647"},
		{"-1e12", "", "-2147483648", "2147483647"},
	} {
		s := &jsonschema.Schema{Type: "integer", Minimum: json.Number(tc.min), Maximum: json.Number(tc.max)}
		boundInt32(s)
		assert.Equal(t, json.Number(tc.wantMin), s.Minimum)
		assert.Equal(t, json.Number(tc.wantMax), s.Maximum)
	}
}
