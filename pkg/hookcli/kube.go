package hookcli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/flotilla/flotilla/pkg/stsmigrate"
)

var kubeGroup = group{
	name:  "kube",
	about: "Kubernetes objects an upgrade cannot change in place",
	commands: []command{
		{
			name:     "recreate-statefulset",
			overview: "delete each --statefulset whose serviceName differs, keeping its pods and claims",
			short:    "delete StatefulSets whose governing Service changed (propagationPolicy Orphan) so the upgrade recreates them",
			setup:    kubeRecreateStatefulSet,
		},
	},
}

// statefulSetList is a repeatable --statefulset NAME=SERVICE flag.
type statefulSetList [][2]string

func (l *statefulSetList) String() string {
	var parts []string
	for _, p := range *l {
		parts = append(parts, p[0]+"="+p[1])
	}
	return strings.Join(parts, ",")
}

func (l *statefulSetList) Set(v string) error {
	name, svc, ok := strings.Cut(v, "=")
	if !ok || name == "" || svc == "" {
		return fmt.Errorf("want NAME=SERVICE (the StatefulSet and the governing Service it must have), got %q", v)
	}
	*l = append(*l, [2]string{name, svc})
	return nil
}

// kubeRecreateStatefulSet is "kube recreate-statefulset": the pre-upgrade hook of a chart whose
// StatefulSets moved to another governing Service (spec.serviceName is immutable).
func kubeRecreateStatefulSet(fs *flag.FlagSet) action {
	var sets statefulSetList
	fs.Var(&sets, "statefulset", "NAME=SERVICE: StatefulSet NAME must have serviceName SERVICE (repeatable)")
	dir := fs.String("service-account-dir", stsmigrate.ServiceAccountDir, "directory of the pod's ServiceAccount token, ca.crt and namespace")
	asJSON := fs.Bool("json", false, "print what was done as JSON on stdout")
	return func(ctx context.Context, inv *invocation) (string, error) {
		if len(sets) == 0 {
			return "", usageError{"kube recreate-statefulset needs at least one --statefulset NAME=SERVICE"}
		}
		c, err := stsmigrate.InCluster(*dir)
		if err != nil {
			return "", err
		}
		var results []stsmigrate.Result
		var done []string
		for _, s := range sets {
			r, err := c.Recreate(ctx, inv.log, s[0], s[1])
			if err != nil {
				return "", err
			}
			results = append(results, r)
			done = append(done, r.Name+": "+r.Action)
		}
		if *asJSON {
			if err := inv.printJSON(results); err != nil {
				return "", err
			}
		}
		return strings.Join(done, ", "), nil
	}
}
