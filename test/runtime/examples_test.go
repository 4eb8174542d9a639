//go:build runtime

package runtime

import (
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
	_, err := f.client.GetCredential(ctx, f.credID)
	require.Error(t, err, "a credential encrypted with another key must not decrypt")
	t.Logf("negative control, as expected: %v", err)
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

func TestQueue(t *testing.T) {
	t.Parallel()
	testExample(t, topology{example: "queue.yaml", set: s3Local, pgHost: "flowise-postgresql",
		redisHost: "flowise-redis", redisPort: 6379, s3Host: "minio.storage.svc.cluster.local", s3Port: 9000, bucket: "flowise-storage"})
}

// testExample runs the user journey on one topology: the external database's bootstrap hook,
// main (and worker) pods, register, login, credential, chatflow, prediction (in queue mode by
// the worker), upload, replacement of the main pod.
func testExample(t *testing.T, tp topology) *stack {
	st := standUp(t, tp)
	ctx := ctxFor(t, 20*time.Minute)
	main := st.rel.deployment("flowise")
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
		w.stop()
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
