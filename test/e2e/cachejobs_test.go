//go:build e2e

package e2e

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
)

// TestFlowKitCacheJobs installs FlowKit's db-etl-machine example, whose pruning frequency (90
// minutes) cron cannot express, from the registry; checks the installed CronJob's schedule and
// skip window; and runs the chart README's one-off Job recipe (kubectl create job --from, env set
// on the copy) against the installed suspended CronJobs. Pods are simulated here: what runs
// inside them is tested in pkg/hookcli (TestFlowKitChartJobs).
func TestFlowKitCacheJobs(t *testing.T) {
	var c chartUnderTest
	for _, x := range charts(t) {
		if x.Name == "flowkit" {
			c = x
		}
	}
	if c.Name == "" {
		t.Fatal("STEP FAILED: find the flowkit chart under charts/")
	}
	values := []string{filepath.Join(env.RepoRoot, "examples", "flowkit", "db-etl-machine.yaml")}
	pushChart(t, c)
	ns := freshNamespace(t, "e2e-flowkit-cache-jobs")
	createSecrets(t, ns, ociArgs(c), values)
	recyclePVs(t)
	const rel = "e2e"
	install := append([]string{"install", rel}, ociArgs(c)...)
	install = append(install, "--namespace", ns, "--wait", "--timeout", "5m")
	mustIn(t, ns, "helm install (oci)", "helm", append(install, valuesArgs(values)...)...)

	var cj struct {
		Spec struct {
			Schedule    string
			Suspend     *bool
			JobTemplate jobSpec `json:"jobTemplate"`
		}
	}
	getJSON(t, ns, &cj, "cronjob", rel+"-flowkit-cache-prune")
	if cj.Spec.Schedule != "*/30 * * * *" {
		t.Errorf("cache-prune schedule = %q, want */30 * * * * (90 minutes: every third run prunes)", cj.Spec.Schedule)
	}
	if args := cj.Spec.JobTemplate.container().Args; !slices.Contains(args, "--min-interval=4500s") {
		t.Errorf("cache-prune args %q lack --min-interval=4500s", args)
	}
	getJSON(t, ns, &cj, "cronjob", rel+"-flowkit-cache-invalidate")
	if cj.Spec.Suspend == nil || !*cj.Spec.Suspend {
		t.Errorf("cache-invalidate is not suspended: it would run on its own")
	}

	// The README's recipe, verbatim but for names.
	job := mustIn(t, ns, "kubectl create job --from (dry run)", "kubectl", "create", "job", "--namespace", ns,
		"--from=cronjob/"+rel+"-flowkit-cache-invalidate", "invalidate-1", "--dry-run=client", "-o", "yaml")
	job = must(t, "kubectl set env --local", []byte(job), "kubectl", "set", "env", "--local", "-f", "-", "QUERY_ID=0123456789abcdef0123456789abcdef", "CASCADE=true", "-o", "yaml")
	must(t, "kubectl create the one-off Job", []byte(job), "kubectl", "create", "--namespace", ns, "-f", "-")
	var got jobSpec // a Job has the shape of a CronJob's jobTemplate
	getJSON(t, ns, &got, "job", "invalidate-1")
	ctr := got.container()
	env := map[string]string{}
	for _, e := range ctr.Env {
		env[e.Name] = e.Value
	}
	if env["QUERY_ID"] != "0123456789abcdef0123456789abcdef" || env["CASCADE"] != "true" {
		t.Errorf("one-off Job env QUERY_ID=%q CASCADE=%q, want the values set on the copy", env["QUERY_ID"], env["CASCADE"])
	}
	if len(ctr.Args) < 4 || ctr.Args[1] != "invalidate" || ctr.Args[2] != "$(QUERY_ID)" || ctr.Args[3] != "--cascade=$(CASCADE)" {
		t.Errorf("one-off Job args = %q", ctr.Args)
	}
	if env["PGUSER"] != "flowmachine" || env["REDIS_HOST"] != rel+"-flowkit-redis" {
		t.Errorf("one-off Job connects as %q to Redis %q, want flowmachine and %s-flowkit-redis", env["PGUSER"], env["REDIS_HOST"], rel)
	}
	mustIn(t, ns, "kubectl create job --from resync-redis", "kubectl", "create", "job", "--namespace", ns,
		"--from=cronjob/"+rel+"-flowkit-cache-resync-redis", "resync-1")
	getJSON(t, ns, &got, "job", "resync-1")
	if args := got.container().Args; len(args) < 3 || args[1] != "resync-redis" {
		t.Errorf("resync Job args = %q", args)
	}
}

// jobSpec is a Job, or a CronJob's jobTemplate: the parts these checks read.
type jobSpec struct {
	Spec struct {
		Template struct {
			Spec struct{ Containers []hookContainer }
		}
	}
}

type hookContainer struct {
	Args []string
	Env  []struct{ Name, Value string }
}

// container is the Job's one container (zero when there is none).
func (j jobSpec) container() hookContainer {
	if len(j.Spec.Template.Spec.Containers) == 0 {
		return hookContainer{}
	}
	return j.Spec.Template.Spec.Containers[0]
}

func getJSON(t *testing.T, ns string, into any, kind, name string) {
	t.Helper()
	out := mustIn(t, ns, "kubectl get "+kind+" "+name, "kubectl", "get", kind, name, "--namespace", ns, "-o", "json")
	if err := json.Unmarshal([]byte(out), into); err != nil {
		t.Fatalf("STEP FAILED: parse %s %s: %v", kind, name, err)
	}
}
