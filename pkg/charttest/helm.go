package charttest

import (
	"strings"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/flotilla/flotilla/pkg/render"
)

// HelmTemplate renders ch the way `helm template` does, through Helm's action package
// (client-only install, dry run), and returns the manifests as helm prints them: install
// order, hooks after. It is the reference pkg/render is compared with.
func HelmTemplate(ch *chart.Chart, vals map[string]any, release, namespace string) (string, error) {
	inst := action.NewInstall(&action.Configuration{})
	inst.DryRun = true
	inst.ClientOnly = true
	inst.Replace = true
	inst.ReleaseName = release
	inst.Namespace = namespace
	kv, err := chartutil.ParseKubeVersion(render.DefaultKubeVersion)
	if err != nil {
		return "", err
	}
	inst.KubeVersion = kv
	rel, err := inst.Run(ch, vals)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(rel.Manifest)
	for _, h := range rel.Hooks {
		b.WriteString("---\n# Source: " + h.Path + "\n" + h.Manifest + "\n")
	}
	return b.String(), nil
}
