package chartkit

// haOn holds when a chart's highAvailability profile is on.
var haOn = Eq("highAvailability.enabled", true)

// HAPostgreSQLInstead says what to use instead of the bundled single-instance PostgreSQL under
// highAvailability; a message of HighAvailabilityRules ends with it, so a new shared PostgreSQL
// mode (e.g. postgresql.mode cloudnative-pg) is named in every chart's message by changing it here.
const HAPostgreSQLInstead = "an external PostgreSQL (a managed service or your own replicated cluster)"

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
	return HARule(path+".enabled=false: the bundled PostgreSQL is a single pod, and losing its node stops every replica. Use "+
		HAPostgreSQLInstead+": "+external, Eq(path+".enabled", false))
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
		HARule("podDisruptionBudget.enabled=true: the budgets are what keeps a node drain from taking several replicas of a component at once",
			Eq("podDisruptionBudget.enabled", true)),
		HARule("podDisruptionBudget.maxUnavailable=1: a drain may take one replica of a component at a time",
			AtMost("podDisruptionBudget.maxUnavailable", 1)),
	}, refusals...)
}
