//go:build e2e

package e2e

import (
	"path/filepath"
	"testing"
)

// TestStatusInstalls installs each chart with status.enabled on its richest example (the most
// checks: TLS CAs, Redis, S3 keys, several databases) into a restricted namespace: the status
// Deployment passes admission and becomes ready, every Secret item its projected volumes name
// exists, and its generated keys Secret survives an upgrade.
func TestStatusInstalls(t *testing.T) {
	examples := map[string]string{"flowise": "queue-external.yaml", "flowkit": "full.yaml", "flagsmith": "queue.yaml"}
	for _, c := range charts(t) {
		ex, ok := examples[c.Name]
		if !ok {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			pushChart(t, c)
			ns := freshNamespace(t, "e2e-status-"+c.Name)
			const rel = "st"
			values := []string{filepath.Join(env.RepoRoot, "examples", c.Name, ex)}
			createSecrets(t, ns, ociArgs(c), values)
			recyclePVs(t)
			args := append([]string{"install", rel}, ociArgs(c)...)
			args = append(args, "--namespace", ns, "--wait", "--wait-for-jobs", "--timeout", "5m", "--set", "status.enabled=true")
			args = append(args, valuesArgs(values)...)
			mustIn(t, ns, "helm install with status", "helm", args...)
			checkWorkloadsReady(t, ns)
			checkSecretRefs(t, ns)
			name := rel + "-" + c.Name + "-status"
			mustIn(t, ns, "status Deployment", "kubectl", "-n", ns, "rollout", "status", "deployment/"+name, "--timeout=60s")
			before := keptSecrets(t, ns)
			if _, ok := before[name]; !ok {
				t.Fatalf("no kept Secret %s with the status keys: %v", name, sortedKeys(before))
			}
			args[0] = "upgrade"
			mustIn(t, ns, "helm upgrade with status", "helm", args...)
			compareSecrets(t, "after helm upgrade", before, keptSecrets(t, ns))
		})
	}
}
