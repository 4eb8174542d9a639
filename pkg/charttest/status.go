package charttest

import (
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/flotilla/flotilla/pkg/render"
)

// StatusRuleCases are the cases of chartkit.StatusRules, the same in every chart.
func StatusRuleCases() []RuleCase {
	const ingress = "status: {enabled: true, ingress: {enabled: true, hosts: [{host: status.example.com, paths: [{path: /, pathType: Prefix}]}]"
	return []RuleCase{
		Rule("status ingress needs a host", "status: {enabled: true, ingress: {enabled: false}}", "status: {enabled: true, trustedProxies: [10.0.0.0/8], ingress: {enabled: true}}",
			"status.ingress.hosts", "status.ingress.hosts needs at least one host", "at '/status/ingress/hosts'"),
		Rule("status ingress needs trusted proxies", ingress+"}, trustedProxies: [10.0.0.0/8]}", ingress+"}}",
			"status.trustedProxies", "status.trustedProxies is required when status.ingress.enabled is true", "at '/status/trustedProxies'"),
		Rule("status check timeout within 100ms to 60s", "status: {checkTimeout: 60s}", "status: {checkTimeout: 2m}",
			"status.checkTimeout", "", "at '/status/checkTimeout'"),
		Rule("status check timeout not below 100ms", "status: {checkTimeout: 100ms}", "status: {checkTimeout: 50ms}",
			"status.checkTimeout", "", "at '/status/checkTimeout'"),
		Rule("status trusted proxies are CIDRs", "status: {trustedProxies: [10.0.0.0/8, 192.168.1.1, 'fd00::/8']}", "status: {trustedProxies: [10.0.0.0/33]}",
			"status.trustedProxies.0", "", "at '/status/trustedProxies/0'"),
	}
}

// StatusCheck is one check of a rendered status Deployment.
type StatusCheck struct {
	// Spec is what follows "NAME=" (http, tcp) or "NAME:" (postgres, redis, s3).
	Spec string
	// Files maps each file the check reads (password-file=, ca-file=, sslrootcert=, ...) to
	// "secret:NAME/KEY" or "configmap:NAME/KEY", the item mounted there.
	Files map[string]string
}

// StatusChecks decodes the status Deployment name of res and returns its checks by "kind/name",
// and the keys file's source. It fails the test when a file a check reads is not mounted from a
// Secret or ConfigMap item: the pod would start and every check would fail.
func StatusChecks(t testing.TB, res *render.Result, name string) (map[string]StatusCheck, string) {
	t.Helper()
	d := Object[*appsv1.Deployment](t, res, "Deployment", name)
	pod := d.Spec.Template.Spec
	c := Container(t, d.Spec.Template, "status")
	require.Equal(t, []string{"status", "serve"}, c.Args[:2])
	files := mountedFiles(pod, c)
	checks := map[string]StatusCheck{}
	keys := ""
	for _, a := range c.Args[2:] {
		flag, val, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		sep := ":"
		switch flag {
		case "keys-file":
			keys = files[val]
			require.NotEmpty(t, keys, "--keys-file %s is not mounted", val)
			continue
		case "http", "tcp":
			sep = "="
		case "postgres", "redis", "s3":
		default:
			continue
		}
		n, spec, ok := strings.Cut(val, sep)
		require.True(t, ok, "check %s", a)
		sc := StatusCheck{Spec: spec, Files: map[string]string{}}
		if sep == ":" {
			for _, kv := range strings.Split(spec, ",") {
				k, v, _ := strings.Cut(kv, "=")
				if (strings.HasSuffix(k, "-file") || k == "sslrootcert") && strings.HasPrefix(v, "/") {
					src, ok := files[v]
					assert.True(t, ok, "%s/%s reads %s, which no volume mounts", flag, n, v)
					sc.Files[v] = src
				}
			}
		}
		_, dup := checks[flag+"/"+n]
		require.False(t, dup, "check %s/%s twice", flag, n)
		checks[flag+"/"+n] = sc
	}
	return checks, keys
}

// mountedFiles maps every file path the container sees from a Secret or ConfigMap item (plain or
// projected volumes) to "secret:NAME/KEY" or "configmap:NAME/KEY".
func mountedFiles(pod corev1.PodSpec, c corev1.Container) map[string]string {
	vols := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		vols[v.Name] = v
	}
	out := map[string]string{}
	add := func(dir, kind, name string, items []corev1.KeyToPath) {
		for _, it := range items {
			out[path.Join(dir, it.Path)] = kind + ":" + name + "/" + it.Key
		}
	}
	for _, m := range c.VolumeMounts {
		v, ok := vols[m.Name]
		if !ok {
			continue
		}
		switch {
		case v.Secret != nil:
			add(m.MountPath, "secret", v.Secret.SecretName, v.Secret.Items)
		case v.ConfigMap != nil:
			add(m.MountPath, "configmap", v.ConfigMap.Name, v.ConfigMap.Items)
		case v.Projected != nil:
			for _, s := range v.Projected.Sources {
				if s.Secret != nil {
					add(m.MountPath, "secret", s.Secret.Name, s.Secret.Items)
				}
				if s.ConfigMap != nil {
					add(m.MountPath, "configmap", s.ConfigMap.Name, s.ConfigMap.Items)
				}
			}
		}
	}
	return out
}
