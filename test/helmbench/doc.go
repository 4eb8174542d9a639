// Package helmbench compares Flotilla's charts with their peers under Helm's own engine path, the
// one `helm install`, `helm template` and Argo CD's repo server take: the chart loaded once, then
// per render chartutil.ToRenderValues (coalescing and schema validation, the schema compiled
// anew each time) and engine.Render. Run it with `make bench-helm`; the peers' charts are not in
// this repository, so each benchmark reads its peer's chart directory from an environment
// variable and skips without it. BenchmarkOurs renders Flotilla's charts alone on the same path
// (cpu-ms/op, allocs/op) for profiling and for before/after comparisons of the charts
// themselves: FLOTILLA_BENCH_CHARTS points it at another charts/ directory.
package helmbench
