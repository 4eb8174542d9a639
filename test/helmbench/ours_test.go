package helmbench_test

import (
	"syscall"
	"testing"
	"time"
)

// BenchmarkOurs renders each of Flotilla's charts alone under Helm's engine path, no peer needed:
// the benchmark to profile (`go test -run '^$' -bench Ours/flagsmith -cpuprofile cpu.out`).
// cpu-ms/op is the process's CPU time per render (GC included), steadier than wall time on a
// shared machine. FlowKit is left out: its renders generate a 4096-bit RSA pair (FlowAuth's
// keys, genPrivateKey), which costs hundreds of milliseconds and drowns everything else.
func BenchmarkOurs(b *testing.B) {
	for _, tc := range []struct {
		chart  string
		values []string
	}{
		{"flowise", []string{queueExample}},
		{"flagsmith", nil},
	} {
		b.Run(tc.chart, func(b *testing.B) {
			r := ours(b, tc.chart, tc.values...)
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				if err := r.render(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
