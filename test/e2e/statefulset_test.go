//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type e2eObject struct {
	Metadata struct {
		UID             string
		OwnerReferences []struct{ UID string }
	}
	Spec struct {
		ServiceName string
		ClusterIP   string
	}
}

func getObject(t *testing.T, ns, kind, name string) e2eObject {
	t.Helper()
	var o e2eObject
	out := must(t, "get "+kind+" "+name, nil, "kubectl", "get", kind, name, "--namespace", ns, "-o", "json")
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatalf("parse %s %s: %v", kind, name, err)
	}
	return o
}

// TestStatefulSetUpgrade upgrades Flagsmith with the bundled InfluxDB and Redis from a release
// before headless Services (beforeHeadless: their StatefulSets governed by their ClusterIP Services) to the working tree (headless
// governing Services): the pre-upgrade hook Job runs flotilla-hook kube recreate-statefulset
// (for real, as its ServiceAccount, see hookRunner), the upgrade succeeds, both StatefulSets
// have the new serviceName, InfluxDB's data claim is the same object, and the new StatefulSets
// own the pods.
func TestStatefulSetUpgrade(t *testing.T) {
	var c chartUnderTest
	for _, x := range charts(t) {
		if x.Name == "flagsmith" {
			c = x
		}
	}
	if c.Name == "" {
		t.Fatal("no flagsmith chart")
	}
	ref, why := beforeHeadless(t)
	prevDir := releasedAt(t, ref, why).charts[c.Name]
	if prevDir == "" {
		t.Fatalf("STEP FAILED: the release of %s (%s) has no flagsmith chart", ref, why)
	}
	ns := freshNamespace(t, "e2e-sts-upgrade")
	example := filepath.Join(env.RepoRoot, "examples", "flagsmith", "influxdb.yaml")
	createSecrets(t, ns, []string{prevDir}, []string{example})
	recyclePVs(t)
	const rel = "sts"
	args := append([]string{rel}, valuesArgs([]string{example})...)
	args = append(args, "--set", "redis.enabled=true", "--namespace", ns, "--wait", "--wait-for-jobs", "--timeout", "5m")
	must(t, "helm install previous", nil, "helm", append([]string{"install", rel, prevDir}, args[1:]...)...)

	sets := []string{rel + "-flagsmith-influxdb", rel + "-flagsmith-redis"}
	before := map[string]e2eObject{}
	for _, s := range sets {
		before[s] = getObject(t, ns, "statefulset", s)
		if before[s].Spec.ServiceName != s {
			t.Fatalf("previous release: StatefulSet %s has serviceName %q, want its own name (the premise of this test)", s, before[s].Spec.ServiceName)
		}
	}
	claim := "data-" + rel + "-flagsmith-influxdb-0"
	claimBefore := getObject(t, ns, "pvc", claim)

	createSecrets(t, ns, []string{c.Dir}, []string{example})
	must(t, "helm upgrade to the working tree", nil, "helm", append([]string{"upgrade", rel, c.Dir}, args[1:]...)...)
	if n := runner.ranIn(ns); n < 1 {
		t.Fatalf("STEP FAILED: the statefulset-migrate hook pod never ran (hook runner log: %s)", filepath.Join(env.Dir, "hook-runner.log"))
	}
	for _, s := range sets {
		after := getObject(t, ns, "statefulset", s)
		if after.Spec.ServiceName != s+"-headless" {
			t.Errorf("StatefulSet %s: serviceName %q after the upgrade, want %s-headless", s, after.Spec.ServiceName, s)
		}
		if after.Metadata.UID == before[s].Metadata.UID {
			t.Errorf("StatefulSet %s was not recreated", s)
		}
		if svc := getObject(t, ns, "service", s+"-headless"); svc.Spec.ClusterIP != "None" {
			t.Errorf("Service %s-headless: clusterIP %q, want None", s, svc.Spec.ClusterIP)
		}
		// The new StatefulSet adopts (or replaces) pod 0.
		deadline := time.Now().Add(2 * time.Minute)
		for {
			pod := getObject(t, ns, "pod", s+"-0")
			if len(pod.Metadata.OwnerReferences) == 1 && pod.Metadata.OwnerReferences[0].UID == after.Metadata.UID {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("pod %s-0 is not owned by the new StatefulSet %s", s, after.Metadata.UID)
			}
			time.Sleep(time.Second)
		}
	}
	if got := getObject(t, ns, "pvc", claim); got.Metadata.UID != claimBefore.Metadata.UID {
		t.Errorf("PVC %s was replaced (uid %s -> %s): InfluxDB's data would be lost", claim, claimBefore.Metadata.UID, got.Metadata.UID)
	}
	// A second upgrade finds every serviceName current: no hook Job.
	runsBefore := runner.ranIn(ns)
	must(t, "helm upgrade again", nil, "helm", append([]string{"upgrade", rel, c.Dir}, append(args[1:], "--set-string", "podAnnotations.flotilla-e2e-rev=2")...)...)
	if runner.ranIn(ns) != runsBefore {
		t.Errorf("a second upgrade ran the statefulset-migrate Job again")
	}
}

// beforeHeadless is the git ref this upgrade starts from: $E2E_STS_UPGRADE_FROM, else the parent
// of the commit that gave Flagsmith's StatefulSets headless governing Services. Not "the previous
// release": once that has headless Services too (HEAD's parent on main, say), it no longer tests
// the migration.
func beforeHeadless(t *testing.T) (ref, why string) {
	t.Helper()
	if r := os.Getenv("E2E_STS_UPGRADE_FROM"); r != "" {
		return r, "$E2E_STS_UPGRADE_FROM"
	}
	ctx := context.Background()
	first := strings.Fields(repoGit(ctx, "log", "--reverse", "--format=%H", "-S-headless", "--", "charts/flagsmith/templates"))
	if len(first) == 0 {
		t.Fatal("STEP FAILED: no commit in this clone's history adds Flagsmith's headless Services (a shallow clone? set $E2E_STS_UPGRADE_FROM)")
	}
	return first[0] + "^", "the parent of " + first[0][:10] + ", which added headless governing Services"
}
