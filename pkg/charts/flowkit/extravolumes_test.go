package flowkit_test

import (
	"testing"

	"github.com/flotilla/flotilla/pkg/charttest"
)

// TestExtraVolumesClashesRefused: every volume name and mount path of the pods that receive
// extraVolumes, in every example and with every switch that adds one, is refused as an extra
// one before anything renders.
func TestExtraVolumesClashesRefused(t *testing.T) {
	// A named key pair spares each render a 4096-bit key generation.
	const jwt = "jwt: {existingSecret: jwt}\n"
	cases := append(charttest.ExampleCases(t, example(""), jwt),
		charttest.ExtraVolumesCase{Name: "defaults", Values: jwt},
		charttest.ExtraVolumesCase{Name: "claims for AutoFlow, DAGs and ETL, FlowDB without persistence", Files: []string{example("full-autoflow.yaml")},
			Values: jwt + "autoflow: {inputsClaim: in, inputsConfigMap: \"\", outputsClaim: out}\nflowetl: {dagsClaim: dags}\nflowdb: {etl: {existingClaim: etl}, persistence: {enabled: false}}"},
		charttest.ExtraVolumesCase{Name: "no hooks, no FlowAPI TLS", Files: []string{example("full-autoflow.yaml")},
			Values: jwt + "hook: {enabled: false}\nflowapi: {tls: {existingSecret: \"\"}}"},
		charttest.ExtraVolumesCase{Name: "secrets hook, status, restricted egress", Files: []string{example("full.yaml")},
			Values: jwt + "secrets: {generation: hook}\nstatus: {enabled: true}\nnetworkPolicy: {egress: {restrict: true}}"},
	)
	charttest.RequireExtraVolumesClashesRefused(t, loadChart(t), cases)
}
