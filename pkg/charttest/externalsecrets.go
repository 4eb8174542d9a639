package charttest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/flotilla/flotilla/pkg/render"
	"github.com/flotilla/flotilla/pkg/secretgen"
)

// esoCRD is the ExternalSecret CRD of External Secrets Operator v2.9.0 (testdata/external-secrets/README.md).
//
//go:embed testdata/external-secrets/external-secrets.io_externalsecrets.yaml
var esoCRD []byte

var (
	esoOnce   sync.Once
	esoSchema *jsonschema.Schema
	esoErr    error
)

// externalSecretSchema is the CRD's served version (v1) schema as JSON Schema, strict as the API
// server is with fieldValidation=Strict: an object schema with properties accepts no other field
// unless it says x-kubernetes-preserve-unknown-fields.
func externalSecretSchema() (*jsonschema.Schema, error) {
	esoOnce.Do(func() {
		var crd struct {
			Spec struct {
				Versions []struct {
					Name   string `json:"name"`
					Served bool   `json:"served"`
					Schema struct {
						OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
					} `json:"schema"`
				} `json:"versions"`
			} `json:"spec"`
		}
		if esoErr = yaml.Unmarshal(esoCRD, &crd); esoErr != nil {
			return
		}
		for _, v := range crd.Spec.Versions {
			if v.Name != "v1" || !v.Served {
				continue
			}
			s := v.Schema.OpenAPIV3Schema
			strict(s)
			raw, err := json.Marshal(s)
			if err != nil {
				esoErr = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err != nil {
				esoErr = err
				return
			}
			c := jsonschema.NewCompiler()
			if esoErr = c.AddResource("file:///externalsecret.json", doc); esoErr != nil {
				return
			}
			esoSchema, esoErr = c.Compile("file:///externalsecret.json")
			return
		}
		esoErr = fmt.Errorf("the pinned ExternalSecret CRD serves no v1")
	})
	return esoSchema, esoErr
}

func strict(s map[string]any) {
	if props, ok := s["properties"].(map[string]any); ok {
		if s["x-kubernetes-preserve-unknown-fields"] != true && s["additionalProperties"] == nil {
			s["additionalProperties"] = false
		}
		for _, p := range props {
			if m, ok := p.(map[string]any); ok {
				strict(m)
			}
		}
	}
	for _, kw := range []string{"items", "additionalProperties"} {
		if m, ok := s[kw].(map[string]any); ok {
			strict(m)
		}
	}
	for _, kw := range []string{"allOf", "anyOf", "oneOf"} {
		if l, ok := s[kw].([]any); ok {
			for _, x := range l {
				if m, ok := x.(map[string]any); ok {
					strict(m)
				}
			}
		}
	}
}

// RequireExternalSecrets checks every ExternalSecret of a render against the pinned CRD (strict:
// no unknown field), and that they cover every Secret key the release's pods read from a Secret
// the release does not create: the operator creates what the pods expect. It returns the
// ExternalSecrets by name.
func RequireExternalSecrets(t testing.TB, res *render.Result) map[string]map[string]any {
	t.Helper()
	schema, err := externalSecretSchema()
	require.NoError(t, err)
	out := map[string]map[string]any{}
	provides := map[string]map[string]bool{}
	for _, m := range res.Find("ExternalSecret", "") {
		require.Equal(t, "external-secrets.io/v1", m.APIVersion, m.Name)
		obj, err := m.Object()
		require.NoError(t, err)
		raw, err := json.Marshal(obj)
		require.NoError(t, err)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		require.NoError(t, err)
		require.NoError(t, schema.Validate(doc), "ExternalSecret %s against the CRD:\n%s", m.Name, m.YAML)
		out[m.Name] = obj
		spec := obj["spec"].(map[string]any)
		target := spec["target"].(map[string]any)["name"].(string)
		provides[target] = map[string]bool{}
		for _, d := range spec["data"].([]any) {
			provides[target][d.(map[string]any)["secretKey"].(string)] = true
		}
	}
	refs, created, err := secretgen.ReleaseRefs(res)
	require.NoError(t, err)
	for _, r := range refs {
		if _, ok := created[r.Secret]; ok {
			continue
		}
		require.Contains(t, provides, r.Secret, "%s reads Secret %s (%s), which no ExternalSecret creates", r.Object, r.Secret, r.Use)
		if r.Key != "" {
			require.True(t, provides[r.Secret][r.Key], "%s reads key %s of Secret %s, which its ExternalSecret does not fill", r.Object, r.Key, r.Secret)
		}
	}
	return out
}
