package flowkit_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/flotilla/flotilla/pkg/charttest"
)

// Each bundled PostgreSQL of FlowKit (FlowETL's, FlowAuth's, AutoFlow's) becomes its own
// CloudNativePG Cluster, valid against the pinned CRD, and its clients use that Cluster's -rw
// Service; the others stay StatefulSets.
func TestCloudNativePGClusters(t *testing.T) {
	res := renderWith(t, []string{example("full-autoflow.yaml")},
		"flowetl.postgresql.mode=cloudnative-pg", "flowauth.postgresql.enabled=true", "flowauth.postgresql.mode=cloudnative-pg", "flowauth.postgresql.cloudnativePG.instances=2")
	charttest.RequireCloudNativePGAdmitted(t, res)
	charttest.RequireObjects(t, res,
		[]string{"Cluster/rel-flowkit-flowetl-postgresql", "Cluster/rel-flowkit-flowauth-postgresql", "StatefulSet/rel-flowkit-autoflow-postgresql"},
		[]string{"StatefulSet/rel-flowkit-flowetl-postgresql", "StatefulSet/rel-flowkit-flowauth-postgresql", "Cluster/rel-flowkit-autoflow-postgresql"})
	for name, want := range map[string]struct {
		db, secret string
		instances  int64
	}{"flowetl": {"flowetl", "flowetl-db", 3}, "flowauth": {"flowauth", "rel-flowkit-flowauth-postgresql", 2}} {
		cl := charttest.Object[*unstructured.Unstructured](t, res, "Cluster", "rel-flowkit-"+name+"-postgresql").Object
		spec := cl["spec"].(map[string]any)
		assert.EqualValues(t, want.instances, spec["instances"], name)
		initdb := spec["bootstrap"].(map[string]any)["initdb"].(map[string]any)
		assert.Equal(t, want.db, initdb["database"], name)
		// The user's existingSecret (keys username and password) or the chart's generated one.
		assert.Equal(t, map[string]any{"name": want.secret}, initdb["secret"], name)
	}
	// Clients reach the primary through <cluster>-rw; nothing addresses the StatefulSet name any more.
	var all strings.Builder
	for _, m := range append(res.Manifests, res.Hooks...) {
		if m.Kind == "Cluster" || m.Kind == "Secret" {
			continue
		}
		// References to the generated Secret (of the same name) are not addresses.
		for _, line := range strings.SplitAfter(m.YAML, "\n") {
			if k := strings.TrimSpace(line); !strings.HasPrefix(k, "name:") && !strings.HasPrefix(k, "secretName:") {
				all.WriteString(line)
			}
		}
	}
	for _, name := range []string{"flowetl", "flowauth"} {
		host := "rel-flowkit-" + name + "-postgresql"
		require.Contains(t, all.String(), host+"-rw", name)
		assert.NotContains(t, strings.ReplaceAll(all.String(), host+"-rw", ""), "@"+host+":", name)
		assert.NotContains(t, strings.ReplaceAll(all.String(), host+"-rw", ""), `"`+host+`"`+"\n", name)
	}
}
