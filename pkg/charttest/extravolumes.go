package charttest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/chart"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/flotilla/flotilla/pkg/render"
)

// ExtraVolumesCase is one document RequireExtraVolumesClashesRefused checks: value files (an
// example) and a YAML overlay (feature switches), merged in that order.
type ExtraVolumesCase struct {
	Name   string
	Files  []string
	Values string
}

// ExampleCases returns one ExtraVolumesCase per example of examplesDir, each with overlay
// (for instance the values a chart's tests always add) on top.
func ExampleCases(t testing.TB, examplesDir, overlay string) []ExtraVolumesCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no examples in %s", examplesDir)
	out := make([]ExtraVolumesCase, 0, len(files))
	for _, f := range files {
		out = append(out, ExtraVolumesCase{Name: filepath.Base(f), Files: []string{f}, Values: overlay})
	}
	return out
}

// probeVolume and probePath are what the probe render adds: a name and a path no chart uses,
// so the pods and containers that receive extraVolumes and extraVolumeMounts show them.
const (
	probeVolume = "x-extra"
	probePath   = "/x-extra"
)

// OwnVolumes is what a release's pods that receive extraVolumes use themselves: every volume
// name of those pods (and the claim templates of their StatefulSets), and every mountPath of
// the containers that receive extraVolumeMounts.
type OwnVolumes struct {
	Names, Paths []string
}

// ExtraVolumesTargets renders doc with one extra volume and mount that clash with nothing and
// returns the rendered release and what its receiving pods and containers use themselves. It
// fails the test when nothing receives them.
func ExtraVolumesTargets(t testing.TB, ch *chart.Chart, doc map[string]any) (*render.Result, OwnVolumes) {
	t.Helper()
	res, err := render.Render(ch, render.Options{ReleaseName: "r", Namespace: "apps",
		Values: []map[string]any{doc, probeValues(probeVolume, []string{probeVolume}, []string{probePath})}})
	require.NoError(t, err, "an extra volume and mount that clash with nothing must render")
	names, paths := map[string]bool{}, map[string]bool{}
	pods := PodSpecs(t, res)
	receiving := 0
	for key, pod := range pods {
		if !slices.ContainsFunc(pod.Spec.Volumes, func(v corev1.Volume) bool { return v.Name == probeVolume }) {
			continue
		}
		receiving++
		for _, v := range pod.Spec.Volumes {
			names[v.Name] = true
		}
		if kind, name, _ := strings.Cut(key, "/"); kind == "StatefulSet" {
			for _, c := range Object[*appsv1.StatefulSet](t, res, kind, name).Spec.VolumeClaimTemplates {
				names[c.Name] = true
			}
		}
		mounted := 0
		for _, c := range pod.Spec.Containers {
			if !slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.Name == probeVolume }) {
				continue
			}
			mounted++
			for _, m := range c.VolumeMounts {
				paths[m.MountPath] = true
			}
		}
		require.NotZero(t, mounted, "%s receives extraVolumes but none of its containers extraVolumeMounts", key)
	}
	require.NotZero(t, receiving, "no pod receives extraVolumes")
	delete(names, probeVolume)
	delete(paths, probePath)
	return res, OwnVolumes{Names: sortedKeys(names), Paths: sortedKeys(paths)}
}

// RequireExtraVolumesClashesRefused is the black-box completeness check of the chart's
// extraVolumes clash check (flotilla.extraVolumesProblems): for each case it finds, by
// rendering, every volume name of every pod that receives extraVolumes and every mountPath of
// every container that receives extraVolumeMounts; then an extra volume of each such name must
// be refused naming extraVolumes.N.name, and an extra mount at each such path must be refused
// naming extraVolumeMounts.N.mountPath, before anything renders (the API server would refuse
// the pod: duplicate volume name or mountPath). The probe render, whose extra volume clashes
// with nothing, must render valid manifests.
func RequireExtraVolumesClashesRefused(t *testing.T, ch *chart.Chart, cases []ExtraVolumesCase) {
	t.Helper()
	require.NotEmpty(t, cases)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			assert.Empty(t, ExtraVolumesClashesAccepted(t, ch, CaseDocument(t, c)))
		})
	}
}

// ExtraVolumesClashesAccepted lists what RequireExtraVolumesClashesRefused finds wrong with one
// document: the chart's own volume names and mount paths its check lets through as extra
// ones, and problems of the probe render. All names go in one document and all paths in
// another: the check reports every problem at once.
func ExtraVolumesClashesAccepted(t testing.TB, ch *chart.Chart, doc map[string]any) []string {
	t.Helper()
	res, own := ExtraVolumesTargets(t, ch, doc)
	out := ManifestProblems(res)
	require.NotEmpty(t, own.Names)
	require.NotEmpty(t, own.Paths)
	t.Logf("volumes %v, paths %v", own.Names, own.Paths)
	refused := func(extra map[string]any) map[string]bool {
		_, err := render.Render(ch, render.Options{ReleaseName: "r", Namespace: "apps", Values: []map[string]any{doc, extra}})
		got := map[string]bool{}
		if err == nil {
			return got // nothing refused
		}
		var ve *render.ValidationError
		require.True(t, errors.As(err, &ve), "the chart's own volumes as extra ones: want a ValidationError, got %v", err)
		for _, p := range ve.Problems {
			got[p.Path] = true
		}
		return got
	}
	got := refused(probeValues("", own.Names, nil))
	for i, n := range own.Names {
		if !got[fmt.Sprintf("extraVolumes.%d.name", i)] {
			out = append(out, fmt.Sprintf("extraVolumes name %q (a volume of the chart's own) is not refused", n))
		}
	}
	got = refused(probeValues(probeVolume, []string{probeVolume}, own.Paths))
	for i, p := range own.Paths {
		if !got[fmt.Sprintf("extraVolumeMounts.%d.mountPath", i)] {
			out = append(out, fmt.Sprintf("extraVolumeMounts mountPath %q (a path the chart mounts) is not refused", p))
		}
	}
	return out
}

// probeValues: extraVolumes (emptyDirs) of names, and extraVolumeMounts of volume at paths.
func probeValues(volume string, names, paths []string) map[string]any {
	vols := make([]any, 0, len(names))
	for _, n := range names {
		vols = append(vols, map[string]any{"name": n, "emptyDir": map[string]any{}})
	}
	mounts := make([]any, 0, len(paths))
	for _, p := range paths {
		mounts = append(mounts, map[string]any{"name": volume, "mountPath": p})
	}
	return map[string]any{"extraVolumes": vols, "extraVolumeMounts": mounts}
}

// CaseDocument merges a case's files and overlay into one values document.
func CaseDocument(t testing.TB, c ExtraVolumesCase) map[string]any {
	t.Helper()
	doc := map[string]any{}
	for _, f := range c.Files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		doc = merge(doc, Doc(t, string(data))).(map[string]any)
	}
	return merge(doc, Doc(t, c.Values)).(map[string]any)
}
