package chartkit

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/invopop/jsonschema"
)

// What the Kubernetes API accepts where the charts write a value, applied to the schema once for
// every chart so that a document the schema accepts renders manifests the API accepts.
//
//   - Every value is required (the reflector marks each field without `omitempty`): with Helm's
//     coalescing a user's `null` deletes the chart's default, so "required" is what refuses a
//     null that would leave a template without a value. A Go field that is optional says so with
//     `omitempty`.
//   - Every integer is bounded to int32 (kubeInt32), the type of every Kubernetes field the
//     charts write integers into (replicas, probe timings, ports, uids, deadlines), unless its
//     jsonschema tag is stricter.
//   - Strings that name a Kubernetes object or a Secret/ConfigMap key get the API's own rule,
//     chosen by the value's key (kubeStringRules): an existing Secret, ConfigMap or claim name is
//     a DNS-1123 subdomain, a key matches the API's key rule, a name override is a DNS-1035 label
//     short enough for the names derived from it.
const (
	// dns1123Subdomain is the API's rule for most object names (k8s.io/apimachinery
	// validation.IsDNS1123Subdomain), empty allowed: empty means "none" or "the chart's own".
	dns1123Subdomain = `^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$`
	// dns1035Label is the API's rule for Service names (validation.IsDNS1035Label), empty allowed.
	dns1035Label = `^([a-z]([-a-z0-9]*[a-z0-9])?)?$`
	// secretKey is the API's rule for Secret and ConfigMap keys (validation.IsConfigMapKey):
	// [-._a-zA-Z0-9]+, never "." or "..", nor starting with "..". Empty is allowed here (an unused
	// optional key); keys the chart always reads have minLength 1.
	secretKey = `^(\.?[-_a-zA-Z0-9][-._a-zA-Z0-9]*)?$`
	// storageClass is a StorageClass name, or "-" for no dynamic provisioning.
	storageClass = `^(-|([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*))?$`

	// NameOverrideMaxLength keeps every name the charts derive from fullnameOverride or
	// nameOverride (the full name plus the longest component suffix, "-flowmachine-server" and
	// the like, or a CronJob's 52 characters) within the API's 63-character labels.
	NameOverrideMaxLength = 40
	subdomainMaxLength    = 253
)

// kubeStringRule constrains the strings at keys that match.
type kubeStringRule struct {
	what      string
	match     func(key string) bool
	pattern   string
	maxLength uint64
}

var kubeStringRules = []kubeStringRule{
	{"name override (DNS-1035 label)", func(k string) bool { return k == "nameOverride" || k == "fullnameOverride" },
		dns1035Label, NameOverrideMaxLength},
	{"Secret key", func(k string) bool {
		return (strings.HasPrefix(k, "existingSecret") || strings.Contains(k, "ExistingSecret")) && strings.HasSuffix(k, "Key") ||
			k == "key" || k == "caKey" || k == "certKey" || k == "keyKey"
	}, secretKey, subdomainMaxLength},
	{"Secret name", func(k string) bool {
		return k == "existingSecret" || strings.HasSuffix(k, "ExistingSecret") || k == "secretName"
	}, dns1123Subdomain, subdomainMaxLength},
	{"ConfigMap name", func(k string) bool { return k == "existingConfigMap" || strings.HasSuffix(k, "ConfigMap") },
		dns1123Subdomain, subdomainMaxLength},
	{"PersistentVolumeClaim name", func(k string) bool { return k == "existingClaim" || strings.HasSuffix(k, "Claim") },
		dns1123Subdomain, subdomainMaxLength},
	{"IngressClass name", func(k string) bool { return k == "ingressClassName" }, dns1123Subdomain, subdomainMaxLength},
	{"PriorityClass name", func(k string) bool { return k == "priorityClassName" }, dns1123Subdomain, subdomainMaxLength},
	{"StorageClass name", func(k string) bool { return k == "storageClass" }, storageClass, subdomainMaxLength},
}

// labelKeyHolders are the Kubernetes lists whose items' "key" is a label or taint key.
var labelKeyHolders = map[string]bool{"matchExpressions": true, "matchFields": true, "tolerations": true}

// kubeRuleFor returns the rule for a string value at key, if any.
func kubeRuleFor(key string) (kubeStringRule, bool) {
	for _, r := range kubeStringRules {
		if r.match(key) {
			return r, true
		}
	}
	return kubeStringRule{}, false
}

// kubeConstraints applies the rules above to s and every schema below it. parent is the key of
// the object holding s ("serviceAccount" for serviceAccount.name).
func kubeConstraints(s *jsonschema.Schema, parent, key string) {
	if s == nil {
		return
	}
	switch s.Type {
	case "integer":
		boundInt32(s)
	case "string":
		if s.Pattern == "" && s.Enum == nil {
			rule, ok := kubeRuleFor(key)
			if key == "key" && labelKeyHolders[parent] {
				// A label or taint key (kubernetes.io/arch), not a Secret key: the typed
				// Kubernetes shapes (chartvalues' Affinity, Toleration) leave it to the API.
				ok = false
			}
			if !ok && parent == "serviceAccount" && key == "name" {
				rule, ok = kubeStringRule{pattern: dns1123Subdomain, maxLength: subdomainMaxLength}, true
			}
			if ok {
				s.Pattern = rule.pattern
				if s.MaxLength == nil || *s.MaxLength > rule.maxLength {
					n := rule.maxLength
					s.MaxLength = &n
				}
			}
		}
	}
	if s.Properties != nil {
		for p := s.Properties.Oldest(); p != nil; p = p.Next() {
			kubeConstraints(p.Value, key, p.Key)
		}
	}
	kubeConstraints(s.Items, parent, key)
	kubeConstraints(s.AdditionalProperties, parent, key)
}

// boundInt32 narrows an integer schema to int32, keeping tighter bounds from the Go tags.
func boundInt32(s *jsonschema.Schema) {
	if n, err := strconv.ParseFloat(string(s.Minimum), 64); s.Minimum == "" || err != nil || n < math.MinInt32 {
		s.Minimum = json.Number(strconv.Itoa(math.MinInt32))
	}
	if n, err := strconv.ParseFloat(string(s.Maximum), 64); s.Maximum == "" || err != nil || n > math.MaxInt32 {
		s.Maximum = json.Number(strconv.Itoa(math.MaxInt32))
	}
}
