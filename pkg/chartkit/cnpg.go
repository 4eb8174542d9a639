package chartkit

import (
	"fmt"
	"strings"
)

// CloudNativePGSection is the README section on a chart's bundled PostgreSQL blocks (their
// paths, e.g. "postgresql" or "flowetl.postgresql") run by CloudNativePG, and on Redis for high
// availability. redis says how the chart's app reaches Redis (empty: the chart has no Redis).
func CloudNativePGSection(chart string, blocks []string, redis string) Section {
	b0 := blocks[0]
	paths := make([]string, len(blocks))
	for i, b := range blocks {
		paths[i] = "`" + b + ".mode`"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `Each bundled PostgreSQL (%[1]s) is by default the chart's own single-instance StatefulSet
(`+"`mode: standalone`"+`). `+"`mode: cloudnative-pg`"+` renders a [CloudNativePG](https://cloudnative-pg.io)
`+"`Cluster`"+` (postgresql.cnpg.io/v1) instead: `+"`%[2]s.cloudnativePG.instances`"+` instances (default 3: one primary and
streaming replicas the operator promotes when the primary's node fails), each on a PersistentVolumeClaim of
`+"`%[2]s.standalone.persistence.size`"+` and `+"`storageClass`"+`, `+"`%[2]s.resources`"+`, the root `+"`nodeSelector`"+`,
`+"`tolerations`"+` and `+"`imagePullSecrets`"+`. initdb creates `+"`auth.database`"+` owned by `+"`auth.username`"+` with the
password of the same Secret the StatefulSet uses (the chart's generated one gains a `+"`username`"+` key; with
`+"`auth.existingSecret`"+` that Secret needs the keys `+"`username`"+` (= `+"`auth.username`"+`) and `+"`password`"+`), and the
extensions the app needs (`+"`postInitApplicationSQL`"+`). The app, its hooks and backups connect to the Cluster's
`+"`<name>-rw`"+` Service, which always points at the primary; nothing else in the app's configuration changes.

Needs the CloudNativePG operator and its CRDs in the cluster (the chart does not install them: operators are
cluster-wide). The rendered Cluster is validated in the chart's tests against the CRD of CloudNativePG
v1.30.0 and accepted by a real kube-apiserver in `+"`make e2e`"+` (`+"`TestOperatorObjects`"+`, CRDs only: no operator ran there).
Switching an installed release between modes starts an empty database: move the data with backup and restore.

`+"```sh"+`
helm install %[3]s oci://REGISTRY/charts/%[3]s -f my-values.yaml --set %[2]s.mode=cloudnative-pg   # a new release
kubectl get clusters.postgresql.cnpg.io      # STATUS "Cluster in healthy state", 3/3 instances ready
`+"```"+`
`, strings.Join(paths, ", "), b0, chart)
	if redis != "" {
		fmt.Fprintf(&b, `
Redis: the bundled Redis is one pod. For high availability use an external Redis (%s) whose single endpoint
survives a node's loss: a managed service (Amazon ElastiCache or MemoryDB, Google Memorystore, Azure Cache for
Redis) or your own Redis with Sentinel behind a Sentinel-aware proxy or Service that always targets the
master. The app connects to one host and port and does not speak the Sentinel protocol itself.
`, redis)
	}
	return Section{Title: "High availability: PostgreSQL with CloudNativePG, Redis", Body: b.String()}
}
