// Package s3test runs a real S3-compatible server for tests: gofakes3's server and in-memory
// backend over real HTTP (or HTTPS with a generated CA) on 127.0.0.1, behind a check of AWS
// Signature Version 4, so wrong credentials are refused as a real S3 refuses them.
package s3test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// Credentials the server accepts.
const (
	AccessKeyID     = "flotilla-test-key"
	SecretAccessKey = "flotilla-test-secret-0123456789"
)

// Server is a running S3 server.
type Server struct {
	// URL is the endpoint, http://127.0.0.1:PORT (https:// from StartTLS).
	URL string
	// CAFile is the PEM file of the CA that signed the HTTPS server's certificate (StartTLS).
	CAFile  string
	Backend *s3mem.Backend
	srv     *httptest.Server

	mu        sync.Mutex
	intercept func(*http.Request) (status int, ok bool)
}

// Start runs a plain-HTTP server until the test ends; buckets are created empty.
func Start(t testing.TB, buckets ...string) *Server { return start(t, false, buckets) }

// StartTLS runs an HTTPS server whose certificate is signed by CAFile.
func StartTLS(t testing.TB, buckets ...string) *Server { return start(t, true, buckets) }

func start(t testing.TB, tls bool, buckets []string) *Server {
	t.Helper()
	s := &Server{Backend: s3mem.New()}
	for _, b := range buckets {
		if err := s.Backend.CreateBucket(b); err != nil {
			t.Fatalf("s3test: create bucket %s: %v", b, err)
		}
	}
	fake := gofakes3.New(s.Backend, gofakes3.WithIntegrityCheck(true), gofakes3.WithLogger(gofakes3.DiscardLog()))
	h := s.handler(fake.Server())
	s.srv = httptest.NewUnstartedServer(h)
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused TLS handshakes are expected in tests
	if tls {
		s.srv.StartTLS()
		s.CAFile = filepath.Join(t.TempDir(), "s3-ca.pem")
		pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw})
		if err := os.WriteFile(s.CAFile, pemBytes, 0o600); err != nil {
			t.Fatal(err)
		}
	} else {
		s.srv.Start()
	}
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Intercept makes f see every authenticated request first: when it returns ok, the request
// fails with that status instead of reaching the server (fault injection). nil removes it.
func (s *Server) Intercept(f func(*http.Request) (status int, ok bool)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.intercept = f
}

func (s *Server) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if code, msg := verifySigV4(r); code != "" {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message></Error>`, code, msg)
			return
		}
		s.mu.Lock()
		f := s.intercept
		s.mu.Unlock()
		if f != nil {
			if status, ok := f(r); ok {
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(status)
				fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected failure</Message></Error>`)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// verifySigV4 checks the Authorization header's signature; it returns an S3 error code and
// message when the request is not signed with AccessKeyID/SecretAccessKey.
func verifySigV4(r *http.Request) (code, msg string) {
	auth := r.Header.Get("Authorization")
	const algo = "AWS4-HMAC-SHA256 "
	if !strings.HasPrefix(auth, algo) {
		return "AccessDenied", "anonymous requests are not allowed"
	}
	fields := map[string]string{}
	for _, f := range strings.Split(strings.TrimPrefix(auth, algo), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
		fields[k] = v
	}
	cred := strings.Split(fields["Credential"], "/")
	if len(cred) != 5 {
		return "AuthorizationHeaderMalformed", "bad Credential"
	}
	if cred[0] != AccessKeyID {
		return "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
	}
	signed := strings.Split(fields["SignedHeaders"], ";")
	var canon strings.Builder
	for _, h := range signed {
		v := strings.Join(r.Header.Values(h), ",")
		if h == "host" {
			v = r.Host
		}
		canon.WriteString(h + ":" + strings.Join(strings.Fields(v), " ") + "\n")
	}
	query := r.URL.Query()
	canonicalRequest := strings.Join([]string{
		r.Method,
		s3utils.EncodePath(r.URL.Path),
		strings.ReplaceAll(query.Encode(), "+", "%20"),
		canon.String(),
		fields["SignedHeaders"],
		r.Header.Get("X-Amz-Content-Sha256"),
	}, "\n")
	sum := sha256.Sum256([]byte(canonicalRequest))
	scope := strings.Join(cred[1:], "/")
	toSign := "AWS4-HMAC-SHA256\n" + r.Header.Get("X-Amz-Date") + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := []byte("AWS4" + SecretAccessKey)
	for _, part := range cred[1:] {
		key = hmacSHA256(key, part)
	}
	if !hmac.Equal([]byte(hex.EncodeToString(hmacSHA256(key, toSign))), []byte(fields["Signature"])) {
		return "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."
	}
	return "", ""
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
