//go:build runtime

package runtime

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/testserver"
)

// ca is a private certificate authority the test makes, with one server certificate for
// 127.0.0.1 and the names the pods use.
type ca struct {
	CertPEM               []byte
	ServerCert, ServerKey []byte
	Dir                   string // ca.crt, server.crt, server.key
}

func newCA(t *testing.T, names ...string) *ca {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "flotilla runtime test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	caCert, _ := x509.ParseCertificate(der)
	skey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	stmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: append([]string{"localhost"}, names...),
	}
	sder, err := x509.CreateCertificate(rand.Reader, stmpl, caCert, &skey.PublicKey, key)
	require.NoError(t, err)
	skeyDER, err := x509.MarshalPKCS8PrivateKey(skey)
	require.NoError(t, err)
	c := &ca{
		CertPEM:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		ServerCert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: sder}),
		ServerKey:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: skeyDER}),
	}
	c.Dir, err = os.MkdirTemp(env.Work, "ca-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(c.Dir, 0o755))
	for name, b := range map[string][]byte{"ca.crt": c.CertPEM, "server.crt": c.ServerCert, "server.key": c.ServerKey} {
		require.NoError(t, os.WriteFile(filepath.Join(c.Dir, name), b, 0o644))
	}
	return c
}

// redisServer is a redis-server with a password, on plain TCP or TLS only.
type redisServer struct {
	Port     int
	Password string
	TLS      *ca
}

func startRedis(t *testing.T, password string, tlsCA *ca) *redisServer {
	t.Helper()
	dir, err := os.MkdirTemp(env.Work, "redis-")
	require.NoError(t, err)
	port, err := testserver.FreePort()
	require.NoError(t, err)
	r := &redisServer{Port: port, Password: password, TLS: tlsCA}
	args := []string{"--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--requirepass", password}
	if tlsCA != nil {
		args = append(args, "--port", "0", "--tls-port", strconv.Itoa(r.Port),
			"--tls-cert-file", filepath.Join(tlsCA.Dir, "server.crt"), "--tls-key-file", filepath.Join(tlsCA.Dir, "server.key"),
			"--tls-ca-cert-file", filepath.Join(tlsCA.Dir, "ca.crt"), "--tls-auth-clients", "no")
	} else {
		args = append(args, "--port", strconv.Itoa(r.Port))
	}
	cmd := exec.Command("redis-server", args...)
	logf, err := os.Create(filepath.Join(dir, "redis.log"))
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = logf, logf
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); logf.Close() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := r.Do("PING"); err == nil {
			return r
		} else if time.Now().After(deadline) {
			b, _ := os.ReadFile(logf.Name())
			t.Fatalf("redis-server did not start: %v\n%s", err, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (r *redisServer) Addr() string { return fmt.Sprintf("127.0.0.1:%d", r.Port) }

// Do runs one command after AUTH, over TLS when the server uses it (through redis-cli, which
// Debian builds with TLS).
func (r *redisServer) Do(args ...string) (string, error) {
	cli := []string{"--no-auth-warning", "-h", "127.0.0.1", "-p", strconv.Itoa(r.Port), "-a", r.Password}
	if r.TLS != nil {
		cli = append(cli, "--tls", "--cacert", filepath.Join(r.TLS.Dir, "ca.crt"))
	}
	out, err := exec.Command("redis-cli", append(cli, args...)...).CombinedOutput()
	s := strings.TrimSpace(string(out))
	if err != nil || strings.HasPrefix(s, "ERR") || strings.HasPrefix(s, "NOAUTH") || strings.Contains(s, "Could not connect") {
		return s, fmt.Errorf("redis-cli %v: %v %s", args, err, s)
	}
	return s, nil
}

// startS3 serves an in-memory S3 (gofakes3) with one bucket over real HTTP on 127.0.0.1, or
// HTTPS with the CA's server certificate.
func startS3(t *testing.T, bucket string, tlsCA *ca) (addr string, backend *s3mem.Backend) {
	t.Helper()
	backend = s3mem.New()
	require.NoError(t, backend.CreateBucket(bucket))
	srv := httptest.NewUnstartedServer(gofakes3.New(backend).Server())
	if tlsCA != nil {
		cert, err := tls.X509KeyPair(tlsCA.ServerCert, tlsCA.ServerKey)
		require.NoError(t, err)
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(strings.TrimPrefix(srv.URL, "http://"), "https://"), backend
}

// openAI is an OpenAI-compatible chat completions endpoint that answers with a fixed text and
// records which API keys called it.
type openAI struct {
	URL    string
	mu     sync.Mutex
	calls  map[string]int // Authorization bearer -> calls
	answer string
}

func startOpenAI(t *testing.T) *openAI {
	o := &openAI{calls: map[string]int{}, answer: "Flotilla runtime answer"}
	srv := httptest.NewServer(http.HandlerFunc(o.serve))
	t.Cleanup(srv.Close)
	o.URL = srv.URL + "/v1"
	return o
}

func (o *openAI) Calls(key string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.calls[key]
}

func (o *openAI) serve(w http.ResponseWriter, r *http.Request) {
	if os.Getenv("RUNTIME_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "openai fake: %s %s\n", r.Method, r.URL.Path)
	}
	if !strings.HasSuffix(r.URL.Path, "/chat/completions") {
		http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
		return
	}
	var req struct {
		Model  string `json:"model"`
		Stream bool   `json:"stream"`
	}
	_ = json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req)
	if os.Getenv("RUNTIME_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "openai fake: stream=%v model=%s\n", req.Stream, req.Model)
	}
	o.mu.Lock()
	o.calls[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]++
	o.mu.Unlock()
	id, created := "chatcmpl-flotilla", time.Now().Unix()
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": id, "object": "chat.completion", "created": created, "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": o.answer}}},
			"usage": map[string]any{"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8},
		})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	bw := bufio.NewWriter(w)
	chunk := func(delta map[string]any, finish any) {
		b, _ := json.Marshal(map[string]any{"id": id, "object": "chat.completion.chunk", "created": created, "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}})
		fmt.Fprintf(bw, "data: %s\n\n", b)
	}
	chunk(map[string]any{"role": "assistant", "content": ""}, nil)
	chunk(map[string]any{"content": o.answer}, nil)
	chunk(map[string]any{}, "stop")
	fmt.Fprint(bw, "data: [DONE]\n\n")
	_ = bw.Flush()
}
