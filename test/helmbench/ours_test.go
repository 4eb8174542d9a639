package helmbench_test

import "testing"

// BenchmarkOurs renders each of Flotilla's charts alone under Helm's engine path, no peer needed:
// the benchmark to profile (`go test -run '^$' -bench Ours/flagsmith -cpuprofile cpu.out`).
func BenchmarkOurs(b *testing.B) {
	for _, tc := range []struct {
		chart  string
		values []string
	}{
		{"flowise", []string{queueExample}},
		{"flagsmith", nil},
		{"flowkit", nil},
	} {
		b.Run(tc.chart, func(b *testing.B) {
			r := ours(b, tc.chart, tc.values...)
			b.ReportAllocs()
			for b.Loop() {
				if err := r.render(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
