//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// env is what cluster-up.sh recorded in $E2E_DIR/cluster.env.
var env struct {
	RepoRoot   string
	Dir        string // E2E_DIR
	Kubeconfig string
	Registry   string // host:port of the loopback OCI registry
	ToolsBin   string
	Work       string // scratch space for this run
}

func TestMain(m *testing.M) {
	if err := setup(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e setup FAILED: %v\n(start the plane with `make cluster-up`, or run everything with `make e2e`)\n", err)
		os.Exit(1)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := startHookRunner(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "e2e setup FAILED: hook runner: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	cancel()
	os.Exit(code)
}

func setup() error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root := wd
	for {
		if b, err := os.ReadFile(filepath.Join(root, "go.mod")); err == nil && bytes.Contains(b, []byte("module github.com/flotilla/flotilla")) {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			return fmt.Errorf("repository root (go.mod of github.com/flotilla/flotilla) not found above %s", wd)
		}
		root = parent
	}
	env.RepoRoot = root
	env.Dir = os.Getenv("E2E_DIR")
	if env.Dir == "" {
		env.Dir = filepath.Join(root, "build", "e2e")
	} else if !filepath.IsAbs(env.Dir) {
		env.Dir = filepath.Join(root, env.Dir)
	}
	vars, err := readEnvFile(filepath.Join(env.Dir, "cluster.env"))
	if err != nil {
		return fmt.Errorf("reading the plane's cluster.env: %w", err)
	}
	env.Kubeconfig, env.Registry, env.ToolsBin = vars["KUBECONFIG"], vars["E2E_REGISTRY"], vars["TOOLS_BIN"]
	if env.Kubeconfig == "" || env.Registry == "" || env.ToolsBin == "" {
		return fmt.Errorf("cluster.env lacks KUBECONFIG, E2E_REGISTRY or TOOLS_BIN: %v", vars)
	}
	env.Work = filepath.Join(env.Dir, "work")
	if err := os.RemoveAll(env.Work); err != nil {
		return err
	}
	helmHome := filepath.Join(env.Dir, "helm-home")
	for _, d := range []string{env.Work, helmHome} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	// Every child process (helm, kubectl, ct) talks to the e2e plane only and keeps its state
	// under the build dir: never ~/.kube or ~/.config/helm.
	set := map[string]string{
		"KUBECONFIG":           env.Kubeconfig,
		"PATH":                 env.ToolsBin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HELM_CACHE_HOME":      filepath.Join(helmHome, "cache"),
		"HELM_CONFIG_HOME":     filepath.Join(helmHome, "config"),
		"HELM_DATA_HOME":       filepath.Join(helmHome, "data"),
		"HELM_REGISTRY_CONFIG": filepath.Join(helmHome, "registry.json"),
		"CT_CONFIG_DIR":        filepath.Join(env.ToolsBin, "ct-etc"),
	}
	for k, v := range set {
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	for _, tool := range []string{"helm", "kubectl", "ct"} {
		if p, err := exec.LookPath(tool); err != nil || filepath.Dir(p) != env.ToolsBin {
			return fmt.Errorf("%s must come from %s (found %q, %v)", tool, env.ToolsBin, p, err)
		}
	}
	if _, err := runCmd(context.Background(), "", nil, "kubectl", "get", "--raw", "/readyz"); err != nil {
		return fmt.Errorf("the plane is not ready: %w", err)
	}
	return nil
}

func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		}
	}
	return out, sc.Err()
}

// runCmd runs name args in dir (repo root when empty) with stdin, and returns its stdout. The
// error names the command and carries its stderr and stdout.
func runCmd(ctx context.Context, dir string, stdin []byte, name string, args ...string) (string, error) {
	out, _, err := runCmd3(ctx, dir, stdin, name, args...)
	return out, err
}

// runCmd3 is runCmd returning stderr as well.
func runCmd3(ctx context.Context, dir string, stdin []byte, name string, args ...string) (string, string, error) {
	if dir == "" {
		dir = env.RepoRoot
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.WaitDelay = 5 * time.Second
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if err != nil {
		return out.String(), errOut.String(), fmt.Errorf("`%s %s` failed: %w\n  stderr:\n%s\n  stdout:\n%s", name, strings.Join(args, " "), err, indent(errOut.String()), indent(out.String()))
	}
	return out.String(), errOut.String(), nil
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return "    (no output)"
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// cmdTimeout bounds any single helm/kubectl/ct call.
const cmdTimeout = 8 * time.Minute

// must runs a command as the named step, stops the test when it fails, and returns its stdout.
func must(t *testing.T, step string, stdin []byte, name string, args ...string) string {
	t.Helper()
	out, err := try(t, step, stdin, name, args...)
	if err != nil {
		t.Fatalf("STEP FAILED: %s: %v", step, err)
	}
	return out
}

// mustAll is must returning stdout and stderr together (to look for warnings).
func mustAll(t *testing.T, step string, stdin []byte, name string, args ...string) string {
	t.Helper()
	out, errOut, err := try3(t, step, stdin, name, args...)
	if err != nil {
		t.Fatalf("STEP FAILED: %s: %v", step, err)
	}
	return out + errOut
}

// try runs a command as the named step and returns its stdout and error (whose text carries
// stderr), for expected failures.
func try(t *testing.T, step string, stdin []byte, name string, args ...string) (string, error) {
	t.Helper()
	out, _, err := try3(t, step, stdin, name, args...)
	return out, err
}

func try3(t *testing.T, step string, stdin []byte, name string, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	start := time.Now()
	out, errOut, err := runCmd3(ctx, "", stdin, name, args...)
	t.Logf("step %q: %s %s (%.1fs)", step, name, strings.Join(args, " "), time.Since(start).Seconds())
	return out, errOut, err
}
