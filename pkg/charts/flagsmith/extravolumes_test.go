package flagsmith_test

import (
	"testing"

	"github.com/flotilla/flotilla/pkg/charttest"
)

// TestExtraVolumesClashesRefused: every volume name and mount path of the pods that receive
// extraVolumes, in every example and with every switch that adds one, is refused as an extra
// one before anything renders.
func TestExtraVolumesClashesRefused(t *testing.T) {
	cases := append(charttest.ExampleCases(t, example(""), ""),
		charttest.ExtraVolumesCase{Name: "defaults"},
		charttest.ExtraVolumesCase{Name: "migrations in the API pods, queue mode", Files: []string{example("queue.yaml")},
			Values: "migration: {mode: initContainer}"},
		charttest.ExtraVolumesCase{Name: "migrations as a Job, no frontend", Files: []string{example("external-postgresql.yaml")},
			Values: "migration: {mode: job}\nfrontend: {enabled: false}"},
		charttest.ExtraVolumesCase{Name: "no hooks", Files: []string{example("standalone.yaml")},
			Values: "hook: {enabled: false}"},
		charttest.ExtraVolumesCase{Name: "secrets hook, status, restricted egress", Files: []string{example("external-postgresql.yaml")},
			Values: "secrets: {generation: hook}\nstatus: {enabled: true}\nnetworkPolicy: {egress: {restrict: true}}"},
	)
	charttest.RequireExtraVolumesClashesRefused(t, loadChart(t), cases)
}
