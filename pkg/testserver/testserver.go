// Package testserver holds what pgtest and redistest share: one throwaway server per test
// binary, started before the tests and stopped after them; tests that need it skip loudly when
// its binaries are missing, and with CI=true a missing server fails the whole package instead.
package testserver

import (
	"errors"
	"fmt"
	"net"
	"os"
	"testing"
)

// Shared is the one server of a test binary.
type Shared[S any] struct {
	Name    string // "pgtest", "redistest": prefixes messages
	What    string // "DATABASE", "REDIS": what is skipped, in the loud message
	Install string // how to get the binaries, for the CI failure
	Missing error  // the error start returns when the binaries are missing

	server S
	up     bool
	skip   string
}

// Run starts the server, calls run (the tests, or an inner harness) and stops the server; it
// returns run's exit code, or 1 when the server cannot start (or is missing with CI=true).
func (h *Shared[S]) Run(start func() (S, error), stop func(S), run func() int) int {
	s, err := start()
	switch {
	case errors.Is(err, h.Missing):
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "%s: FATAL: %v; CI=true must not skip %s tests (%s)\n", h.Name, err, h.What, h.Install)
			return 1
		}
		h.skip = err.Error()
		fmt.Fprintf(os.Stderr, "\n*** %s: %v: %s TESTS ARE SKIPPED ***\n\n", h.Name, err, h.What)
	case err != nil:
		fmt.Fprintf(os.Stderr, "%s: %v\n", h.Name, err)
		return 1
	default:
		h.server, h.up = s, true
		defer stop(s)
	}
	return run()
}

// Require returns the server, or skips the test (loudly) when its binaries are missing.
func (h *Shared[S]) Require(t testing.TB) S {
	t.Helper()
	if !h.up {
		if h.skip == "" {
			t.Fatalf("%s: no server: call %s's Run or Main from TestMain", h.Name, h.Name)
		}
		t.Skipf("SKIPPED, NO %s: %s", h.What, h.skip)
	}
	return h.server
}

// FreePort returns a loopback port that was just free. A server may still lose it to another
// process before it binds, so callers retry their start a few times.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
