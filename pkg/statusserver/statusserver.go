// Package statusserver serves the health of every component of a release over HTTP, as Flynn's
// status endpoint does: 200 when every check passes, 500 otherwise, with a JSON body naming each
// component, its status and (when unhealthy) why. Requests from addresses outside private
// networks must carry ?key= matching one of several keys, so a key can be rotated by adding the
// new one beside the old.
package statusserver

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Check is one component of the release.
type Check struct {
	// Name identifies the component in the JSON body (e.g. "flowise", "postgresql").
	Name string
	// Kind is http, postgres, redis or s3.
	Kind string
	// Run returns nil when the component is healthy. Its context carries the check's timeout.
	// The error text reaches the response: it must not contain secrets (see Scrub).
	Run func(ctx context.Context) error
}

// Result is one component's line of the report.
type Result struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Status   string `json:"status"` // healthy or unhealthy
	Error    string `json:"error,omitempty"`
	Duration string `json:"duration"`
}

// Report is the JSON body of a status response.
type Report struct {
	Status     string   `json:"status"` // healthy when every component is
	Components []Result `json:"components"`
}

// Healthy reports whether every component is healthy.
func (r Report) Healthy() bool { return r.Status == "healthy" }

// Keys are the accepted keys, read anew on every request that needs one: a file (a mounted
// Secret, which the kubelet updates in place when the Secret changes) and/or an environment
// variable (fixed for the life of the process). Both hold comma-separated keys.
type Keys struct {
	File string
	Env  string
}

// Load returns the current keys; none is not an error (then no key is accepted).
func (k Keys) Load() ([]string, error) {
	var raw []string
	if k.File != "" {
		b, err := os.ReadFile(k.File)
		if err != nil {
			return nil, fmt.Errorf("read keys file: %w", err)
		}
		raw = append(raw, string(b))
	}
	if k.Env != "" {
		raw = append(raw, os.Getenv(k.Env))
	}
	var keys []string
	for _, r := range raw {
		for _, key := range strings.Split(r, ",") {
			if key = strings.TrimSpace(key); key != "" {
				keys = append(keys, key)
			}
		}
	}
	return keys, nil
}

// Config configures a Server.
type Config struct {
	Checks []Check
	// CheckTimeout bounds each check; checks run concurrently.
	CheckTimeout time.Duration
	Keys         Keys
	// TrustedProxies are the peers whose X-Forwarded-For is believed (ingress controllers,
	// load balancers). Empty: the header is ignored.
	TrustedProxies []netip.Prefix
	Logger         *slog.Logger
}

// Server is the status endpoint's http.Handler.
type Server struct {
	cfg      Config
	log      *slog.Logger
	requests atomic.Int64

	mu       sync.Mutex
	inflight *run // the checks under way; concurrent requests share them
}

type run struct {
	done   chan struct{}
	report Report
}

// New returns a Server; Logger defaults to slog.Default.
func New(cfg Config) *Server {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Server{cfg: cfg, log: log}
}

// Requests is the number of status requests served so far.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Check runs every check concurrently, each under CheckTimeout. Requests arriving while a run is
// under way wait for it and share its report, so a burst of requests costs one round of checks.
func (s *Server) Check(ctx context.Context) Report {
	s.mu.Lock()
	if r := s.inflight; r != nil {
		s.mu.Unlock()
		select {
		case <-r.done:
			return r.report
		case <-ctx.Done():
			return s.cancelled(ctx)
		}
	}
	r := &run{done: make(chan struct{})}
	s.inflight = r
	s.mu.Unlock()

	// Detached from the request: a client that hangs up must not fail the run others share.
	r.report = s.checkAll(context.WithoutCancel(ctx))
	s.mu.Lock()
	s.inflight = nil
	s.mu.Unlock()
	close(r.done)
	return r.report
}

func (s *Server) cancelled(ctx context.Context) Report {
	rep := Report{Status: "unhealthy", Components: []Result{}}
	for _, c := range s.cfg.Checks {
		rep.Components = append(rep.Components, Result{Name: c.Name, Kind: c.Kind, Status: "unhealthy", Error: ctx.Err().Error(), Duration: "0s"})
	}
	return rep
}

func (s *Server) checkAll(ctx context.Context) Report {
	results := make([]Result, len(s.cfg.Checks))
	var wg sync.WaitGroup
	for i, c := range s.cfg.Checks {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, s.cfg.CheckTimeout)
			defer cancel()
			start := time.Now()
			err := runCheck(cctx, c)
			res := Result{Name: c.Name, Kind: c.Kind, Status: "healthy", Duration: time.Since(start).Round(time.Millisecond).String()}
			if err != nil {
				if cctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
					err = fmt.Errorf("no answer within %s: %w", s.cfg.CheckTimeout, err)
				}
				res.Status, res.Error = "unhealthy", err.Error()
				s.log.Warn("component unhealthy", "component", c.Name, "kind", c.Kind, "error", res.Error, "duration", res.Duration)
			}
			results[i] = res
		})
	}
	wg.Wait()
	rep := Report{Status: "healthy", Components: results}
	for _, r := range results {
		if r.Status != "healthy" {
			rep.Status = "unhealthy"
		}
	}
	return rep
}

// runCheck runs c, turning a panic into an error so one broken check cannot stop the server.
func runCheck(ctx context.Context, c Check) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("check panicked: %v", p)
		}
	}()
	return c.Run(ctx)
}

// ServeHTTP answers GET / (and /status) with the report, and /healthz with 200 when the server
// itself runs (for its own probes; no checks, no key).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"status": "error", "error": "use GET"})
		return
	}
	switch r.URL.Path {
	case "/healthz":
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		return
	case "/", "/status":
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"status": "error", "error": "not found: the status is at /"})
		return
	}
	start := time.Now()
	s.requests.Add(1)
	client, viaProxy := s.ClientAddr(r)
	log := s.log.With("client", client.String(), "peer", r.RemoteAddr, "forwarded", viaProxy)
	private := IsPrivate(client)
	if !private {
		code, msg := s.authorize(r.URL.Query().Get("key"))
		if code != http.StatusOK {
			log.Warn("status request refused", "code", code, "reason", msg)
			writeJSON(w, code, map[string]string{"status": "error", "error": msg})
			return
		}
	}
	rep := s.Check(r.Context())
	code := http.StatusOK
	if !rep.Healthy() {
		code = http.StatusInternalServerError
	}
	writeJSON(w, code, rep)
	log.Info("status request", "code", code, "private", private, "status", rep.Status, "duration", time.Since(start).Round(time.Millisecond).String())
}

// authorize checks a key from outside private networks against every accepted key, in constant
// time (hashes of equal length are compared, all of them, whatever matched).
func (s *Server) authorize(given string) (int, string) {
	if given == "" {
		return http.StatusUnauthorized, "a key is required from outside private networks: add ?key="
	}
	keys, err := s.cfg.Keys.Load()
	if err != nil {
		s.log.Error("cannot read the status keys", "error", err)
		return http.StatusServiceUnavailable, "the status keys cannot be read"
	}
	g := sha256.Sum256([]byte(given))
	match := 0
	for _, k := range keys {
		h := sha256.Sum256([]byte(k))
		match |= subtle.ConstantTimeCompare(g[:], h[:])
	}
	if match != 1 {
		return http.StatusForbidden, "wrong key"
	}
	return http.StatusOK, ""
}

// ClientAddr is the request's client: the direct peer, or, when the peer is a trusted proxy, the
// rightmost X-Forwarded-For address that is not a trusted proxy. A malformed header gives the
// invalid address, which counts as public. viaProxy says the header was used.
func (s *Server) ClientAddr(r *http.Request) (addr netip.Addr, viaProxy bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, false
	}
	peer := ap.Addr().Unmap()
	if !s.trusted(peer) {
		return peer, false
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	if len(hops) == 0 {
		return peer, false
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, true
		}
		client = a.Unmap()
		if !s.trusted(client) {
			break
		}
	}
	return client, true
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// IsPrivate reports addresses reserved for private use: RFC 1918, loopback, link-local and IPv6
// unique local addresses (fc00::/7).
func IsPrivate(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsValid() && (a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast())
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// Serve serves h on ln until ctx ends (SIGTERM), then shuts down gracefully: it stops accepting,
// lets requests under way finish for up to grace, and returns.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, writeTimeout, grace time.Duration, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", grace.String())
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	}
	return nil
}
