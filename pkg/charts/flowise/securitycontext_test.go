package flowise_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/charttest"
	"github.com/flotilla/flotilla/pkg/render"
)

// TestSecurityContextsAccepted: the security contexts users write within the restricted Pod
// Security Standard are accepted by pkg/render and Helm, decode strictly into the Kubernetes
// types and keep every pod restricted.
func TestSecurityContextsAccepted(t *testing.T) {
	docs := map[string]string{
		"other user and groups": `podSecurityContext: {runAsUser: 2000, runAsGroup: 0, fsGroup: 3000, fsGroupChangePolicy: Always, supplementalGroups: [4000, 0], supplementalGroupsPolicy: Strict}
containerSecurityContext: {runAsUser: 2000, runAsGroup: 2000}`,
		"localhost profiles": `podSecurityContext:
  seccompProfile: {type: Localhost, localhostProfile: profiles/flowise.json}
  appArmorProfile: {type: Localhost, localhostProfile: k8s-flowise}
containerSecurityContext:
  seccompProfile: {type: Localhost, localhostProfile: profiles/flowise.json}
  appArmorProfile: {type: RuntimeDefault}`,
		"selinux, sysctls, seLinuxChangePolicy": `podSecurityContext:
  seLinuxOptions: {type: container_t, level: "s0:c123,c456"}
  seLinuxChangePolicy: MountOption
  sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: "0"}, {name: net.ipv4.tcp_keepalive_time, value: "600"}]
containerSecurityContext: {seLinuxOptions: {type: container_init_t}, procMount: Default}`,
		"writable root, NET_BIND_SERVICE": `containerSecurityContext: {readOnlyRootFilesystem: false, privileged: false, capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}`,
		"helmforge securityContext alias": `securityContext: {runAsUser: 1001, capabilities: {add: [NET_BIND_SERVICE]}}`,
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			res, err := render.Render(loadChart(t), render.Options{ReleaseName: release, Namespace: "apps", Values: []map[string]any{charttest.Doc(t, doc)}})
			require.NoError(t, err)
			charttest.RequireStrict(t, res)
			charttest.RequireRestricted(t, res)
			_, err = charttest.HelmTemplate(loadChart(t), charttest.Doc(t, doc), release, "apps")
			require.NoError(t, err)
		})
	}
}

// TestSecurityContextsRefused: a security context the API server would refuse, or that breaks
// the restricted pods the chart promises, is refused before install, naming the field, by
// pkg/render and by Helm.
func TestSecurityContextsRefused(t *testing.T) {
	tests := []struct{ name, doc, path string }{
		{"root user", "podSecurityContext: {runAsUser: 0}", "podSecurityContext.runAsUser"},
		{"container root user", "containerSecurityContext: {runAsUser: 0}", "containerSecurityContext.runAsUser"},
		{"negative group", "podSecurityContext: {fsGroup: -1}", "podSecurityContext.fsGroup"},
		{"uid above int32", "podSecurityContext: {runAsGroup: 4294967296}", "podSecurityContext.runAsGroup"},
		{"runAsNonRoot false", "podSecurityContext: {runAsNonRoot: false}", "podSecurityContext.runAsNonRoot"},
		{"runAsNonRoot deleted", "containerSecurityContext: {runAsNonRoot: null}", "containerSecurityContext.runAsNonRoot"},
		{"privilege escalation", "containerSecurityContext: {allowPrivilegeEscalation: true}", "containerSecurityContext.allowPrivilegeEscalation"},
		{"privileged", "containerSecurityContext: {privileged: true}", "containerSecurityContext.privileged"},
		{"capability added", "containerSecurityContext: {capabilities: {add: [SYS_ADMIN]}}", "containerSecurityContext.capabilities.add.0"},
		{"ALL not dropped", "containerSecurityContext: {capabilities: {drop: [NET_RAW]}}", "containerSecurityContext.capabilities.drop.0"},
		{"capabilities deleted", "containerSecurityContext: {capabilities: null}", "containerSecurityContext.capabilities"},
		{"unconfined seccomp", "podSecurityContext: {seccompProfile: {type: Unconfined}}", "podSecurityContext.seccompProfile.type"},
		{"seccomp deleted", "podSecurityContext: {seccompProfile: null}", "podSecurityContext.seccompProfile"},
		{"unconfined AppArmor", "containerSecurityContext: {appArmorProfile: {type: Unconfined}}", "containerSecurityContext.appArmorProfile.type"},
		{"unmasked /proc", "containerSecurityContext: {procMount: Unmasked}", "containerSecurityContext.procMount"},
		{"selinux user", "podSecurityContext: {seLinuxOptions: {user: system_u}}", "podSecurityContext.seLinuxOptions.user"},
		{"selinux type", "podSecurityContext: {seLinuxOptions: {type: spc_t}}", "podSecurityContext.seLinuxOptions.type"},
		{"unsafe sysctl", "podSecurityContext: {sysctls: [{name: kernel.msgmax, value: '1'}]}", "podSecurityContext.sysctls.0.name"},
		{"fsGroupChangePolicy typo", "podSecurityContext: {fsGroupChangePolicy: OnMismatch}", "podSecurityContext.fsGroupChangePolicy"},
		{"unknown key", "containerSecurityContext: {readOnlyRootFileSystem: true}", "containerSecurityContext.readOnlyRootFileSystem"},
		{"windows options", "podSecurityContext: {windowsOptions: {hostProcess: true}}", "podSecurityContext.windowsOptions"},
		{"alias escalates", "securityContext: {allowPrivilegeEscalation: true}", "securityContext.allowPrivilegeEscalation"},
		{"Localhost without a profile", "podSecurityContext: {seccompProfile: {type: Localhost}}", "podSecurityContext.seccompProfile.localhostProfile"},
		{"profile without Localhost", "containerSecurityContext: {appArmorProfile: {type: RuntimeDefault, localhostProfile: x}}", "containerSecurityContext.appArmorProfile.localhostProfile"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := render.Render(loadChart(t), render.Options{Values: []map[string]any{charttest.Doc(t, tc.doc)}})
			var ve *render.ValidationError
			require.True(t, errors.As(err, &ve), "want a ValidationError, got %v", err)
			var found []string
			for _, p := range ve.Problems {
				found = append(found, p.Path+" "+p.Rule) // a rule's message names the field
			}
			assert.True(t, strings.Contains(strings.Join(found, "\n"), tc.path), "want %s among %q", tc.path, found)
			_, helmErr := charttest.HelmTemplate(loadChart(t), charttest.Doc(t, tc.doc), release, "apps")
			assert.Error(t, helmErr, "helm accepts what pkg/render refuses")
		})
	}
}
