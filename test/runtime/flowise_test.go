//go:build runtime

package runtime

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/flotilla/flotilla/pkg/pgtest"
	"github.com/flotilla/flotilla/pkg/podrun"
)

var (
	llmOnce sync.Once
	llm     *openAI
)

// sharedLLM is one OpenAI-compatible endpoint for every test (each uses its own API key).
func sharedLLM(t *testing.T) *openAI {
	llmOnce.Do(func() { llm = startOpenAI(&testing.T{}) })
	return llm
}

// The Secrets the examples name as existing ones, as a user would create them.
func existingSecrets(o *podrun.Objects, encryptionKey string) {
	o.AddSecret("flowise-auth-secrets", map[string][]byte{
		"encryption-key":           []byte(encryptionKey),
		"jwt-auth-token-secret":    []byte("runtime-jwt-auth-" + pgtest.RandomSuffix()),
		"jwt-refresh-token-secret": []byte("runtime-jwt-refresh-" + pgtest.RandomSuffix()),
		"express-session-secret":   []byte("runtime-session-" + pgtest.RandomSuffix()),
		"token-hash-secret":        []byte("runtime-token-hash-" + pgtest.RandomSuffix()),
	})
	o.AddSecret("flowise-db-credentials", map[string][]byte{"database-password": []byte("db-" + pgtest.RandomSuffix())})
	o.AddSecret("flowise-redis-credentials", map[string][]byte{"redis-password": []byte("redis-" + pgtest.RandomSuffix())})
	o.AddSecret("flowise-s3-credentials", map[string][]byte{"access-key-id": []byte("AKIAFLOTILLA"), "secret-access-key": []byte("runtime-s3-secret")})
}

// topology is what a test stands up for one example.
type topology struct {
	example   string
	set       []string // values the test adds, each with its reason in the test table
	setString []string // the same, as --set-string
	// Local stand-ins for the example's Services, by the host name the pods use.
	pgHost    string // bundled "flowise-postgresql" or an external host; "" for SQLite
	pgOwner   bool   // external: the app role owns its database (else the bundled image's superuser)
	redisHost string
	redisPort int
	redisTLS  bool
	pgTLS     bool
	s3Host    string
	s3Port    int
	s3TLS     bool
	bucket    string
	// adminOwned: the database belongs to an admin role; the app's role may only create tables.
	adminOwned bool
	// before runs once the servers are up, before the hook and the pods.
	before func(t *testing.T, st *stack)
}

type stack struct {
	rel   *release
	pg    *pgtest.Server
	redis *redisServer
	s3    *s3mem.Backend
	ca    *ca
}

// standUp renders the example, starts the servers it needs on 127.0.0.1 and prepares them as
// the chart's user would (database and role, Redis password, bucket).
func standUp(t *testing.T, tp topology) *stack {
	t.Helper()
	st := &stack{rel: renderRelease(t, tp.example, tp.set, tp.setString)}
	existingSecrets(st.rel.objects, "runtime-encryption-"+pgtest.RandomSuffix())
	if tp.pgTLS || tp.redisTLS || tp.s3TLS {
		st.ca = newCA(t, tp.pgHost, tp.redisHost, tp.s3Host)
		// The CA Secrets the TLS examples name, holding PEM as users have it.
		for _, name := range []string{"flowise-db-ca", "flowise-redis-ca", "corp-ca"} {
			st.rel.objects.AddSecret(name, map[string][]byte{"ca.crt": st.ca.CertPEM})
		}
	}
	main := st.rel.deployment("flowise")
	mainEnv := resolvedEnv(t, st.rel, main.Spec.Template.Spec, "flowise")
	if tp.pgHost != "" {
		st.pg = startPostgres(t, st.ca)
		st.rel.service(tp.pgHost, 5432, fmt.Sprintf("127.0.0.1:%d", st.pg.Port))
		if tp.adminOwned {
			createAdminOwnedDatabase(t, st, mainEnv["DATABASE_NAME"], mainEnv["DATABASE_USER"], mainEnv["DATABASE_PASSWORD"])
		} else {
			createDatabase(t, st.pg, mainEnv["DATABASE_NAME"], mainEnv["DATABASE_USER"], mainEnv["DATABASE_PASSWORD"], !tp.pgOwner)
		}
	}
	if tp.redisHost != "" {
		var tlsCA *ca
		if tp.redisTLS {
			tlsCA = st.ca
		}
		st.redis = startRedis(t, mainEnv["REDIS_PASSWORD"], tlsCA)
		st.rel.service(tp.redisHost, tp.redisPort, st.redis.Addr())
	}
	if tp.s3Host != "" {
		var tlsCA *ca
		if tp.s3TLS {
			tlsCA = st.ca
		}
		addr, be := startS3(t, tp.bucket, tlsCA)
		st.s3 = be
		st.rel.service(tp.s3Host, tp.s3Port, addr)
	}
	return st
}

// resolvedEnv resolves a container's env without any Service mapped: names, passwords.
func resolvedEnv(t *testing.T, r *release, spec corev1.PodSpec, name string) map[string]string {
	t.Helper()
	p := r.pod(spec)
	c, err := p.Container(name)
	require.NoError(t, err)
	return c.Env
}

// startPostgres starts a throwaway cluster for one test (the examples' role names collide).
func startPostgres(t *testing.T, tlsCA *ca) *pgtest.Server {
	t.Helper()
	s, err := pgtest.Start()
	require.NoError(t, err)
	t.Cleanup(s.Stop)
	if tlsCA != nil {
		enableSSL(t, s, tlsCA)
	}
	return s
}

// createDatabase creates the role and database as the bundled image or a DBA would: the
// bundled postgres image makes POSTGRES_USER a superuser; an external database is owned by
// the app's role.
func createDatabase(t *testing.T, s *pgtest.Server, db, user, password string, superuser bool) {
	t.Helper()
	require.NotEmpty(t, db)
	require.NotEmpty(t, user)
	ctx := context.Background()
	admin := s.Connect(t, "postgres")
	attrs := "LOGIN"
	if superuser {
		attrs += " SUPERUSER"
	}
	_, err := admin.Exec(ctx, fmt.Sprintf("CREATE ROLE %s %s PASSWORD %s IN ROLE %s",
		pgx.Identifier{user}.Sanitize(), attrs, quoteLiteral(password), pgtest.PasswordGroup))
	require.NoError(t, err)
	_, err = admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s OWNER %s", pgx.Identifier{db}.Sanitize(), pgx.Identifier{user}.Sanitize()))
	require.NoError(t, err)
}

// createAdminOwnedDatabase is a DBA's set-up: an admin role owns the database; the app's role
// may connect and create tables in schema public, but not extensions. The admin credential is
// the Secret flowise-pg-admin.
func createAdminOwnedDatabase(t *testing.T, st *stack, db, user, password string) {
	t.Helper()
	ctx := context.Background()
	admin := st.pg.Connect(t, "postgres")
	adminPW := "admin-" + pgtest.RandomSuffix()
	for _, stmt := range []string{
		fmt.Sprintf("CREATE ROLE dba LOGIN PASSWORD %s IN ROLE %s", quoteLiteral(adminPW), pgtest.PasswordGroup),
		fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD %s IN ROLE %s", pgx.Identifier{user}.Sanitize(), quoteLiteral(password), pgtest.PasswordGroup),
		fmt.Sprintf("CREATE DATABASE %s OWNER dba", pgx.Identifier{db}.Sanitize()),
	} {
		_, err := admin.Exec(ctx, stmt)
		require.NoError(t, err, stmt)
	}
	c := st.pg.Connect(t, db)
	_, err := c.Exec(ctx, "GRANT USAGE, CREATE ON SCHEMA public TO "+pgx.Identifier{user}.Sanitize())
	require.NoError(t, err)
	st.rel.objects.AddSecret("flowise-pg-admin", map[string][]byte{"username": []byte("dba"), "password": []byte(adminPW)})
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// enableSSL turns TLS on in a running pgtest cluster with the CA's server certificate.
func enableSSL(t *testing.T, s *pgtest.Server, c *ca) {
	t.Helper()
	ctx := context.Background()
	admin := s.Connect(t, "postgres")
	// The server reads the key as its own user: copy the files where postgres owns them.
	var dataDir string
	require.NoError(t, admin.QueryRow(ctx, "SHOW data_directory").Scan(&dataDir))
	for _, f := range []string{"server.crt", "server.key"} {
		b, err := os.ReadFile(filepath.Join(c.Dir, f))
		require.NoError(t, err)
		dst := filepath.Join(dataDir, f)
		require.NoError(t, os.WriteFile(dst, b, 0o600))
		st, err := os.Stat(dataDir)
		require.NoError(t, err)
		uid, gid := ownerOf(st)
		require.NoError(t, os.Chown(dst, uid, gid))
	}
	for _, stmt := range []string{
		"ALTER SYSTEM SET ssl = on",
		"ALTER SYSTEM SET ssl_cert_file = 'server.crt'",
		"ALTER SYSTEM SET ssl_key_file = 'server.key'",
		"SELECT pg_reload_conf()",
	} {
		_, err := admin.Exec(ctx, stmt)
		require.NoError(t, err, stmt)
	}
	require.Eventually(t, func() bool {
		var on string
		c2 := s.Connect(t, "postgres")
		return c2.QueryRow(ctx, "SHOW ssl").Scan(&on) == nil && on == "on"
	}, 10*time.Second, 200*time.Millisecond)
}

// flow is the user journey every topology must pass.
type flow struct {
	t        *testing.T
	ctx      context.Context
	st       *stack
	client   *flowiseClient
	apiKey   string
	credID   string
	flowID   string
	chatID   string
	answered int
}

func (f *flow) registerAndLogin(base string) {
	t := f.t
	f.client = newClient(base)
	email, pw := "owner@example.com", "Runtime-Passw0rd!"
	require.NoError(t, f.client.Register(f.ctx, "Owner", email, pw))
	require.NoError(t, f.client.Login(f.ctx, email, pw))
}

func (f *flow) createCredentialAndChatflow() {
	t := f.t
	f.apiKey = "sk-flotilla-" + pgtest.RandomSuffix()
	var err error
	f.credID, err = f.client.CreateCredential(f.ctx, "runtime-openai", f.apiKey)
	require.NoError(t, err)
	f.flowID, err = f.client.CreateChatflow(f.ctx, "runtime", f.credID, sharedLLM(t).URL)
	require.NoError(t, err)
	f.chatID = "00000000-0000-4000-8000-" + pgtest.RandomSuffix()
}

// predict runs a prediction and checks the LLM was called with the decrypted key.
func (f *flow) predict() {
	t := f.t
	before := sharedLLM(t).Calls(f.apiKey)
	text, err := f.client.Predict(f.ctx, f.flowID, f.chatID, "socks")
	require.NoError(t, err)
	assert.Equal(t, sharedLLM(t).answer, text)
	assert.Greater(t, sharedLLM(t).Calls(f.apiKey), before, "the LLM endpoint must see the credential's key")
}

// upload attaches a file and returns the suffix of the storage key it must land at.
func (f *flow) upload() string {
	name := "flotilla-" + pgtest.RandomSuffix() + ".txt"
	require.NoError(f.t, f.client.Attach(f.ctx, f.flowID, f.chatID, name, "uploaded by the runtime suite"))
	return f.flowID + "/" + f.chatID + "/" + name
}

// findFile looks for a file whose path ends with suffix under dir.
func findFile(t *testing.T, dir, suffix string) string {
	t.Helper()
	found := ""
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, "/"+suffix) {
			found = p
			return fs.SkipAll
		}
		return nil
	})
	return found
}

func findObject(t *testing.T, be *s3mem.Backend, bucket, suffix string) string {
	t.Helper()
	list, err := be.ListBucket(bucket, nil, gofakes3.ListBucketPage{})
	require.NoError(t, err)
	for _, o := range list.Contents {
		if strings.HasSuffix(o.Key, "/"+suffix) {
			return o.Key
		}
	}
	return ""
}

// checkCredentialDecrypts reads the credential back; the server must decrypt it (it answers
// with the key's field, the value redacted; an undecryptable credential comes back empty).
func (f *flow) checkCredentialDecrypts() {
	require.True(f.t, f.credentialDecrypts(), "the stored credential must decrypt")
}

func (f *flow) credentialDecrypts() bool {
	cred, err := f.client.GetCredential(f.ctx, f.credID)
	if err != nil {
		f.t.Logf("GET credential: %v", err)
		return false
	}
	data, _ := cred["plainDataObj"].(map[string]any)
	_, ok := data["openAIApiKey"]
	return ok
}

func ownerOf(st os.FileInfo) (int, int) {
	sys := st.Sys().(*syscall.Stat_t)
	return int(sys.Uid), int(sys.Gid)
}
