package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/testserver"
)

// TestBinaryStatusServeStopsOnSIGTERM runs the real binary as the status pod does and sends it
// SIGTERM (what the kubelet sends): it answers until then, shuts down gracefully, exits 0 and
// logs its summary line.
func TestBinaryStatusServeStopsOnSIGTERM(t *testing.T) {
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "pong") }))
	defer app.Close()
	keys := filepath.Join(t.TempDir(), "keys")
	require.NoError(t, os.WriteFile(keys, []byte("k1,k2"), 0o600))
	port, err := testserver.FreePort()
	require.NoError(t, err)
	cmd := exec.Command(hookBin, "status", "serve", "--listen=127.0.0.1:"+strconv.Itoa(port), "--http=app="+app.URL,
		"--keys-file="+keys, "--log-format=json", "--shutdown-grace=2s")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}, 10*time.Second, 50*time.Millisecond, "status serve did not answer: %s", &stderr)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		assert.NoError(t, err, "exit status after SIGTERM; stderr: %s", &stderr)
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("still running 10s after SIGTERM: %s", &stderr)
	}
	assert.Contains(t, stderr.String(), `"msg":"shutting down"`)
	assert.Contains(t, stderr.String(), "status serve: served 1 status request(s)")
	_, err = http.Get(base + "/healthz")
	assert.Error(t, err, "nothing listens after shutdown")
}
