//go:build runtime

package runtime

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
)

// standalone-sqlite: one main pod, SQLite and uploads on the PVC. Also the negative control: a
// replacement pod with another encryption key cannot use the stored credential.
func TestStandaloneSQLite(t *testing.T) {
	t.Parallel()
	st := standUp(t, topology{example: "standalone-sqlite.yaml"})
	ctx := ctxFor(t, 20*time.Minute)
	main := st.rel.deployment("flowise")
	m := st.rel.start(ctx, main, "flowise", true)
	f := &flow{t: t, ctx: ctx, st: st}
	f.registerAndLogin(m.url(t))
	f.createCredentialAndChatflow()
	f.predict()
	key := f.upload()
	dataDir := m.pod.VolumeDir("data")
	assert.NotEmpty(t, findFile(t, dataDir, key), "upload must land on the PVC (storage.local.path)")
	assert.FileExists(t, dataDir+"/database.sqlite")

	// flowise.disableTelemetry (default true): Flowise 3.1.1 reports only when
	// POSTHOG_PUBLIC_API_KEY is set; the image used here carries one, the running server must not.
	environ, err := os.ReadFile("/proc/" + strconv.Itoa(m.proc.Pid()) + "/environ")
	require.NoError(t, err)
	assert.Contains(t, strings.Split(string(environ), "\x00"), "POSTHOG_PUBLIC_API_KEY=")
	assert.NotContains(t, string(environ), imagePosthogKey)

	// A replacement pod (new emptyDirs, same PVC) keeps the session and decrypts the credential.
	m.stop()
	m = st.rel.start(ctx, main, "flowise", true)
	f.client.Base = m.url(t)
	f.checkCredentialDecrypts()
	f.predict()

	// Negative control: another encryption key cannot decrypt what the first one stored.
	m.stop()
	auth := st.rel.objects.Secrets["flowise-auth-secrets"]
	auth["encryption-key"] = []byte("a-different-key")
	m = st.rel.start(ctx, main, "flowise", true)
	f.client.Base = m.url(t)
	require.NoError(t, f.client.json(ctx, "GET", "/api/v1/chatflows/"+f.flowID, nil, nil), "the session and the rest of the data still work")
	require.False(t, f.credentialDecrypts(), "a credential encrypted with another key must not decrypt")
	before := sharedLLM(t).Calls(f.apiKey)
	_, err = f.client.Predict(ctx, f.flowID, f.chatID, "socks")
	assert.Error(t, err)
	assert.Equal(t, before, sharedLLM(t).Calls(f.apiKey), "the LLM must not be called with a mis-decrypted key")
}

// s3Local points an example's S3 endpoint at the in-process S3 server: real AWS (virtual-host
// addressing on s3.amazonaws.com) is not reachable from CI.
var s3Local = []string{"storage.s3.endpointUrl=http://minio.storage.svc.cluster.local:9000", "storage.s3.forcePathStyle=true"}

func TestStandalonePostgreSQL(t *testing.T) {
	t.Parallel()
	testExample(t, topology{example: "standalone-postgresql.yaml", pgHost: "flowise-postgresql"})
}

func TestExternalPostgreSQL(t *testing.T) {
	t.Parallel()
	testExample(t, topology{example: "external-postgresql.yaml", pgHost: "postgres.database.svc.cluster.local", pgOwner: true})
}

// heartbeatFast makes a stopped worker's liveness fail within seconds instead of 30.
var heartbeatFast = []string{"queue.worker.extraEnv[0].name=FLOTILLA_HEARTBEAT_MAX_AGE_MS", "queue.worker.extraEnv[0].value=6000"}

func TestQueue(t *testing.T) {
	t.Parallel()
	st := testExample(t, topology{example: "queue.yaml", set: s3Local, setString: heartbeatFast, pgHost: "flowise-postgresql",
		redisHost: "flowise-redis", redisPort: 6379, s3Host: "minio.storage.svc.cluster.local", s3Port: 9000, bucket: "flowise-storage"})

	// Regression: the worker's readiness was a bare TCP connect, passing with a wrong password.
	ctx := ctxFor(t, 5*time.Minute)
	redisSecret := st.rel.objects.Secrets["flowise-redis"]
	good := redisSecret["redis-password"]
	redisSecret["redis-password"] = []byte("wrong-password")
	w := st.rel.start(ctx, st.rel.deployment("flowise-worker"), "worker", false)
	redisSecret["redis-password"] = good
	var last error
	for deadline := time.Now().Add(25 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		last = w.c.Probe(ctx, "readiness")
		require.Error(t, last, "a worker that cannot log in to Redis must not be ready")
	}
	t.Logf("worker with a wrong Redis password, as expected not ready: %v", last)
	w.stop()
}

// testExample runs the user journey on one topology: the external database's bootstrap hook,
// main (and worker) pods, register, login, credential, chatflow, prediction (in queue mode by
// the worker), upload, replacement of the main pod.
func testExample(t *testing.T, tp topology) *stack {
	st := standUp(t, tp)
	ctx := ctxFor(t, 20*time.Minute)
	main := st.rel.deployment("flowise")
	if tp.before != nil {
		tp.before(t, st)
	}
	if len(st.rel.res.Find("Job", "flowise-db-bootstrap")) == 1 {
		out, err := st.rel.runJob(ctx, st.rel.hookJob("flowise-db-bootstrap"))
		require.NoError(t, err, "the pre-install hook must succeed")
		t.Logf("hook: %s", lastLine(out))
	}
	queue := tp.redisHost != ""
	// Main first: on a fresh database main and worker both run Flowise's migrations, and the
	// loser of that race exits (a kubelet restarts it; podrun does not).
	m := st.rel.start(ctx, main, "flowise", true)
	var w *running
	var worker *appsv1.Deployment
	if queue {
		worker = st.rel.deployment("flowise-worker")
		w = st.rel.start(ctx, worker, "worker", true)
	}
	f := &flow{t: t, ctx: ctx, st: st}
	f.registerAndLogin(m.url(t))
	f.createCredentialAndChatflow()

	if queue {
		// The main pod only enqueues: with no worker the job waits in Redis; a worker runs it.
		require.NoError(t, w.c.Probe(ctx, "liveness"))
		w.stop()
		if maxAge := w.c.Env["FLOTILLA_HEARTBEAT_MAX_AGE_MS"]; maxAge != "" {
			// Regression: liveness is the worker process itself, not a TCP connect to Redis.
			require.Eventually(t, func() bool { return w.c.Probe(ctx, "liveness") != nil }, 30*time.Second, time.Second,
				"liveness must fail once the worker process is gone")
		}
		waitKey := "bull:" + m.c.Env["QUEUE_NAME"] + "-prediction:wait"
		done := make(chan struct{})
		go func() { defer close(done); f.predict() }()
		require.Eventually(t, func() bool {
			n, err := st.redis.Do("LLEN", waitKey)
			return err == nil && n == "1"
		}, 60*time.Second, 250*time.Millisecond, "the prediction must wait in %s while no worker runs", waitKey)
		before := sharedLLM(t).Calls(f.apiKey)
		w = st.rel.start(ctx, worker, "worker", true)
		<-done
		assert.Greater(t, sharedLLM(t).Calls(f.apiKey), before)
		assert.Contains(t, w.proc.Output(), "Completed job", "the worker ran the prediction")
	} else {
		f.predict()
	}

	key := f.upload()
	if st.s3 != nil {
		assert.NotEmpty(t, findObject(t, st.s3, tp.bucket, key), "upload must land in the bucket")
		assert.Empty(t, findFile(t, st.rel.dir, key), "and not on a local volume")
	} else {
		assert.NotEmpty(t, findFile(t, m.pod.VolumeDir("data"), key), "upload must land on the PVC")
	}

	m.stop()
	m = st.rel.start(ctx, main, "flowise", true)
	f.client.Base = m.url(t)
	f.checkCredentialDecrypts()
	f.predict() // in queue mode the worker, still running, decrypts with the same key
	return st
}

// queue-external: PostgreSQL and Redis over TLS with a private CA (the example's CA Secrets),
// MinIO-style S3. Regression for DATABASE_SSL_KEY_BASE64 (PEM, now base64 in the pod),
// DATABASE_REJECT_UNAUTHORIZED, REDIS_CA, and the hook verifying like Flowise.
func TestQueueExternalTLS(t *testing.T) {
	t.Parallel()
	st := testExample(t, topology{example: "queue-external.yaml", setString: heartbeatFast,
		pgHost: "postgres.database.svc.cluster.local", pgOwner: true, pgTLS: true,
		redisHost: "redis.cache.svc.cluster.local", redisPort: 6380, redisTLS: true,
		s3Host: "minio.storage.svc.cluster.local", s3Port: 9000, bucket: "flowise"})
	requireOnlyTLSConnections(t, st)

	// A certificate from another CA fails at the hook, with a message saying what to check.
	ctx := ctxFor(t, 2*time.Minute)
	other := newCA(t, "postgres.database.svc.cluster.local")
	st.rel.objects.AddSecret("flowise-db-ca", map[string][]byte{"ca.crt": other.CertPEM})
	out, err := st.rel.runJob(ctx, st.rel.hookJob("flowise-db-bootstrap"))
	require.Error(t, err, "the hook must refuse a server its CA did not sign")
	assert.Contains(t, out, "did not verify")
	t.Logf("hook with the wrong CA, as expected: %s", lastLine(out))
}

// The CA bundle path: plain DATABASE_SSL=true, Redis TLS without REDIS_CA and S3 over HTTPS, all
// trusted through tls.caBundle (NODE_EXTRA_CA_CERTS); the hook verifies against the bundle.
func TestCABundleTLS(t *testing.T) {
	t.Parallel()
	st := testExample(t, topology{example: "queue-external.yaml",
		set: ([]string{"database.external.sslExistingSecret=", "tls.redis.existingSecret=", "tls.caBundle.existingSecret=corp-ca",
			"storage.s3.endpointUrl=https://minio.storage.svc.cluster.local:9000"}), setString: heartbeatFast,
		pgHost: "postgres.database.svc.cluster.local", pgOwner: true, pgTLS: true,
		redisHost: "redis.cache.svc.cluster.local", redisPort: 6380, redisTLS: true,
		s3Host: "minio.storage.svc.cluster.local", s3Port: 9000, s3TLS: true, bucket: "flowise"})
	requireOnlyTLSConnections(t, st)
}

// requireOnlyTLSConnections checks every connection of the app's role used TLS.
func requireOnlyTLSConnections(t *testing.T, st *stack) {
	t.Helper()
	var withTLS, without int
	c := st.pg.Connect(t, "postgres")
	require.NoError(t, c.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl)
		FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.usename = 'flowise'`).Scan(&withTLS, &without))
	assert.Positive(t, withTLS)
	assert.Zero(t, without, "Flowise must not fall back to plain connections")
}

// An external database an admin owns: the app's role cannot create uuid-ossp, so the hook says
// exactly what a DBA must run; with database.external.adminExistingSecret it creates it.
func TestExternalPostgreSQLAdminHook(t *testing.T) {
	t.Parallel()
	testExample(t, topology{example: "external-postgresql.yaml", set: []string{"database.external.adminExistingSecret=flowise-pg-admin"},
		pgHost: "postgres.database.svc.cluster.local", adminOwned: true,
		before: func(t *testing.T, st *stack) {
			// The same release without the admin credential: the app's role is refused.
			plain := renderRelease(t, "external-postgresql.yaml", nil, nil)
			plain.objects, plain.services = st.rel.objects, st.rel.services
			out, err := plain.runJob(ctxFor(t, 2*time.Minute), plain.hookJob("flowise-db-bootstrap"))
			require.Error(t, err)
			assert.Contains(t, out, `A DBA must run, connected to database \"flowise\"`)
			assert.Contains(t, out, `CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\";`)
			t.Logf("hook without the admin credential, as expected: %s", lastLine(out))
		}})
}
