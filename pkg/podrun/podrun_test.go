package podrun

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The test binary doubles as an "image" serving HTTP on $PORT (helper-process pattern).
func TestMain(m *testing.M) {
	if os.Getenv("PODRUN_TEST_SERVE") == "1" {
		http.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "pong") })
		_ = http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), nil)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestRewriter(t *testing.T) {
	rw := newRewriter(
		map[string]string{"/home/node": "/tmp/p/home", "/home/node/.flowise": "/tmp/p/data", "/tmp": "/tmp/p/tmp"},
		[]Service{{Host: "db", Port: 5432, Addr: "127.0.0.1:40000"}, {Host: "s3.svc.cluster.local", Port: 9000, Addr: "127.0.0.1:40001"}},
		map[int]int{3000: 41000},
	)
	for _, tc := range []struct{ in, want string }{
		{"/home/node", "/tmp/p/home"},
		{"/home/node/.flowise/logs", "/tmp/p/data/logs"},
		{"/home/nodeX", "/home/nodeX"},
		{"--password-file=/tmp/x", "--password-file=/tmp/p/tmp/x"},
		{"--require /home/node/a.js --max-old-space-size=1", "--require /tmp/p/home/a.js --max-old-space-size=1"},
		{"/usr/tmp", "/usr/tmp"},
		{"http://s3.svc.cluster.local:9000/bucket", "http://127.0.0.1:40001/bucket"},
		{"db", "127.0.0.1"},
		{"db:5432", "127.0.0.1:40000"},
		{"dbx", "dbx"},
	} {
		assert.Equal(t, tc.want, rw.value(tc.in), tc.in)
	}

	env := map[string]string{"DATABASE_HOST": "db", "DATABASE_PORT": "5432", "PORT": "3000", "OTHER_PORT": "5432", "N": "7"}
	rw.env([]string{"DATABASE_HOST", "DATABASE_PORT", "PORT", "OTHER_PORT", "N"}, env)
	assert.Equal(t, map[string]string{"DATABASE_HOST": "127.0.0.1", "DATABASE_PORT": "40000", "PORT": "41000", "OTHER_PORT": "5432", "N": "7"}, env)
}

func TestExpand(t *testing.T) {
	env := map[string]string{"A": "x", "B": "y"}
	for in, want := range map[string]string{"$(A)-$(B)": "x-y", "$$(A)": "$(A)", "$(C)": "$(C)", "plain": "plain"} {
		assert.Equal(t, want, expand(in, env), in)
	}
}

func nobody(t *testing.T) (*uint32, *uint32) {
	t.Helper()
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("nobody")
	require.NoError(t, err)
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	a, b := uint32(uid), uint32(gid)
	return &a, &b
}

// A container's env, files and identity are what the pod spec says, mapped onto this machine.
func TestRunResolvesEnvVolumesAndUser(t *testing.T) {
	dir := t.TempDir()
	objs := &Objects{}
	require.NoError(t, objs.AddManifest(map[string]any{"kind": "Secret", "metadata": map[string]any{"name": "s"},
		"data": map[string]any{"pw": "c2VjcmV0"}, "stringData": map[string]any{"ca.crt": "PEM"}}))
	objs.AddConfigMap("cm", map[string]string{"script.sh": "echo from-configmap", "level": "debug"})
	uid, gid := nobody(t)
	spec := corev1.PodSpec{
		Containers: []corev1.Container{{
			Name: "app", Image: "busybox:1",
			Command: []string{"sh", "-c"},
			Args:    []string{`echo "uid=$(id -u) pw=$PW lvl=$LEVEL host=$DB_HOST:$DB_PORT ref=$REF"; cat /etc/certs/ca.crt; echo; sh /opt/scripts/script.sh; touch /data/ok && echo wrote; touch /etc/certs/x 2>/dev/null || echo ro-ok`},
			Env: []corev1.EnvVar{
				{Name: "PW", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}, Key: "pw"}}},
				{Name: "LEVEL", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}, Key: "level"}}},
				{Name: "DB_HOST", Value: "postgres.db.svc.cluster.local"},
				{Name: "DB_PORT", Value: "5432"},
				{Name: "REF", Value: "$(LEVEL)-x"},
			},
			VolumeMounts: []corev1.VolumeMount{{Name: "certs", MountPath: "/etc/certs", ReadOnly: true}, {Name: "scripts", MountPath: "/opt/scripts"}, {Name: "data", MountPath: "/data"}},
		}},
		Volumes: []corev1.Volume{
			{Name: "certs", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "s", Items: []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}}}},
			{Name: "scripts", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}}}},
			{Name: "data", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "claim"}}},
		},
	}
	pod, err := New(spec, Options{Dir: dir, Objects: objs, UID: uid, GID: gid,
		Images:   map[string]Image{"busybox": {Path: "/usr/bin:/bin", Env: map[string]string{"LEVEL": "from-image", "IMAGE_ONLY": "yes"}}},
		Services: []Service{{Host: "postgres.db.svc.cluster.local", Port: 5432, Addr: "127.0.0.1:45432"}}})
	require.NoError(t, err)
	c, err := pod.Container("app")
	require.NoError(t, err)
	out, err := c.Run(context.Background())
	require.NoError(t, err)
	wantUID := os.Geteuid()
	if uid != nil {
		wantUID = int(*uid)
	}
	assert.Contains(t, out, fmt.Sprintf("uid=%d pw=secret lvl=debug host=127.0.0.1:45432 ref=debug-x", wantUID))
	assert.Contains(t, out, "PEM\nfrom-configmap\nwrote\n")
	if uid != nil {
		assert.Contains(t, out, "ro-ok", "the non-root user must not write Secret volumes")
	}
	assert.FileExists(t, filepath.Join(dir, "claims", "claim", "ok"))
	assert.NotContains(t, c.Env, "HOME", "nothing leaks from the test's environment")
	assert.Equal(t, "yes", c.Env["IMAGE_ONLY"], "the image's ENV applies")
	assert.Equal(t, "debug", c.Env["LEVEL"], "the pod's env overrides the image's")
}

func TestMissingSecretFails(t *testing.T) {
	spec := corev1.PodSpec{Containers: []corev1.Container{{Name: "a", Image: "x", Command: []string{"true"},
		Env: []corev1.EnvVar{{Name: "P", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "nope"}, Key: "k"}}}}}}}
	pod, err := New(spec, Options{Dir: t.TempDir(), Images: map[string]Image{"x": {Path: "/bin"}}})
	require.NoError(t, err)
	_, err = pod.Container("a")
	assert.ErrorContains(t, err, `secret "nope" not found`)
}

// A long-running container gets a free local port for its container port, and its probes run.
func TestStartAndProbes(t *testing.T) {
	self, err := os.Executable()
	require.NoError(t, err)
	probe := func(h corev1.ProbeHandler) *corev1.Probe { return &corev1.Probe{ProbeHandler: h, TimeoutSeconds: 2} }
	spec := corev1.PodSpec{Containers: []corev1.Container{{
		Name: "web", Image: "self",
		Ports:          []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
		Env:            []corev1.EnvVar{{Name: "PORT", Value: "8080"}, {Name: "PODRUN_TEST_SERVE", Value: "1"}},
		ReadinessProbe: probe(corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ping", Port: intstr.FromString("http")}}),
		LivenessProbe:  probe(corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)}}),
		StartupProbe:   probe(corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"sh", "-c", "test \"$PORT\" != 8080"}}}),
	}}}
	pod, err := New(spec, Options{Dir: t.TempDir(), Images: map[string]Image{"self": {Path: "/usr/bin:/bin", Entrypoint: []string{self}}}})
	require.NoError(t, err)
	c, err := pod.Container("web")
	require.NoError(t, err)
	lp, err := pod.LocalPort("http")
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(lp), c.Env["PORT"])
	pr, err := c.Start(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { _ = pr.Stop(5 * time.Second) })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, c.WaitProbe(ctx, "readiness", pr))
	require.NoError(t, c.Probe(ctx, "liveness"))
	require.NoError(t, c.Probe(ctx, "startup"))
	require.NoError(t, pr.Stop(5*time.Second))
	done, _ := pr.Exited()
	assert.True(t, done)
	_, err = net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", lp), time.Second)
	assert.Error(t, err, "stopped")
	assert.Error(t, c.Probe(ctx, "readiness"))
	assert.True(t, strings.Contains(strings.Join(c.Rewrites(), "\n"), "PORT=8080 -> "))
}

// PodUser runs containers as their securityContext says, with the fsGroup owning volumes.
func TestPodUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to switch users") // CI runs as root; elsewhere the pod runs as the caller
	}
	i := func(v int64) *int64 { return &v }
	spec := corev1.PodSpec{
		SecurityContext: &corev1.PodSecurityContext{RunAsUser: i(1000), RunAsGroup: i(1000), FSGroup: i(2000)},
		Containers: []corev1.Container{
			{Name: "app", Image: "x", Command: []string{"sh", "-c", "echo $(id -u):$(id -g):$(id -G); touch /data/f"},
				VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}},
			{Name: "hook", Image: "x", Command: []string{"sh", "-c", "id -u"}, SecurityContext: &corev1.SecurityContext{RunAsUser: i(65532)}},
		},
		Volumes: []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
	}
	pod, err := New(spec, Options{Dir: t.TempDir(), PodUser: true, Images: map[string]Image{"x": {Path: "/usr/bin:/bin"}}})
	require.NoError(t, err)
	for name, want := range map[string]string{"app": "1000:1000:1000 2000\n", "hook": "65532\n"} {
		c, err := pod.Container(name)
		require.NoError(t, err)
		out, err := c.Run(context.Background())
		require.NoError(t, err)
		assert.Equal(t, want, out, name)
	}
}
