// Package runtime runs the real Flowise server (the npm package at the chart's appVersion) as
// the chart's rendered Deployments configure it, one local process per container (pkg/podrun),
// against a real PostgreSQL, redis-server and an S3 server on 127.0.0.1. The tests carry the
// build tag `runtime`; run them with `make runtime` (see README.md).
package runtime
