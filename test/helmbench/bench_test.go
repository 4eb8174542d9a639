package helmbench_test

import (
	"path/filepath"
	"testing"
	"time"
)

// Environment variables naming the peers' chart directories.
const (
	// helmforgedev/charts charts/flowise, with its postgresql and redis subcharts in charts/.
	helmforgeFlowiseEnv = "FLOTILLA_PEER_HELMFORGE_FLOWISE"
	// Flagsmith/flagsmith-charts charts/flagsmith, with the subcharts at hand in charts/.
	flagsmithEnv = "FLOTILLA_PEER_FLAGSMITH"
)

// queueExample is the Flowise chart reference's queue-mode example, unchanged: it was written
// for helmforge's chart and is Flotilla's examples/flowise/queue.yaml, so both charts get it.
var queueExample = filepath.Join("..", "..", "examples", "flowise", "queue.yaml")

// BenchmarkHelmFlowise renders Flotilla's Flowise and helmforge's with the seed's queue values.
func BenchmarkHelmFlowise(b *testing.B) {
	them := peer(b, helmforgeFlowiseEnv, queueExample)
	compare(b, ours(b, "flowise", queueExample), them)
}

// BenchmarkHelmFlagsmith renders Flotilla's Flagsmith and Flagsmith's own chart with their
// default values. Flagsmith's chart lists Bitnami's postgresql (devPostgresql, on by default) as a
// subchart; where it is absent from charts/ (offline), theirs renders without it, which favours
// Flagsmith's chart: Flotilla's renders its bundled PostgreSQL.
func BenchmarkHelmFlagsmith(b *testing.B) {
	them := peer(b, flagsmithEnv)
	compare(b, ours(b, "flagsmith"), them)
}

// compare renders both charts once per iteration, ours first then theirs, so both see the same
// machine: the ratio stays meaningful when load drifts. ns/op is the pair's time.
func compare(b *testing.B, us, them *release) {
	var mine, theirs time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		if err := us.render(); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if err := them.render(); err != nil {
			b.Fatal(err)
		}
		mine += mid.Sub(start)
		theirs += time.Since(mid)
	}
	n := float64(b.N)
	b.ReportMetric(n/mine.Seconds(), "ours-renders/s")
	b.ReportMetric(n/theirs.Seconds(), "peer-renders/s")
	b.ReportMetric(theirs.Seconds()/mine.Seconds(), "x-peer")
}
