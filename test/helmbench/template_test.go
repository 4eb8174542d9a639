package helmbench_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// helmEnv names a helm binary for the `helm template` wall-time comparison.
const helmEnv = "HELM"

// BenchmarkHelmTemplate times whole `helm template` processes (start-up, chart loading, values,
// schema, templates, printing), Flotilla's Flowise and helmforge's alternately with the seed's
// queue values, as Argo CD's repo server runs them.
func BenchmarkHelmTemplate(b *testing.B) {
	helm := os.Getenv(helmEnv)
	if helm == "" {
		b.Skipf("%s is not set: point it at a helm binary to time helm template", helmEnv)
	}
	them := os.Getenv(helmforgeFlowiseEnv)
	if them == "" {
		b.Skipf("%s is not set: point it at helmforge's flowise chart directory", helmforgeFlowiseEnv)
	}
	us := filepath.Join("..", "..", "charts", "flowise")
	if dir := os.Getenv(oursEnv); dir != "" {
		us = filepath.Join(dir, "flowise")
	}
	template := func(chart string) time.Duration {
		start := time.Now()
		cmd := exec.Command(helm, "template", "bench", chart, "--namespace", "apps", "-f", queueExample)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("helm template %s: %v\n%s", chart, err, stderr.String())
		}
		return time.Since(start)
	}
	var mine, theirs time.Duration
	for b.Loop() {
		mine += template(us)
		theirs += template(them)
	}
	n := float64(b.N)
	b.ReportMetric(mine.Seconds()*1000/n, "ours-ms")
	b.ReportMetric(theirs.Seconds()*1000/n, "peer-ms")
	b.ReportMetric(theirs.Seconds()/mine.Seconds(), "x-peer")
}
