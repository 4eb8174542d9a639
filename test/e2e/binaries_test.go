//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// builtBinary is one main package, built once per test binary run.
type builtBinary struct {
	once sync.Once
	path string
	err  error
}

var binaries sync.Map // "./cmd/NAME" → *builtBinary

// goBinary builds the main package pkg ("./cmd/NAME") into the work directory's bin/ once per
// test binary run, for the tests and the hook runner alike, and returns its path.
func goBinary(pkg string) (string, error) {
	v, _ := binaries.LoadOrStore(pkg, &builtBinary{})
	b := v.(*builtBinary)
	b.once.Do(func() {
		b.path = filepath.Join(env.Work, "bin", filepath.Base(pkg))
		ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
		defer cancel()
		if _, err := runCmd(ctx, "", nil, "go", "build", "-o", b.path, pkg); err != nil {
			b.err = fmt.Errorf("go build %s: %w", pkg, err)
		}
	})
	return b.path, b.err
}

// mustBinary is goBinary for a test: a build failure fails the test.
func mustBinary(t *testing.T, pkg string) string {
	t.Helper()
	p, err := goBinary(pkg)
	if err != nil {
		t.Fatalf("STEP FAILED: %v", err)
	}
	return p
}

// flotilla is the CLI, as a user installs it.
func flotilla(t *testing.T) string { return mustBinary(t, "./cmd/flotilla") }

// flotillaHook is the companion binary: kwok runs no containers, so the tests run the hook
// Jobs' commands themselves, with the Jobs' arguments.
func flotillaHook(t *testing.T) string { return mustBinary(t, "./cmd/flotilla-hook") }
