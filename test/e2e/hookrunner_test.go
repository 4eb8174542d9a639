//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// migrateComponent labels the pods of flotilla.statefulsetMigration's pre-upgrade Job.
const migrateComponent = "statefulset-migrate"

// hookRunner plays the kubelet for the pods of the charts' statefulset-migrate Job: kwok runs no
// containers (hack/e2e/kwok-stages.yaml leaves these pods Running instead of completing them),
// so the harness runs the container's flotilla-hook command on the host, built from the working
// tree, as the pod's ServiceAccount (a token from the TokenRequest API, the plane's CA), then sets
// the pod's phase from the exit code, and the Job controller completes or retries the Job. What
// is tested for real: the command, the Role the chart gives it, and the upgrade that needs it.
type hookRunner struct {
	log  *os.File
	mu   sync.Mutex
	done map[string]bool // pod UIDs handled
	runs map[string]int  // namespace -> pods run, for the tests
}

var runner *hookRunner

// startHookRunner polls for statefulset-migrate pods until ctx ends.
func startHookRunner(ctx context.Context) error {
	f, err := os.Create(filepath.Join(env.Dir, "hook-runner.log"))
	if err != nil {
		return err
	}
	runner = &hookRunner{log: f, done: map[string]bool{}, runs: map[string]int{}}
	go func() {
		for {
			select {
			case <-ctx.Done():
				f.Close()
				return
			case <-time.After(500 * time.Millisecond):
			}
			runner.poll(ctx)
		}
	}()
	return nil
}

// ranIn says how many statefulset-migrate pods the runner ran in ns.
func (r *hookRunner) ranIn(ns string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.runs[ns]
}

func (r *hookRunner) logf(format string, args ...any) {
	fmt.Fprintf(r.log, time.Now().UTC().Format(time.RFC3339)+" "+format+"\n", args...)
}

type migratePod struct {
	Metadata struct {
		Name, Namespace, UID string
	}
	Spec struct {
		ServiceAccountName string
		Containers         []struct {
			Name string
			Args []string
		}
	}
	Status struct{ Phase string }
}

func (r *hookRunner) poll(ctx context.Context) {
	out, err := runCmd(ctx, "", nil, "kubectl", "get", "pods", "--all-namespaces", "-l", "app.kubernetes.io/component="+migrateComponent, "-o", "json")
	if err != nil {
		r.logf("list pods: %v", err)
		return
	}
	var list struct{ Items []migratePod }
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		r.logf("parse pods: %v", err)
		return
	}
	for _, p := range list.Items {
		if p.Status.Phase != "Running" || r.done[p.Metadata.UID] {
			continue
		}
		r.done[p.Metadata.UID] = true
		code, output := r.run(ctx, p)
		r.logf("pod %s/%s: exit %d\n%s", p.Metadata.Namespace, p.Metadata.Name, code, indent(output))
		r.mu.Lock()
		r.runs[p.Metadata.Namespace]++
		r.mu.Unlock()
		phase, reason := "Succeeded", "Completed"
		if code != 0 {
			phase, reason = "Failed", "Error"
		}
		now := time.Now().UTC().Format(time.RFC3339)
		status := map[string]any{"status": map[string]any{"phase": phase, "containerStatuses": []any{map[string]any{
			"name": p.Spec.Containers[0].Name, "image": "flotilla-hook", "imageID": "", "ready": false, "restartCount": 0, "started": false,
			"state": map[string]any{"terminated": map[string]any{"exitCode": code, "reason": reason, "startedAt": now, "finishedAt": now}},
		}}}}
		patch, _ := json.Marshal(status)
		if _, err := runCmd(ctx, "", nil, "kubectl", "patch", "pod", p.Metadata.Name, "--namespace", p.Metadata.Namespace,
			"--subresource=status", "--type=merge", "-p", string(patch)); err != nil {
			r.logf("set the phase of %s/%s: %v", p.Metadata.Namespace, p.Metadata.Name, err)
		}
	}
}

// run executes the pod's container on the host as its ServiceAccount: exit code and output.
func (r *hookRunner) run(ctx context.Context, p migratePod) (int, string) {
	bin, err := goBinary("./cmd/flotilla-hook")
	if err != nil {
		return 1, err.Error()
	}
	server, err := runCmd(ctx, "", nil, "kubectl", "config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}")
	if err != nil {
		return 1, err.Error()
	}
	caFile, err := runCmd(ctx, "", nil, "kubectl", "config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.certificate-authority}")
	if err != nil {
		return 1, err.Error()
	}
	u, err := url.Parse(strings.TrimSpace(server))
	if err != nil {
		return 1, err.Error()
	}
	token, err := runCmd(ctx, "", nil, "kubectl", "create", "token", p.Spec.ServiceAccountName, "--namespace", p.Metadata.Namespace, "--duration=10m")
	if err != nil {
		return 1, err.Error()
	}
	dir, err := os.MkdirTemp(env.Work, "sa-")
	if err != nil {
		return 1, err.Error()
	}
	defer os.RemoveAll(dir)
	ca, err := os.ReadFile(strings.TrimSpace(caFile))
	if err != nil {
		return 1, err.Error()
	}
	for name, data := range map[string][]byte{"token": []byte(token), "namespace": []byte(p.Metadata.Namespace), "ca.crt": ca} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return 1, err.Error()
		}
	}
	args := append(append([]string{}, p.Spec.Containers[0].Args...), "--service-account-dir="+dir)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "KUBERNETES_SERVICE_HOST="+u.Hostname(), "KUBERNETES_SERVICE_PORT="+u.Port())
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	case err != nil:
		return 1, err.Error() + "\n" + string(out)
	}
	return 0, string(out)
}
