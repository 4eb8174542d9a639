package charttest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

// manifest makes a render.Manifest from YAML, as a chart render would.
func manifest(t *testing.T, yaml string) render.Manifest {
	t.Helper()
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	require.NoError(t, sigsyaml.Unmarshal([]byte(yaml), &head))
	return render.Manifest{APIVersion: head.APIVersion, Kind: head.Kind, Name: head.Metadata.Name, Source: "test", YAML: yaml}
}

const cluster = `apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: db
spec:
  instances: 3
  storage: {size: 8Gi}
  bootstrap:
    initdb: {database: app, owner: app, secret: {name: db}}
`

const scaledObject = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: w
spec:
  scaleTargetRef: {name: w}
  triggers:
    - type: redis
      metadata:
        address: "r:6379"
        listName: "bull:q:wait"
`

// The validator must refuse what kube-apiserver refuses: unknown fields (strict field
// validation), schema violations and CEL rules, for each pinned CRD.
func TestCRDObjectsAreValidatedAgainstThePinnedSchemas(t *testing.T) {
	tests := []struct {
		name, yaml, wantErr string
	}{
		{name: "valid Cluster", yaml: cluster},
		{name: "unknown field", yaml: cluster + "  instancez: 2\n", wantErr: `unknown field "spec.instancez"`},
		{name: "wrong type", yaml: `apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: db}
spec: {instances: "3"}
`, wantErr: "spec.instances: Invalid value"},
		{name: "below minimum", yaml: `apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: db}
spec: {instances: 0}
`, wantErr: "spec.instances"},
		{name: "CEL rule", yaml: cluster + "  imageName: img\n  imageCatalogRef: {apiGroup: postgresql.cnpg.io, kind: ImageCatalog, name: c, major: 17}\n",
			wantErr: "imageName and imageCatalogRef are mutually exclusive"},
		{name: "valid ScaledObject", yaml: scaledObject},
		{name: "ScaledObject without triggers", yaml: `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: w}
spec: {scaleTargetRef: {name: w}}
`, wantErr: "spec.triggers: Required value"},
		{name: "trigger metadata are strings", yaml: scaledObject + "        listLength: 5\n", wantErr: "listLength"},
		{name: "valid TriggerAuthentication", yaml: `apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: {name: w}
spec: {secretTargetRef: [{parameter: password, name: r, key: k}]}
`},
		{name: "TriggerAuthentication ref without key", yaml: `apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: {name: w}
spec: {secretTargetRef: [{parameter: password, name: r}]}
`, wantErr: "key: Required value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := manifest(t, tc.yaml)
			require.True(t, charttest.HasCRD(m.APIVersion, m.Kind))
			obj, err := charttest.ValidateCRDObject(m)
			if tc.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, m.Name, obj.GetName())
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
	assert.False(t, charttest.HasCRD("monitoring.coreos.com/v1", "ServiceMonitor"), "only the pinned CRDs")
}
