package backup

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flotilla/flotilla/pkg/backup/backuptest"
	"github.com/flotilla/flotilla/pkg/backup/s3test"
	"github.com/flotilla/flotilla/pkg/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const bucket = "backups"

// env is one test's server, database and bucket.
type env struct {
	pg    *pgtest.Server
	db    string
	s3    *s3test.Server
	store *Store
	loc   Location
}

func newEnv(t *testing.T) *env {
	t.Helper()
	pg := pgtest.Require(t)
	s3 := s3test.Start(t, bucket)
	store, err := Open(context.Background(), s3Config(s3))
	require.NoError(t, err)
	db := pg.NewDatabase(t)
	return &env{pg: pg, db: db, s3: s3, store: store, loc: Location{Prefix: "flotilla/", Release: "flowise", Database: db}}
}

func s3Config(s *s3test.Server) S3Config {
	return S3Config{Endpoint: s.URL, Bucket: bucket, Region: "us-east-1", ForcePathStyle: true,
		AccessKeyID: s3test.AccessKeyID, SecretAccessKey: s3test.SecretAccessKey}
}

// toolEnv is pg_dump's and pg_restore's environment for database db.
func (e *env) toolEnv(db string) []string {
	return append(os.Environ(), "PGHOST="+e.pg.Host, "PGPORT="+strconv.Itoa(e.pg.Port), "PGUSER="+e.pg.User, "PGDATABASE="+db, "PGSSLMODE=disable", "PGPASSWORD=")
}

func (e *env) program(name string) string { return filepath.Join(e.pg.BinDir(), name) }

func (e *env) server(t *testing.T, db string) Server {
	t.Helper()
	srv, err := ServerInfo(context.Background(), e.pg.Connect(t, db))
	require.NoError(t, err)
	return srv
}

func (e *env) create(t *testing.T, o CreateOptions) (CreateResult, error) {
	t.Helper()
	o.Location, o.PgDump, o.Env = e.loc, e.program("pg_dump"), e.toolEnv(e.db)
	o.Server = e.server(t, e.db)
	if o.PartSize == 0 {
		o.PartSize = 5 << 20
	}
	return Create(context.Background(), e.store, o)
}

func (e *env) restore(t *testing.T, m Manifest, clean bool, key *Key) error {
	t.Helper()
	return Restore(context.Background(), e.store, RestoreOptions{Manifest: m, PgRestore: e.program("pg_restore"),
		Env: e.toolEnv(e.db), Database: e.db, Clean: clean, Key: key})
}

// recreate drops the database and creates it empty again.
func (e *env) recreate(t *testing.T) { backuptest.Recreate(t, e.pg, e.db) }

// keys lists every object in the bucket.
func (e *env) keys(t *testing.T) []string {
	t.Helper()
	objs, err := e.store.list(context.Background(), "")
	require.NoError(t, err)
	var out []string
	for _, o := range objs {
		out = append(out, o.Key)
	}
	sort.Strings(out)
	return out
}

func (e *env) incompleteUploads(t *testing.T) int {
	t.Helper()
	res, err := e.store.core.ListMultipartUploads(context.Background(), bucket, "", "", "", "", 1000)
	require.NoError(t, err)
	return len(res.Uploads)
}

func testKey(t *testing.T) (*Key, string) {
	t.Helper()
	raw := bytes.Repeat([]byte{7}, 32)
	path := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(raw)+"\n"), 0o600))
	k, err := ReadKeyFile(path)
	require.NoError(t, err)
	return k, path
}

// TestBackupRestoreRoundTrip seeds a Flowise-shaped database (uuid-ossp, a few thousand rows, a
// multi-part bytea), backs it up, drops it, restores it and compares every row.
func TestBackupRestoreRoundTrip(t *testing.T) {
	for _, encrypted := range []bool{false, true} {
		t.Run(fmt.Sprintf("encrypted=%v", encrypted), func(t *testing.T) {
			e := newEnv(t)
			var key *Key
			if encrypted {
				key, _ = testKey(t)
			}
			conn := e.pg.Connect(t, e.db)
			backuptest.SeedFlowise(t, conn, 3000, 12<<20)
			want := backuptest.Digest(t, conn)
			conn.Close(context.Background())

			res, err := e.create(t, CreateOptions{Chart: "flowise", ChartVersion: "0.1.0", Namespace: "ai", Key: key})
			require.NoError(t, err)
			m := res.Manifest
			assert.Equal(t, FormatVersion, m.Format)
			assert.Equal(t, "flowise", m.Release)
			assert.Equal(t, e.db, m.Database)
			assert.Equal(t, "0.1.0", m.ChartVersion)
			assert.Equal(t, encrypted, m.Encrypted)
			assert.NotEmpty(t, m.ServerVersion)
			assert.Greater(t, m.Size, int64(12<<20), "the random blob does not compress")
			assert.Equal(t, []string{e.loc.DumpKey(m.ID, encrypted), e.loc.ManifestKey(m.ID)}, e.keys(t))
			assert.Zero(t, e.incompleteUploads(t))

			listed, err := List(context.Background(), e.store, e.loc)
			require.NoError(t, err)
			require.Len(t, listed, 1)
			assert.Equal(t, m.ID, listed[0].ID)

			e.recreate(t)
			require.NoError(t, Verify(context.Background(), e.store, m))
			require.NoError(t, CheckEmpty(context.Background(), e.pg.Connect(t, e.db)))
			require.NoError(t, e.restore(t, m, false, key))
			restored := e.pg.Connect(t, e.db)
			assert.Equal(t, want, backuptest.Digest(t, restored))
			var id string
			require.NoError(t, restored.QueryRow(context.Background(), "INSERT INTO chat_flow (name, \"flowData\") VALUES ('new', '{}') RETURNING id::text").Scan(&id))
			assert.Len(t, id, 36, "uuid_generate_v4() works after the restore")
		})
	}
}

func TestRetentionPlan(t *testing.T) {
	now := time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC)
	var all []Manifest // newest first, one a day
	for i := range 6 {
		started := now.Add(-time.Duration(i) * 24 * time.Hour)
		all = append(all, Manifest{ID: NewID(started), Started: started})
	}
	tests := []struct {
		name string
		r    Retention
		keep int // the newest keep are kept, the rest dropped
	}{
		{"nothing set keeps all", Retention{}, 6},
		{"keep last 3", Retention{KeepLast: 3}, 3},
		{"keep last 10", Retention{KeepLast: 10}, 6},
		{"keep within 2.5 days", Retention{KeepWithin: 60 * time.Hour}, 3},
		{"union: last 1 or within 4.5 days", Retention{KeepLast: 1, KeepWithin: 108 * time.Hour}, 5},
		{"union: last 4 or within 1.5 days", Retention{KeepLast: 4, KeepWithin: 36 * time.Hour}, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keep, drop := tc.r.Plan(all, now)
			assert.Equal(t, all[:tc.keep], keep)
			assert.Equal(t, len(all)-tc.keep, len(drop))
		})
	}
}

// TestRetentionRemovesExactlyTheExpectedObjects backs up five times a day apart, then checks
// the bucket's exact content after retention ran as part of the last backup.
func TestRetentionRemovesExactlyTheExpectedObjects(t *testing.T) {
	e := newEnv(t)
	conn := e.pg.Connect(t, e.db)
	backuptest.SeedFlowise(t, conn, 10, 1024)
	start := time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 5 {
		at := start.Add(time.Duration(i) * 24 * time.Hour)
		r := Retention{}
		if i == 4 {
			r = Retention{KeepLast: 2, KeepWithin: 60 * time.Hour} // keeps days 4, 3 (last 2) and 2 (within 2.5 days)
		}
		res, err := e.create(t, CreateOptions{Now: func() time.Time { return at }, Retention: r})
		require.NoError(t, err)
		ids = append(ids, res.Manifest.ID)
		if i == 4 {
			assert.Equal(t, 3, res.Prune.Kept)
			require.Len(t, res.Prune.Removed, 2)
			assert.Equal(t, []string{ids[1], ids[0]}, []string{res.Prune.Removed[0].ID, res.Prune.Removed[1].ID})
		}
	}
	var want []string
	for _, id := range ids[2:] {
		want = append(want, e.loc.DumpKey(id, false), e.loc.ManifestKey(id))
	}
	sort.Strings(want)
	assert.Equal(t, want, e.keys(t))
}

// TestKilledBackupLeavesNothingToRestore: a run killed during the upload, one whose manifest
// could not be written, and one killed so hard it left an incomplete multipart upload.
func TestKilledBackupLeavesNothingToRestore(t *testing.T) {
	e := newEnv(t)
	conn := e.pg.Connect(t, e.db)
	backuptest.SeedFlowise(t, conn, 100, 16<<20)

	t.Run("cancelled during the upload", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var parts atomic.Int32
		e.s3.Intercept(func(r *http.Request) (int, bool) {
			if r.URL.Query().Has("partNumber") && parts.Add(1) == 2 {
				cancel() // what SIGTERM does to flotilla-hook
			}
			return 0, false
		})
		defer e.s3.Intercept(nil)
		o := CreateOptions{Location: e.loc, PgDump: e.program("pg_dump"), Env: e.toolEnv(e.db), Server: e.server(t, e.db), PartSize: 5 << 20}
		_, err := Create(ctx, e.store, o)
		require.Error(t, err)
		assert.Empty(t, e.keys(t))
		assert.Zero(t, e.incompleteUploads(t), "the multipart upload is aborted")
	})
	t.Run("manifest not written", func(t *testing.T) {
		e.s3.Intercept(func(r *http.Request) (int, bool) {
			return http.StatusInternalServerError, r.Method == http.MethodPut && filepath.Ext(r.URL.Path) == ".json"
		})
		defer e.s3.Intercept(nil)
		_, err := e.create(t, CreateOptions{})
		require.ErrorContains(t, err, "write manifest (the dump was removed)")
		assert.Empty(t, e.keys(t))
	})
	t.Run("killed hard: incomplete upload is never listed, and later aborted", func(t *testing.T) {
		id := NewID(time.Now())
		up, err := e.store.newUpload(context.Background(), e.loc.DumpKey(id, false), 5<<20)
		require.NoError(t, err)
		_, err = up.Write(bytes.Repeat([]byte("x"), 6<<20)) // one part sent, then the process "dies"
		require.NoError(t, err)
		require.Eventually(t, func() bool { return len(up.parts) == 1 }, 10*time.Second, 10*time.Millisecond)
		listed, err := List(context.Background(), e.store, e.loc)
		require.NoError(t, err)
		assert.Empty(t, listed)
		_, err = Find(context.Background(), e.store, e.loc, "latest")
		assert.ErrorIs(t, err, ErrNoBackup)
		assert.Equal(t, 1, e.incompleteUploads(t))

		res, err := Prune(context.Background(), e.store, e.loc, Retention{KeepLast: 3}, time.Now().Add(25*time.Hour), slog.New(slog.DiscardHandler))
		require.NoError(t, err)
		assert.Equal(t, 1, res.StaleUploads)
		assert.Zero(t, e.incompleteUploads(t))
	})
}

// TestBadInputChangesNothing: every mistake is reported clearly and leaves the bucket and the
// target database as they were.
func TestBadInputChangesNothing(t *testing.T) {
	e := newEnv(t)
	conn := e.pg.Connect(t, e.db)
	backuptest.SeedFlowise(t, conn, 200, 64<<10)
	res, err := e.create(t, CreateOptions{})
	require.NoError(t, err)
	m := res.Manifest
	before := e.keys(t)
	closed, err := pgtest.ClosedPort()
	require.NoError(t, err)

	for _, tc := range []struct {
		name string
		cfg  func(*S3Config)
		kind ErrorKind
		msg  string
	}{
		{"wrong secret", func(c *S3Config) { c.SecretAccessKey = "wrong" }, StoreRejected, "credentials rejected"},
		{"unknown access key", func(c *S3Config) { c.AccessKeyID = "nobody" }, StoreRejected, "credentials rejected"},
		{"missing bucket", func(c *S3Config) { c.Bucket = "nope" }, StoreNoBucket, "bucket does not exist"},
		{"unreachable endpoint", func(c *S3Config) { c.Endpoint = "http://127.0.0.1:" + strconv.Itoa(closed) }, StoreUnreachable, "endpoint unreachable"},
		{"endpoint with a path", func(c *S3Config) { c.Endpoint += "/bucket" }, -1, "no path allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := s3Config(e.s3)
			tc.cfg(&cfg)
			start := time.Now()
			_, err := Open(context.Background(), cfg)
			require.ErrorContains(t, err, tc.msg)
			if tc.kind >= 0 {
				var se *StoreError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, tc.kind, se.Kind, "%v", err)
			}
			assert.Less(t, time.Since(start), 20*time.Second)
		})
	}

	t.Run("restore into a non-empty database is refused", func(t *testing.T) {
		err := CheckEmpty(context.Background(), conn)
		var ne *NotEmptyError
		require.ErrorAs(t, err, &ne)
		assert.Equal(t, 6, ne.Relations, "five tables and the migrations sequence: %v", err)
		assert.ErrorContains(t, err, "--clean")
	})

	e.recreate(t)
	t.Run("corrupted object", func(t *testing.T) {
		good, _, err := e.store.get(context.Background(), m.Object)
		require.NoError(t, err)
		data, err := io.ReadAll(good)
		require.NoError(t, err)
		data[len(data)/2] ^= 0xff
		require.NoError(t, e.store.put(context.Background(), m.Object, data, "application/octet-stream"))

		err = Verify(context.Background(), e.store, m)
		var ce *CorruptError
		require.ErrorAs(t, err, &ce)
		assert.ErrorContains(t, err, "is corrupted")
		// Restoring without the pre-check still commits nothing: the mismatch is found before
		// pg_restore gets the end of the archive.
		err = e.restore(t, m, false, nil)
		require.Error(t, err)
		require.NoError(t, CheckEmpty(context.Background(), e.pg.Connect(t, e.db)), "nothing restored")
	})
	assert.Equal(t, before, e.keys(t))
}

func TestRestoreClean(t *testing.T) {
	e := newEnv(t)
	conn := e.pg.Connect(t, e.db)
	backuptest.SeedFlowise(t, conn, 100, 1024)
	want := backuptest.Digest(t, conn)
	res, err := e.create(t, CreateOptions{})
	require.NoError(t, err)
	_, err = conn.Exec(context.Background(), "DELETE FROM chat_message; INSERT INTO chat_flow (name, \"flowData\") VALUES ('later', '{}')")
	require.NoError(t, err)

	err = e.restore(t, res.Manifest, false, nil)
	require.ErrorContains(t, err, "nothing was committed", "plain restore over the same objects fails as one transaction")
	require.NoError(t, e.restore(t, res.Manifest, true, nil))
	assert.Equal(t, want, backuptest.Digest(t, conn))
}

func TestTLSWithCustomCA(t *testing.T) {
	s3 := s3test.StartTLS(t, bucket)
	cfg := s3Config(s3)
	_, err := Open(context.Background(), cfg)
	var se *StoreError
	require.ErrorAs(t, err, &se, "a self-signed server is refused without its CA")
	assert.Equal(t, StoreUnreachable, se.Kind)

	cfg.CAFile = s3.CAFile
	store, err := Open(context.Background(), cfg)
	require.NoError(t, err)
	require.NoError(t, store.put(context.Background(), "x", []byte("hello"), "text/plain"))
}

func TestFind(t *testing.T) {
	e := newEnv(t)
	conn := e.pg.Connect(t, e.db)
	backuptest.SeedFlowise(t, conn, 10, 1024)
	_, err := Find(context.Background(), e.store, e.loc, "latest")
	require.ErrorIs(t, err, ErrNoBackup)
	day := time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC)
	first, err := e.create(t, CreateOptions{Now: func() time.Time { return day }})
	require.NoError(t, err)
	second, err := e.create(t, CreateOptions{Now: func() time.Time { return day.Add(time.Hour) }})
	require.NoError(t, err)

	for _, tc := range []struct{ id, want, err string }{
		{"latest", second.Manifest.ID, ""},
		{"", second.Manifest.ID, ""},
		{first.Manifest.ID, first.Manifest.ID, ""},
		{"20990101T000000.000Z", "", "no backup found"},
		{"yesterday", "", `want "latest" or an ID`},
	} {
		m, err := Find(context.Background(), e.store, e.loc, tc.id)
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, tc.id)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.want, m.ID)
	}
}

func TestEncryptionStream(t *testing.T) {
	key, _ := testKey(t)
	other := *key
	other[0] ^= 1
	for _, n := range []int{0, 1, chunkSize - 1, chunkSize, chunkSize + 1, 3 * chunkSize, 3*chunkSize + 17} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			plain := make([]byte, n)
			for i := range plain {
				plain[i] = byte(i * 7)
			}
			var sealed bytes.Buffer
			enc, err := newEncrypter(&sealed, key)
			require.NoError(t, err)
			_, err = io.Copy(enc, io.LimitReader(bytes.NewReader(plain), int64(n))) // arbitrary write sizes
			require.NoError(t, err)
			require.NoError(t, enc.Close())

			dec, err := newDecrypter(bytes.NewReader(sealed.Bytes()), key)
			require.NoError(t, err)
			got, err := io.ReadAll(dec)
			require.NoError(t, err)
			assert.Equal(t, plain, got)

			wrong, err := newDecrypter(bytes.NewReader(sealed.Bytes()), &other)
			require.NoError(t, err)
			_, err = io.ReadAll(wrong)
			assert.ErrorIs(t, err, ErrDecrypt)

			if n > chunkSize { // truncated at a chunk boundary: the last chunk is missing
				cut := len(cryptMagic) + saltSize + chunkSize + 16
				trunc, err := newDecrypter(bytes.NewReader(sealed.Bytes()[:cut]), key)
				require.NoError(t, err)
				_, err = io.ReadAll(trunc)
				assert.True(t, errors.Is(err, ErrDecrypt), "%v", err)
			}
		})
	}
}

func TestReadKeyFile(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content string
		ok            bool
	}{
		{"base64", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32)) + "\n", true},
		{"hex", fmt.Sprintf("%x", bytes.Repeat([]byte{2}, 32)), true},
		{"passphrase", "correct horse battery staple", false},
		{"short", base64.StdEncoding.EncodeToString([]byte("short")), false},
	} {
		p := filepath.Join(dir, tc.name)
		require.NoError(t, os.WriteFile(p, []byte(tc.content), 0o600))
		_, err := ReadKeyFile(p)
		if tc.ok {
			assert.NoError(t, err, tc.name)
		} else {
			assert.ErrorContains(t, err, "openssl rand -base64 32", tc.name)
		}
	}
}

// TestRestoreAsDatabaseOwner restores a superuser's dump as an ordinary role that owns an empty
// database, as with an external PostgreSQL: uuid-ossp is a trusted extension, and --no-owner
// makes the role own everything restored.
func TestRestoreAsDatabaseOwner(t *testing.T) {
	e := newEnv(t)
	conn := e.pg.Connect(t, e.db)
	backuptest.SeedFlowise(t, conn, 300, 64<<10)
	want := backuptest.Digest(t, conn)
	res, err := e.create(t, CreateOptions{})
	require.NoError(t, err)

	owner := e.pg.CreateRole(t, "", "")
	target := "t_" + pgtest.RandomSuffix()
	admin := e.pg.Connect(t, "postgres")
	_, err = admin.Exec(context.Background(), "CREATE DATABASE "+target+" OWNER "+owner)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+target+" WITH (FORCE)") })

	env := append(e.toolEnv(target), "PGUSER="+owner)
	require.NoError(t, Restore(context.Background(), e.store, RestoreOptions{Manifest: res.Manifest, PgRestore: e.program("pg_restore"), Env: env, Database: target}))
	restored := e.pg.Connect(t, target)
	assert.Equal(t, want, backuptest.Digest(t, restored))
	var tableOwner string
	require.NoError(t, restored.QueryRow(context.Background(), "SELECT tableowner FROM pg_tables WHERE tablename = 'chat_flow'").Scan(&tableOwner))
	assert.Equal(t, owner, tableOwner)
}
