package render_test

import (
	"context"
	"syscall"
	"testing"

	"github.com/flotilla/flotilla/pkg/render"
)

// BenchmarkRenderFlowiseQueue loads the chart and the seed's queue example once, then
// validates and renders per iteration. Report: renders/s = 1e9 / ns/op.
func BenchmarkRenderFlowiseQueue(b *testing.B) {
	benchmarkRender(b, false)
}

// BenchmarkRenderFlowiseQueueDecoded also decodes every manifest into a map (Result.Decode),
// which a render leaves to the first Manifest.Object call.
func BenchmarkRenderFlowiseQueueDecoded(b *testing.B) {
	benchmarkRender(b, true)
}

// BenchmarkRenderDefaults renders each chart with its default values; FlowKit's JWT key pair
// comes from an existingSecret, as an RSA key generated per render would be all it measures.
func BenchmarkRenderDefaults(b *testing.B) {
	for _, name := range []string{"flowise", "flowkit", "flagsmith"} {
		b.Run(name, func(b *testing.B) {
			var vals []map[string]any
			if name == "flowkit" {
				vals = append(vals, map[string]any{"jwt": map[string]any{"existingSecret": "jwt"}})
			}
			benchmarkChart(b, name, render.Options{Values: vals}, false)
		})
	}
}

func benchmarkRender(b *testing.B, decode bool) {
	benchmarkChart(b, "flowise", render.Options{ValueFiles: []string{queueExample}}, decode)
}

func benchmarkChart(b *testing.B, name string, values render.Options, decode bool) {
	ch, err := render.Load(context.Background(), name, render.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	vals, err := render.MergeValues(values)
	if err != nil {
		b.Fatal(err)
	}
	opts := render.Options{ReleaseName: name, Namespace: "ai"}
	b.ReportAllocs()
	start := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		res, err := render.RenderValues(ch, vals, opts)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Manifests) == 0 {
			b.Fatal("nothing rendered")
		}
		if decode {
			if err := res.Decode(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "renders/s")
	// CPU time per render, all threads (GC included): stable when the machine is busy.
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
}

func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
