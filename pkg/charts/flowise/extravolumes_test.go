package flowise_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

// TestExtraVolumesClashesRefused: every volume name and mount path of the pods that receive
// extraVolumes, in every example and with every switch that adds one, is refused as an extra
// one before anything renders.
func TestExtraVolumesClashesRefused(t *testing.T) {
	queueExternal := example("queue-external.yaml")
	cases := append(charttest.ExampleCases(t, example(""), ""),
		charttest.ExtraVolumesCase{Name: "defaults"},
		charttest.ExtraVolumesCase{Name: "gcs key and CA bundle Secret", Files: []string{queueExternal},
			Values: "storage: {type: gcs, gcs: {bucketName: b, existingSecret: gcs}}\ntls: {caBundle: {existingSecret: ca}}"},
		charttest.ExtraVolumesCase{Name: "redis client certificate and CA bundle ConfigMap", Files: []string{queueExternal},
			Values: "tls: {redis: {existingSecret: rtls, caKey: ca.crt, certKey: tls.crt, keyKey: tls.key}, caBundle: {existingConfigMap: ca}}"},
		charttest.ExtraVolumesCase{Name: "external database bootstrapped in the pods", Files: []string{example("external-postgresql.yaml")},
			Values: "hook: {mode: initContainer}\ndatabase: {external: {ssl: true, sslExistingSecret: pg-ca}}"},
		charttest.ExtraVolumesCase{Name: "external database with the CA bundle", Files: []string{example("external-postgresql.yaml")},
			Values: "hook: {mode: initContainer}\ndatabase: {external: {ssl: true}}\ntls: {caBundle: {existingSecret: ca}}"},
		charttest.ExtraVolumesCase{Name: "existing claim, another data path", Files: []string{example("standalone-sqlite.yaml")},
			Values: "persistence: {existingClaim: data}\nflowise: {dataPath: /data}\ndatabase: {sqlite: {path: /data/database.sqlite}}\nstorage: {local: {path: /data/storage}}"},
		charttest.ExtraVolumesCase{Name: "secrets hook, status, restricted egress, HA", Files: []string{example("high-availability.yaml")},
			Values: "secrets: {generation: hook}\nstatus: {enabled: true}\nnetworkPolicy: {egress: {restrict: true}}"},
	)
	charttest.RequireExtraVolumesClashesRefused(t, loadChart(t), cases)
}

// TestDataPathOnAnotherMountRefused: the data volume mounted where the chart mounts another
// volume is a pod the API server refuses (duplicate mountPath): refused naming flowise.dataPath.
func TestDataPathOnAnotherMountRefused(t *testing.T) {
	for _, tc := range []struct {
		name, dataPath string
		files          []string
		refused        bool
	}{
		{"the home directory", "/home/node", nil, true},
		{"tmp, trailing slash", "/tmp/", nil, true},
		{"the runtime ConfigMap in queue mode", "/opt/flotilla", []string{example("queue.yaml")}, true},
		{"a directory of its own", "/data", nil, false},
		{"under the home directory", "/home/node/data", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := []string{"flowise.dataPath=" + tc.dataPath, "database.sqlite.path=" + tc.dataPath + "/database.sqlite", "storage.local.path=" + tc.dataPath + "/storage"}
			_, err := render.Render(loadChart(t), render.Options{ReleaseName: release, Namespace: "apps", ValueFiles: tc.files, Set: set})
			if !tc.refused {
				require.NoError(t, err)
				return
			}
			var ve *render.ValidationError
			require.True(t, errors.As(err, &ve), "want a ValidationError, got %v", err)
			require.Len(t, ve.Problems, 1, "%v", ve)
			assert.Equal(t, "flowise.dataPath", ve.Problems[0].Path)
			assert.Contains(t, ve.Problems[0].Message, "is a path the chart mounts another volume at")
		})
	}
}
