//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// haNodes are the extra kwok nodes TestHighAvailability schedules on: three nodes in two zones,
// labelled so only the test's releases (nodeSelector) land there.
var haNodes = []struct{ Name, Zone string }{
	{"kwok-ha-1", "zone-a"}, {"kwok-ha-2", "zone-b"}, {"kwok-ha-3", "zone-a"},
}

const haNodeLabel = "flotilla.dev/e2e-ha"

// haComponents are, per chart, the components the profile replicates (checked for spread), and
// the one whose PodDisruptionBudget the drain test exercises first.
var haComponents = map[string][]string{
	"flowise":   {"main", "worker"},
	"flagsmith": {"api", "task-processor", "frontend", "pgbouncer"},
	"flowkit":   {"flowapi", "flowauth", "flowmachine"},
}

// TestHighAvailability installs each chart's high-availability example on three extra kwok
// nodes in two zones and checks what the profile promises: each replicated component's pods on
// three nodes in both zones, NetworkPolicies accepted by the apiserver, `kubectl drain` of one
// node succeeding (one pod per component at a time), and the PodDisruptionBudget refusing, through
// the eviction API, a second pod of a component whose replacement cannot start.
func TestHighAvailability(t *testing.T) {
	createHANodes(t)
	for _, c := range charts(t) {
		comps, ok := haComponents[c.Name]
		if !c.Product || !ok {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			example := filepath.Join(env.RepoRoot, "examples", c.Name, "high-availability.yaml")
			pushChart(t, c)
			ns := freshNamespace(t, "e2e-ha-"+c.Name)
			const rel = "ha"
			createSecrets(t, ns, ociArgs(c), []string{example})
			recyclePVs(t)
			install := append([]string{"install", rel}, ociArgs(c)...)
			install = append(install, "--namespace", ns, "--wait", "--wait-for-jobs", "--timeout", "5m", "-f", example,
				"--set-string", "nodeSelector."+strings.ReplaceAll(haNodeLabel, ".", `\.`)+"=true")
			mustIn(t, ns, "helm install (high availability)", "helm", install...)
			checkWorkloadsReady(t, ns)

			// NetworkPolicies: on by default, accepted by the apiserver (the install created them).
			pols := strings.Fields(mustIn(t, ns, "list NetworkPolicies", "kubectl", "get", "networkpolicies", "--namespace", ns, "-o", "name"))
			if len(pols) == 0 {
				t.Fatalf("no NetworkPolicy in %s", ns)
			}
			t.Logf("NetworkPolicies: %v", pols)

			// Spread: every replicated component on three nodes in two zones.
			zoneOf := map[string]string{}
			for _, n := range haNodes {
				zoneOf[n.Name] = n.Zone
			}
			for _, comp := range comps {
				nodes := podNodes(t, ns, rel, comp)
				zones := map[string]bool{}
				distinct := map[string]bool{}
				for _, n := range nodes {
					distinct[n] = true
					zones[zoneOf[n]] = true
				}
				if len(nodes) < 3 || len(distinct) < 3 || len(zones) < 2 {
					t.Errorf("%s: pods on nodes %v: want at least 3 pods on 3 distinct nodes in 2 zones", comp, nodes)
				}
			}

			// Drain: with the other nodes cordoned the evicted pods cannot be replaced, so after
			// the drain of one node each component is at its budget's limit.
			first := comps[0]
			waitDisruptionsAllowed(t, ns, rel, first, 1)
			for _, n := range haNodes[1:] {
				must(t, "cordon "+n.Name, nil, "kubectl", "cordon", n.Name)
			}
			t.Cleanup(func() {
				for _, n := range haNodes {
					if _, err := try(t, "uncordon "+n.Name, nil, "kubectl", "uncordon", n.Name); err != nil {
						t.Logf("WARNING: %v", err)
					}
				}
			})
			drained := haNodes[0].Name
			must(t, "kubectl drain "+drained, nil, "kubectl", "drain", drained, "--pod-selector", "app.kubernetes.io/instance="+rel,
				"--ignore-daemonsets", "--delete-emptydir-data", "--timeout", "3m")
			victim := ""
			for _, p := range podsOf(t, ns, rel, first) {
				if p.Node != drained && p.Node != "" && p.Phase == "Running" {
					victim = p.Name
					break
				}
			}
			if victim == "" {
				t.Fatalf("no running %s pod left on another node", first)
			}
			eviction := fmt.Sprintf(`{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":%q,"namespace":%q}}`, victim, ns)
			_, err := try(t, "evict a second "+first+" pod", []byte(eviction), "kubectl", "create", "--raw",
				fmt.Sprintf("/api/v1/namespaces/%s/pods/%s/eviction", ns, victim), "-f", "-")
			if err == nil {
				t.Fatalf("evicting %s (a second %s pod while one is missing) succeeded: the PodDisruptionBudget should refuse it", victim, first)
			}
			if !strings.Contains(err.Error(), "disruption budget") {
				t.Fatalf("evicting %s failed, but not on the disruption budget: %v", victim, err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if strings.Contains(line, "disruption budget") {
					t.Logf("second eviction refused as expected: %s", strings.TrimSpace(line))
				}
			}

			// Back to full strength once the nodes are schedulable again.
			for _, n := range haNodes {
				must(t, "uncordon "+n.Name, nil, "kubectl", "uncordon", n.Name)
			}
			checkWorkloadsReady(t, ns)
		})
	}
}

// createHANodes adds the three labelled kwok nodes and deletes them when the test ends.
func createHANodes(t *testing.T) {
	t.Helper()
	var docs []string
	for _, n := range haNodes {
		docs = append(docs, fmt.Sprintf(`apiVersion: v1
kind: Node
metadata:
  name: %[1]s
  annotations:
    node.alpha.kubernetes.io/ttl: "0"
    kwok.x-k8s.io/node: fake
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: %[1]s
    kubernetes.io/os: linux
    type: kwok
    topology.kubernetes.io/zone: %[2]s
    %[3]s: "true"
status:
  allocatable: {cpu: "64", memory: 256Gi, pods: "1000", ephemeral-storage: 1Ti}
  capacity: {cpu: "64", memory: 256Gi, pods: "1000", ephemeral-storage: 1Ti}
`, n.Name, n.Zone, haNodeLabel))
	}
	must(t, "create HA kwok nodes", []byte(strings.Join(docs, "---\n")), "kubectl", "apply", "-f", "-")
	t.Cleanup(func() {
		for _, n := range haNodes {
			if _, err := try(t, "delete node "+n.Name, nil, "kubectl", "delete", "node", n.Name, "--wait=false"); err != nil {
				t.Logf("WARNING: %v", err)
			}
		}
	})
	for _, n := range haNodes {
		must(t, "node "+n.Name+" Ready", nil, "kubectl", "wait", "--for=condition=Ready", "node/"+n.Name, "--timeout=90s")
	}
}

type podInfo struct{ Name, Node, Phase string }

// podsOf lists the pods of one component of release rel that are not being deleted.
func podsOf(t *testing.T, ns, rel, component string) []podInfo {
	t.Helper()
	out := must(t, "list "+component+" pods", nil, "kubectl", "get", "pods", "--namespace", ns, "-o", "json",
		"-l", fmt.Sprintf("app.kubernetes.io/instance=%s,app.kubernetes.io/component=%s", rel, component))
	var list struct {
		Items []struct {
			Metadata struct {
				Name              string
				DeletionTimestamp *string
			}
			Spec   struct{ NodeName string }
			Status struct{ Phase string }
		}
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("parsing pods: %v", err)
	}
	var pods []podInfo
	for _, p := range list.Items {
		if p.Metadata.DeletionTimestamp == nil {
			pods = append(pods, podInfo{p.Metadata.Name, p.Spec.NodeName, p.Status.Phase})
		}
	}
	return pods
}

// podNodes lists the nodes the component's pods run on, sorted.
func podNodes(t *testing.T, ns, rel, component string) []string {
	t.Helper()
	var nodes []string
	for _, p := range podsOf(t, ns, rel, component) {
		nodes = append(nodes, p.Node)
	}
	sort.Strings(nodes)
	t.Logf("%s pods on %v", component, nodes)
	return nodes
}

// waitDisruptionsAllowed waits until the disruption controller reports want allowed disruptions
// for the component's PodDisruptionBudget (it counts healthy pods once they are Ready).
func waitDisruptionsAllowed(t *testing.T, ns, rel, component string, want int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		out := must(t, "PDB status", nil, "kubectl", "get", "pdb", "--namespace", ns, "-o", "json",
			"-l", fmt.Sprintf("app.kubernetes.io/instance=%s,app.kubernetes.io/component=%s", rel, component))
		var list struct {
			Items []struct {
				Status struct{ DisruptionsAllowed, CurrentHealthy, ExpectedPods int }
			}
		}
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("parsing PDBs: %v", err)
		}
		if len(list.Items) != 1 {
			t.Fatalf("want one PodDisruptionBudget for %s, got %d", component, len(list.Items))
		}
		s := list.Items[0].Status
		if s.DisruptionsAllowed == want {
			t.Logf("%s PDB: %d healthy of %d, %d disruption(s) allowed", component, s.CurrentHealthy, s.ExpectedPods, s.DisruptionsAllowed)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s PDB: %d disruption(s) allowed, want %d (%d healthy of %d)", component, s.DisruptionsAllowed, want, s.CurrentHealthy, s.ExpectedPods)
		}
		time.Sleep(time.Second)
	}
}
