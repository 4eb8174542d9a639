package stsmigrate

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"context"
	"encoding/pem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// apiServer answers the two calls Recreate makes the way kube-apiserver does (the e2e test
// TestStatefulSetUpgrade runs the command against a real one): a StatefulSet that lingers for
// a few GETs after an orphan delete, as while the garbage collector releases its pods.
type apiServer struct {
	mu        sync.Mutex
	exists    bool
	service   string
	linger    int
	forbidden bool
	deletes   []map[string]any
}

func (a *apiServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer tok" || a.forbidden {
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"kind":"Status","message":"statefulsets.apps \"redis\" is forbidden"}`)
		return
	}
	if r.URL.Path != "/apis/apps/v1/namespaces/apps/statefulsets/redis" {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	switch r.Method {
	case http.MethodGet:
		if !a.exists {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"kind":"Status","message":"not found"}`)
			return
		}
		if a.linger > 0 && len(a.deletes) > 0 {
			a.linger--
			if a.linger == 0 {
				a.exists = false
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"metadata": map[string]any{"uid": "u1"}, "spec": map[string]any{"serviceName": a.service}})
	case http.MethodDelete:
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		a.deletes = append(a.deletes, body)
		if a.linger == 0 {
			a.exists = false
		}
		_, _ = io.WriteString(w, `{"kind":"Status","status":"Success"}`)
	}
}

func client(t *testing.T, a *apiServer) *Client {
	t.Helper()
	srv := httptest.NewTLSServer(a)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	for name, data := range map[string]string{"token": "tok\n", "namespace": "apps", "ca.crt": string(ca)} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600))
	}
	host, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "https://"), ":")
	t.Setenv("KUBERNETES_SERVICE_HOST", host)
	t.Setenv("KUBERNETES_SERVICE_PORT", port)
	c, err := InCluster(dir)
	require.NoError(t, err)
	return c
}

func TestRecreate(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name       string
		api        *apiServer
		wantAction string
		wantDelete bool
	}{
		{"absent", &apiServer{}, "absent", false},
		{"already governed by the new Service", &apiServer{exists: true, service: "redis-headless"}, "current", false},
		{"old Service: orphan delete", &apiServer{exists: true, service: "redis"}, "orphaned", true},
		{"old Service: waits until the garbage collector is done", &apiServer{exists: true, service: "redis", linger: 3}, "orphaned", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.api
			res, err := client(t, a).Recreate(context.Background(), log, "redis", "redis-headless")
			require.NoError(t, err)
			assert.Equal(t, tt.wantAction, res.Action)
			if !tt.wantDelete {
				assert.Empty(t, a.deletes)
				return
			}
			require.Len(t, a.deletes, 1)
			assert.Equal(t, "Orphan", a.deletes[0]["propagationPolicy"], "pods and claims stay")
			assert.Equal(t, map[string]any{"uid": "u1"}, a.deletes[0]["preconditions"], "only the StatefulSet that was read")
			assert.False(t, a.exists)
			assert.Equal(t, "redis", res.From)
		})
	}
}

func TestRecreateForbidden(t *testing.T) {
	a := &apiServer{exists: true, service: "redis", forbidden: true}
	_, err := client(t, a).Recreate(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)), "redis", "redis-headless")
	var se *StatusError
	require.ErrorAs(t, err, &se)
	assert.True(t, se.Forbidden())
	assert.Contains(t, err.Error(), "forbidden")
}

func TestInClusterOutsideAPod(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	_, err := InCluster(t.TempDir())
	assert.ErrorContains(t, err, "not running in a pod")
}
