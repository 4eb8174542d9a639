// Package redistest runs tests against a real, throwaway redis-server.
//
// A test package's TestMain calls Run: it starts one redis-server (the Debian package
// redis-server) on 127.0.0.1, on a free port, with a temporary directory, no persistence and
// a random password, runs the tests and stops it. Tests take it with Require.
//
// Tests skip only when no redis-server binary exists, and say so loudly; with CI=true a
// missing redis-server fails the package instead.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/flotilla/flotilla/pkg/testserver"
)

// Server is a running redis-server reachable over TCP on 127.0.0.1.
type Server struct {
	Host     string
	Port     int
	Password string
	dir      string
	cmd      *exec.Cmd
}

// ErrNoRedis reports that no redis-server binary was found.
var ErrNoRedis = errors.New("no redis-server binary found on PATH (Debian package redis-server; make deps installs it)")

var shared = testserver.Shared[*Server]{Name: "redistest", What: "REDIS",
	Install: "install the Debian package redis-server", Missing: ErrNoRedis}

// Run starts the shared server, calls run (the tests, or an inner harness such as pgtest.Run)
// and stops the server; it returns run's exit code.
func Run(run func() int) int { return shared.Run(Start, (*Server).Stop, run) }

// Require returns the shared server, or skips the test (loudly) when no redis-server exists.
func Require(t testing.TB) *Server {
	t.Helper()
	return shared.Require(t)
}

// Start starts a throwaway redis-server; Stop ends it.
func Start() (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, ErrNoRedis
	}
	dir, err := os.MkdirTemp("", "flotilla-redistest-")
	if err != nil {
		return nil, fmt.Errorf("make redis dir: %w", err)
	}
	pw := make([]byte, 12)
	_, _ = rand.Read(pw)
	s := &Server{Host: "127.0.0.1", Password: hex.EncodeToString(pw), dir: dir}
	// A port can be taken between Listen and the server's bind; retry a few times.
	var lastErr error
	for range 3 {
		if lastErr = s.start(bin); lastErr == nil {
			return s, nil
		}
	}
	s.Stop()
	return nil, lastErr
}

func (s *Server) start(bin string) error {
	port, err := testserver.FreePort()
	if err != nil {
		return err
	}
	log := filepath.Join(s.dir, "redis.log")
	s.cmd = exec.Command(bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--dir", s.dir,
		"--save", "", "--appendonly", "no", "--requirepass", s.Password, "--logfile", log)
	dieWithParent(s.cmd)
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()
	s.Port = port
	c := redis.NewClient(s.Options())
	defer c.Close()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		select {
		case werr := <-exited:
			out, _ := os.ReadFile(log)
			s.cmd = nil
			return fmt.Errorf("redis-server exited: %v\n%s", werr, out)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("redis-server on port %d not ready after 15s: %w", port, err)
}

// Stop ends the server and removes its directory.
func (s *Server) Stop() {
	if s == nil {
		return
	}
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
	}
	_ = os.RemoveAll(s.dir)
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Options are go-redis options for the server (database 0, as FlowMachine uses).
func (s *Server) Options() *redis.Options {
	return &redis.Options{Addr: s.Addr(), Password: s.Password}
}

// Client opens a client closed when the test ends.
func (s *Server) Client(t testing.TB) *redis.Client {
	t.Helper()
	c := redis.NewClient(s.Options())
	t.Cleanup(func() { _ = c.Close() })
	return c
}
