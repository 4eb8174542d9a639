package hookcli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/backup/s3test"
	"github.com/flotilla/flotilla/pkg/pgtest"
	"github.com/flotilla/flotilla/pkg/redistest"
	"github.com/flotilla/flotilla/pkg/statusserver"
	"github.com/flotilla/flotilla/pkg/testserver"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

// syncBuffer is stderr shared by the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestStatusServe runs "flotilla-hook status serve" against a real PostgreSQL, redis-server and
// S3 server on 127.0.0.1 and an app's health path, and asks it as a private client and, through
// a trusted proxy's X-Forwarded-For, as a public one.
func TestStatusServe(t *testing.T) {
	pg := pgtest.Require(t)
	clearPGEnv(t)
	db := pg.NewDatabase(t)
	const pgPassword = "pg-secret-4711"
	role := pg.CreateRole(t, db, pgPassword)
	rd, err := redistest.Start()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server: %v", err)
		}
		t.Skipf("redis-server: %v", err)
	}
	t.Cleanup(rd.Stop)
	s3 := s3test.Start(t, "blobs")
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/ping" {
			fmt.Fprint(w, "pong")
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(app.Close)

	dir := t.TempDir()
	pgPW := writeFile(t, dir, "pg-password", pgPassword+"\n")
	redisPW := writeFile(t, dir, "redis-password", rd.Password)
	keyID := writeFile(t, dir, "s3-id", s3test.AccessKeyID)
	keySecret := writeFile(t, dir, "s3-secret", s3test.SecretAccessKey)
	keys := writeFile(t, dir, "keys", "new-key-2, old-key-1\n")
	pgURL := writeFile(t, dir, "pg-url", pg.URLFor(db, role, pgPassword))
	port, err := testserver.FreePort()
	require.NoError(t, err)
	base := "http://127.0.0.1:" + strconv.Itoa(port)

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"status", "serve", "--log-format=json",
			"--listen=127.0.0.1:" + strconv.Itoa(port),
			"--http=flowise=" + app.URL + "/api/v1/ping",
			"--tcp=app-port=" + strings.TrimPrefix(app.URL, "http://"),
			"--postgres=database-url:url-file=" + pgURL,
			fmt.Sprintf("--postgres=postgresql:host=%s,port=%d,dbname=%s,user=%s,sslmode=disable,password-file=%s", pg.Host, pg.Port, db, role, pgPW),
			fmt.Sprintf("--redis=redis:host=%s,port=%d,password-file=%s", rd.Host, rd.Port, redisPW),
			fmt.Sprintf("--s3=storage:bucket=blobs,endpoint=%s,path-style=true,access-key-id-file=%s,secret-access-key-file=%s", s3.URL, keyID, keySecret),
			"--keys-file=" + keys, "--trusted-proxies=127.0.0.0/8", "--check-timeout=2s",
		}, &bytes.Buffer{}, stderr)
	}()
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	}, 10*time.Second, 50*time.Millisecond, "server did not start: %s", stderr)

	get := func(t *testing.T, query, xff string) (int, statusserver.Report, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+"/"+query, nil)
		require.NoError(t, err)
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var raw bytes.Buffer
		_, _ = raw.ReadFrom(resp.Body)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		var rep statusserver.Report
		require.NoError(t, json.Unmarshal(raw.Bytes(), &rep), raw.String())
		return resp.StatusCode, rep, raw.String()
	}
	statuses := func(rep statusserver.Report) map[string]string {
		out := map[string]string{}
		for _, c := range rep.Components {
			out[c.Kind+"/"+c.Name] = c.Status
		}
		return out
	}
	allHealthy := map[string]string{"http/flowise": "healthy", "tcp/app-port": "healthy", "postgres/database-url": "healthy",
		"postgres/postgresql": "healthy", "redis/redis": "healthy", "s3/storage": "healthy"}

	tests := []struct {
		name     string
		query    string
		xff      string
		keysFile string // rewritten first when set
		wantCode int
		wantBody string
	}{
		{name: "private client needs no key", wantCode: 200},
		{name: "private client behind the proxy", xff: "10.1.2.3", wantCode: 200},
		{name: "public client without key", xff: "203.0.113.7", wantCode: 401, wantBody: "a key is required"},
		{name: "public client, new key", xff: "203.0.113.7", query: "?key=new-key-2", wantCode: 200},
		{name: "public client, old key", xff: "203.0.113.7", query: "?key=old-key-1", wantCode: 200},
		{name: "public client, wrong key", xff: "203.0.113.7", query: "?key=old-key-2", wantCode: 403, wantBody: "wrong key"},
		{name: "public client among proxies", xff: "203.0.113.7, 127.0.0.5", query: "?key=nope", wantCode: 403},
		{name: "public IPv6 client", xff: "2001:db8::1", wantCode: 401},
		{name: "malformed forwarded address counts as public", xff: "not-an-ip", wantCode: 401},
		{name: "rotated: the old key is gone", keysFile: "new-key-2", xff: "203.0.113.7", query: "?key=old-key-1", wantCode: 403},
		{name: "rotated: the new key works without a restart", xff: "203.0.113.7", query: "?key=new-key-2", wantCode: 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.keysFile != "" {
				writeFile(t, dir, "keys", tc.keysFile)
			}
			code, rep, raw := get(t, tc.query, tc.xff)
			assert.Equal(t, tc.wantCode, code, raw)
			if tc.wantBody != "" {
				assert.Contains(t, raw, tc.wantBody)
			}
			if code == 200 {
				assert.Equal(t, "healthy", rep.Status)
				assert.Equal(t, allHealthy, statuses(rep))
			} else {
				assert.Empty(t, rep.Components, "a refused request learns nothing about the components")
			}
		})
	}

	t.Run("redis stopped", func(t *testing.T) {
		rd.Stop()
		code, rep, raw := get(t, "", "")
		assert.Equal(t, 500, code)
		assert.Equal(t, "unhealthy", rep.Status)
		want := maps.Clone(allHealthy)
		want["redis/redis"] = "unhealthy"
		assert.Equal(t, want, statuses(rep))
		for _, c := range rep.Components {
			if c.Name == "redis" {
				assert.Contains(t, c.Error, "PING "+rd.Addr())
			}
		}
		for _, secret := range []string{pgPassword, rd.Password, s3test.SecretAccessKey} {
			assert.NotContains(t, raw, secret)
			assert.NotContains(t, stderr.String(), secret)
		}
	})

	t.Run("wrong database password", func(t *testing.T) {
		writeFile(t, dir, "pg-password", "not-it")
		code, rep, _ := get(t, "", "")
		assert.Equal(t, 500, code)
		assert.Equal(t, "unhealthy", statuses(rep)["postgres/postgresql"])
		writeFile(t, dir, "pg-password", pgPassword)
	})

	stop()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, stderr.String())
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop on cancel (SIGTERM)")
	}
	logs := jsonLogs(t, stderr.String())
	last := logs[len(logs)-1]
	assert.Contains(t, last["msg"], "served 13 status request(s)")
}

// TestStatusServeUsage covers flags refused before anything listens: exit 2 with the reason.
func TestStatusServeUsage(t *testing.T) {
	keys := writeFile(t, t.TempDir(), "keys", "k")
	ok := []string{"status", "serve", "--http=app=http://127.0.0.1:1/", "--keys-file=" + keys}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "no checks", args: []string{"status", "serve", "--keys-file=" + keys}, want: "nothing to check"},
		{name: "no keys", args: []string{"status", "serve", "--http=app=http://x/"}, want: "set --keys-file or --keys-env"},
		{name: "keys file missing", args: []string{"status", "serve", "--http=app=http://x/", "--keys-file=/nonexistent/keys"}, want: "--keys-file: read keys file"},
		{name: "check timeout too short", args: append(ok, "--check-timeout=50ms"), want: "--check-timeout 50ms is out of range: allowed 100ms to 1m0s"},
		{name: "check timeout too long", args: append(ok, "--check-timeout=2m"), want: "--check-timeout 2m0s is out of range"},
		{name: "shutdown grace", args: append(ok, "--shutdown-grace=1h"), want: "--shutdown-grace 1h0m0s is out of range"},
		{name: "listen port", args: append(ok, "--listen=:70000"), want: `--listen ":70000": want [host]:port`},
		{name: "listen without port", args: append(ok, "--listen=localhost"), want: `--listen "localhost"`},
		{name: "http not a URL", args: append(ok, "--http=web=ftp://x"), want: `web: "ftp://x" is not an http(s):// URL`},
		{name: "http with credentials", args: append(ok, "--http=web=http://u:p@x/"), want: "must not carry credentials"},
		{name: "duplicate name", args: append(ok, "--http=app=http://x/"), want: `component "app" is named twice`},
		{name: "bad name", args: append(ok, "--http=App_1=http://x/"), want: "want NAME=URL"},
		{name: "postgres port", args: append(ok, "--postgres=db:host=h,port=70000,dbname=d,user=u"), want: "db: port 70000 is out of range: allowed 1 to 65535"},
		{name: "postgres missing user", args: append(ok, "--postgres=db:host=h,dbname=d"), want: "db: host, dbname and user are required"},
		{name: "postgres url and host", args: append(ok, "--postgres=db:url-file=/x,host=h"), want: "url-file holds the whole connection"},
		{name: "tcp without port", args: append(ok, "--tcp=m=host"), want: `m: "host" is not host:port`},
		{name: "postgres unknown key", args: append(ok, "--postgres=db:host=h,password=x"), want: `db: "password=x" is not key=value with a key among host, port`},
		{name: "redis db", args: append(ok, "--redis=r:host=h,db=16"), want: "r: db 16 is out of range: allowed 0 to 15"},
		{name: "redis port", args: append(ok, "--redis=r:host=h,port=0"), want: "r: port 0 is out of range"},
		{name: "redis tls flag", args: append(ok, "--redis=r:host=h,tls=maybe"), want: `r: tls="maybe" is not true or false`},
		{name: "redis ca without tls", args: append(ok, "--redis=r:host=h,ca-file=/x"), want: "need tls=true"},
		{name: "s3 without bucket", args: append(ok, "--s3=b:endpoint=http://x"), want: "b: bucket is required"},
		{name: "s3 one key file", args: append(ok, "--s3=b:bucket=x,access-key-id-file=/x"), want: "go together"},
		{name: "s3 endpoint with path", args: append(ok, "--s3=b:bucket=x,endpoint=http://h/b"), want: "want http(s)://host[:port]"},
		{name: "trusted proxies", args: append(ok, "--trusted-proxies=10.0.0.0/33"), want: `"10.0.0.0/33" is not a CIDR`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), tc.args, &stdout, &stderr)
			assert.Equal(t, 2, code, stderr.String())
			assert.Contains(t, stderr.String(), tc.want)
		})
	}
}
