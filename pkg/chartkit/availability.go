package chartkit

import "strings"

// haOn holds when a chart's highAvailability profile is on.
var haOn = Eq("highAvailability.enabled", true)

// HAPostgreSQLInstead says what to use instead of the bundled single-instance PostgreSQL under
// highAvailability; a message of HighAvailabilityRules ends with it, so a new shared PostgreSQL
// mode (e.g. postgresql.mode cloudnative-pg) is named in every chart's message by changing it here.
const HAPostgreSQLInstead = "an external PostgreSQL (a managed service or your own replicated cluster), or a CloudNativePG cluster (mode cloudnative-pg)"

// HARedisInstead says what to use instead of the bundled single-instance Redis under
// highAvailability.
const HARedisInstead = "an external Redis (redis.external.host; a managed or Sentinel-fronted service)"

// HARule is one thing highAvailability refuses: need says what the profile needs and why,
// e.g. "flowauth.cacheBackend=redis: file and memory caches are per pod". The message is
// "highAvailability.enabled needs <need>".
func HARule(need string, then Cond) Rule {
	return Rule{Message: "highAvailability.enabled needs " + need, If: haOn, Then: then}
}

// HABundledPostgreSQL refuses a bundled PostgreSQL block (path, e.g. "postgresql" or
// "flowauth.postgresql") under highAvailability; external names the chart's values for the
// alternative, e.g. "database.mode=external with database.external.host".
func HABundledPostgreSQL(path, external string) Rule {
	return HARule(path+".enabled=false or "+path+".mode=cloudnative-pg: the bundled PostgreSQL is a single pod, and losing its node stops every replica. Use "+
		HAPostgreSQLInstead+": "+external+", or "+path+".mode=cloudnative-pg", Or(Eq(path+".enabled", false), Eq(path+".mode", "cloudnative-pg")))
}

// HABundledRedis refuses the bundled Redis under highAvailability.
func HABundledRedis() Rule {
	return HARule("redis.enabled=false: the bundled Redis is a single pod, and losing its node stops every replica. Use "+HARedisInstead,
		Eq("redis.enabled", false))
}

// HighAvailabilityRules are the rules every chart's highAvailability block needs (the
// PodDisruptionBudgets stay on, at most one pod down at a time), then the chart's own
// refusals (HARule, HABundledPostgreSQL, HABundledRedis).
func HighAvailabilityRules(refusals ...Rule) []Rule {
	return append([]Rule{
		HARule("podDisruptionBudget.enabled=true with podDisruptionBudget.maxUnavailable=1: the budgets keep a node drain from taking more than one replica of a component at a time",
			And(Eq("podDisruptionBudget.enabled", true), AtMost("podDisruptionBudget.maxUnavailable", 1))),
	}, refusals...)
}

// AvailabilityDoc describes a chart's highAvailability profile and firewall for its README.
type AvailabilityDoc struct {
	// Replicated lists the components the profile replicates, e.g. "main (`flowise.replicaCount`)".
	Replicated []string
	// Single says what stays a single instance and why.
	Single string
	// Needs is what the schema requires under the profile (the chart's refusals), as Markdown.
	Needs string
	// Firewall says which components face users and which only admit their clients.
	Firewall string
	// Example is a values document turning the profile on.
	Example string
}

// AvailabilitySection is the "High availability and NetworkPolicies" README section.
func AvailabilitySection(d AvailabilityDoc) Section {
	var b strings.Builder
	b.WriteString("`highAvailability.enabled` lets the release lose a node (or a zone) without losing service. Each of\n")
	b.WriteString("these components then runs at least `highAvailability.replicas` (default 3) pods:\n\n")
	for _, c := range d.Replicated {
		b.WriteString("- " + c + "\n")
	}
	b.WriteString(`
with a topologySpreadConstraint over zones (` + "`topology.kubernetes.io/zone`" + `, maxSkew 1,
` + "`highAvailability.zoneWhenUnsatisfiable`" + `, default ScheduleAnyway so clusters without zone labels still
schedule) and over nodes (` + "`kubernetes.io/hostname`" + `, maxSkew 1, ` + "`highAvailability.nodeWhenUnsatisfiable`" + `, default
DoNotSchedule; ` + "`nodeTaintsPolicy: Honor`" + ` so a cordoned node does not count as an empty domain), a preferred pod
anti-affinity per node, a PodDisruptionBudget with maxUnavailable 1 (a drain takes one pod of a component at a
time and waits for its replacement), and ` + "`RollingUpdate`" + ` with maxUnavailable 0 / maxSurge 1. Three nodes are the
minimum to survive losing one. ` + d.Single + `

How your values combine with the profile:

| value | with highAvailability |
|---|---|
| a component's ` + "`replicaCount`" + ` | the higher of it and ` + "`highAvailability.replicas`" + ` wins |
| ` + "`autoscaling.minReplicas`" + ` / ` + "`maxReplicas`" + ` | raised to at least ` + "`highAvailability.replicas`" + ` |
| ` + "`affinity`" + ` | kept; the profile's anti-affinity is added only when yours has no ` + "`podAntiAffinity`" + ` |
| ` + "`topologySpreadConstraints`" + ` | kept (an entry without ` + "`labelSelector`" + ` gets the component's own pods); yours replaces the profile's on the same ` + "`topologyKey`" + ` |
| ` + "`podDisruptionBudget`" + ` | must stay enabled with maxUnavailable 1 (the schema says so) |

The schema refuses the profile with what one pod owns. ` + d.Needs + `

` + "```yaml\n" + strings.TrimSpace(d.Example) + "\n```" + `

**NetworkPolicies** (` + "`networkPolicy.enabled`" + `, on by default; they need a network plugin that enforces them).
` + d.Firewall + ` Clients are selected by the labels every pod of the release carries
(` + "`app.kubernetes.io/instance`" + ` and ` + "`app.kubernetes.io/component`" + `), hook Jobs, CronJobs and ` + "`helm test`" + ` pods
included. ` + "`networkPolicy.ingress.from`" + ` (NetworkPolicyPeer objects, e.g. your ingress controller's namespace)
limits who reaches the user-facing components; empty means anyone. Egress stays open unless
` + "`networkPolicy.egress.restrict`" + `: then every pod of the release may reach DNS (kube-dns in kube-system, 53 UDP/TCP),
the release's own pods, the ports of the external database, Redis and mail server the values name,
` + "`networkPolicy.egress.ports`" + ` (default 443: S3, HTTPS APIs) at any address and ` + "`networkPolicy.egress.cidrs`" + ` on any
port. NetworkPolicies add up: to open more (e.g. analysts reaching a database), add a policy of your own.`)
	return Section{Title: "High availability and NetworkPolicies", Body: b.String()}
}
