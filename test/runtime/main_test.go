//go:build runtime

package runtime

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// env is what TestMain prepared for every test.
var env struct {
	Root       string // repository root
	FlowiseDir string // the installed npm tree (node_modules/.bin/flowise)
	Hook       string // the flotilla-hook binary built from this tree
	Work       string // scratch space, traversable by the pods' users
}

func TestMain(m *testing.M) {
	if err := setup(); err != nil {
		fmt.Fprintf(os.Stderr, "runtime setup FAILED: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	if code == 0 && os.Getenv("RUNTIME_KEEP") == "" {
		_ = os.RemoveAll(env.Work)
	} else {
		fmt.Fprintf(os.Stderr, "runtime: process logs and volumes kept in %s\n", env.Work)
	}
	os.Exit(code)
}

func setup() error {
	root, err := filepath.Abs("../..")
	if err != nil {
		return err
	}
	env.Root = root
	// Not t.TempDir(): the pods' users must traverse it, and failed runs keep it for diagnosis.
	if env.Work, err = os.MkdirTemp("", "flotilla-runtime-"); err != nil {
		return err
	}
	if err := os.Chmod(env.Work, 0o755); err != nil {
		return err
	}
	for _, bin := range []string{"node", "npm", "redis-server", "openssl"} {
		if _, err := exec.LookPath(bin); err != nil {
			return fmt.Errorf("%s not found: run `make deps` (hack/deps.sh installs nodejs, npm, redis-server, openssl)", bin)
		}
	}

	t0 := time.Now()
	out, err := exec.Command(filepath.Join(root, "hack/runtime/install-flowise.sh")).Output()
	if err != nil {
		return fmt.Errorf("hack/runtime/install-flowise.sh: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	installed := lines[len(lines)-1]
	fmt.Fprintf(os.Stderr, "runtime: flowise installed in %s (%s)\n", installed, time.Since(t0).Round(time.Second))
	if env.FlowiseDir, err = stageForOthers(installed); err != nil {
		return err
	}

	env.Hook = filepath.Join(env.Work, "bin", "flotilla-hook")
	build := exec.Command("go", "build", "-o", env.Hook, "./cmd/flotilla-hook")
	build.Dir, build.Env = root, append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("build flotilla-hook: %w\n%s", err, out)
	}
	return os.Chmod(filepath.Dir(env.Hook), 0o755)
}

// stageForOthers returns dir, or a hard-linked copy of it when a parent directory (root's 0700
// $HOME) keeps the pods' unprivileged users out. The copy is kept next to the cache's key, so
// it is made once per installed version.
func stageForOthers(dir string) (string, error) {
	if os.Geteuid() != 0 || traversable(dir) {
		return dir, nil
	}
	staged := filepath.Join(os.TempDir(), "flotilla-runtime-flowise", filepath.Base(dir))
	marker := filepath.Join(staged, ".flotilla-complete")
	if _, err := os.Stat(marker); err == nil {
		return staged, nil
	}
	t0 := time.Now()
	_ = os.RemoveAll(staged)
	if err := os.MkdirAll(filepath.Dir(staged), 0o755); err != nil {
		return "", err
	}
	tmp := staged + ".tmp"
	_ = os.RemoveAll(tmp)
	// Hard links cost no space; across file systems fall back to a copy.
	if out, err := exec.Command("cp", "-al", dir, tmp).CombinedOutput(); err != nil {
		_ = os.RemoveAll(tmp)
		if out2, err2 := exec.Command("cp", "-a", dir, tmp).CombinedOutput(); err2 != nil {
			return "", fmt.Errorf("stage %s: cp -al: %v %s; cp -a: %v %s", dir, err, out, err2, out2)
		}
	}
	if err := os.Rename(tmp, staged); err != nil {
		return "", err
	}
	fmt.Fprintf(os.Stderr, "runtime: staged %s at %s for the pods' users (%s)\n", dir, staged, time.Since(t0).Round(time.Second))
	return staged, nil
}

// traversable reports whether every parent of dir lets other users through.
func traversable(dir string) bool {
	for d := dir; d != filepath.Dir(d); d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil || st.Mode().Perm()&0o001 == 0 {
			return false
		}
	}
	return true
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
