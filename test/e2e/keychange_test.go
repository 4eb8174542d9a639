//go:build e2e

package e2e

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

// TestKeyChange installs Flowise (with its status endpoint) on the real apiserver, then upgrades
// it with an auth Secret holding another encryption key: Helm's lookup sees both, the upgrade is
// refused with the message naming the values and nothing changes; with auth.allowKeyChange the
// same upgrade goes through and the new key is recorded, so later upgrades pass without it.
func TestKeyChange(t *testing.T) {
	var c chartUnderTest
	for _, x := range charts(t) {
		if x.Name == "flowise" {
			c = x
		}
	}
	if c.Name == "" {
		t.Fatal("no flowise chart under charts/")
	}
	pushChart(t, c)
	ns := freshNamespace(t, "e2e-keychange")
	const rel = "keys"
	authSecret := func(name, key string) {
		must(t, "create Secret "+name, nil, "kubectl", "-n", ns, "create", "secret", "generic", name,
			"--from-literal=encryption-key="+key, "--from-literal=jwt-auth-token-secret=j1", "--from-literal=jwt-refresh-token-secret=j2",
			"--from-literal=express-session-secret=s1", "--from-literal=token-hash-secret=h1")
	}
	authSecret("auth-a", "key-a-0123456789")
	authSecret("auth-b", "key-b-0123456789")
	helm := func(verb, secret string, extra ...string) []string {
		args := append([]string{verb, rel}, ociArgs(c)...)
		args = append(args, "--namespace", ns, "--wait", "--timeout", "5m",
			"--set", "persistence.enabled=false", "--set", "status.enabled=true", "--set", "auth.existingSecret="+secret)
		return append(args, extra...)
	}
	fingerprint := func() string {
		out := mustIn(t, ns, "read the fingerprint", "kubectl", "-n", ns, "get", "secret", rel+"-flowise-auth-fingerprint", "-o", "jsonpath={.data.encryption-key-sha256}")
		b, err := base64.StdEncoding.DecodeString(out)
		if err != nil {
			t.Fatalf("fingerprint %q: %v", out, err)
		}
		return string(b)
	}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	deployedSecret := func() string {
		return mustIn(t, ns, "read the Deployment", "kubectl", "-n", ns, "get", "deployment", rel+"-flowise", "-o",
			`jsonpath={.spec.template.spec.containers[0].env[?(@.name=="FLOWISE_SECRETKEY_OVERWRITE")].valueFrom.secretKeyRef.name}`)
	}

	mustIn(t, ns, "helm install with auth-a", "helm", helm("install", "auth-a")...)
	checkWorkloadsReady(t, ns)
	checkSecretRefs(t, ns)
	if got, want := fingerprint(), sum("key-a-0123456789"); got != want {
		t.Fatalf("fingerprint after install = %s, want sha256 of auth-a's key %s", got, want)
	}

	_, err := try(t, "helm upgrade to auth-b (refused)", nil, "helm", helm("upgrade", "auth-b")...)
	if err == nil {
		t.Fatal("helm upgrade with another encryption key succeeded; want it refused")
	}
	for _, want := range []string{"the Flowise encryption key (FLOWISE_SECRETKEY_OVERWRITE, Secret auth-b key encryption-key) is not the one this release last ran with",
		"would become unreadable", "auth.allowKeyChange=true"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal does not say %q:\n%v", want, err)
		}
	}
	if got := deployedSecret(); got != "auth-a" {
		t.Errorf("after the refused upgrade the Deployment reads %q, want auth-a unchanged", got)
	}
	if rev := mustIn(t, ns, "helm history", "helm", "history", rel, "--namespace", ns, "-o", "json"); strings.Count(rev, `"revision"`) != 1 {
		t.Errorf("the refused upgrade left a revision: %s", rev)
	}

	mustIn(t, ns, "helm upgrade to auth-b with allowKeyChange", "helm", helm("upgrade", "auth-b", "--set", "auth.allowKeyChange=true")...)
	checkWorkloadsReady(t, ns)
	if got := deployedSecret(); got != "auth-b" {
		t.Errorf("after allowKeyChange the Deployment reads %q, want auth-b", got)
	}
	if got, want := fingerprint(), sum("key-b-0123456789"); got != want {
		t.Errorf("fingerprint after allowKeyChange = %s, want auth-b's %s", got, want)
	}
	// The new key is now the recorded one: an ordinary upgrade passes without allowKeyChange.
	mustIn(t, ns, "helm upgrade again with auth-b", "helm", helm("upgrade", "auth-b")...)
}
