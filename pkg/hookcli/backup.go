package hookcli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/flotilla/flotilla/pkg/backup"
	"github.com/flotilla/flotilla/pkg/dbboot"
	"github.com/flotilla/flotilla/pkg/pgbin"
)

var backupGroup = group{
	name:  "backup",
	about: "back a PostgreSQL database up to S3 with pg_dump, list backups, restore one with pg_restore",
	commands: []command{
		{
			name:     "create",
			overview: "stream pg_dump -Fc to S3, write its manifest, apply retention",
			short:    "back the database up to S3 (pg_dump --format=custom, streamed), then apply retention",
			setup:    backupCreate,
		},
		{
			name:     "list",
			overview: "the backups of a release's database, newest first",
			short:    "list the backups of a release's database (only complete ones, with a manifest)",
			setup:    backupList,
		},
		{
			name:     "restore",
			overview: "verify a backup's sha256, then pg_restore it into an empty database",
			short:    "restore a backup (default: the latest) into the database; refuses a non-empty one without --clean or --force",
			setup:    backupRestore,
		},
		{
			name:     "stage",
			args:     "DIR",
			overview: "copy this binary into DIR (an emptyDir the postgres container runs it from)",
			short:    "copy the flotilla-hook binary into DIR, for a container of another image",
			setup:    backupStage,
		},
	},
}

// bucketFlags locate the backups: the S3 bucket and the release's objects in it.
type bucketFlags struct {
	s3      backup.S3Config
	prefix  string
	release string
}

func (b *bucketFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&b.s3.Endpoint, "s3-endpoint", "", "S3 endpoint URL, e.g. https://minio.example:9000 (default AWS S3); credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else IAM")
	fs.StringVar(&b.s3.Region, "s3-region", "us-east-1", "S3 region")
	fs.StringVar(&b.s3.Bucket, "s3-bucket", "", "bucket holding the backups (required)")
	fs.BoolVar(&b.s3.ForcePathStyle, "s3-force-path-style", false, "path-style requests (MinIO and most S3-compatible servers)")
	fs.StringVar(&b.s3.CAFile, "s3-ca-file", "", "PEM CA bundle trusted for the endpoint's TLS certificate, besides the system's")
	fs.StringVar(&b.prefix, "prefix", "", "key prefix of the backups in the bucket")
	fs.StringVar(&b.release, "release", "", "Helm release the backups belong to (required)")
}

func (b *bucketFlags) open(ctx context.Context) (*backup.Store, error) {
	switch {
	case b.s3.Bucket == "":
		return nil, usageError{"--s3-bucket is required"}
	case b.release == "":
		return nil, usageError{"--release is required"}
	}
	return backup.Open(ctx, b.s3)
}

func (b *bucketFlags) location(database string) backup.Location {
	return backup.Location{Prefix: backup.NormalizePrefix(b.prefix), Release: b.release, Database: database}
}

// pgFlags are what runs pg_dump or pg_restore.
type pgFlags struct {
	binDir  string
	keyFile string
	wait    *dbboot.WaitOptions
}

func (p *pgFlags) register(fs *flag.FlagSet, program string) {
	fs.StringVar(&p.binDir, "pg-bin-dir", "", "directory of "+program+" (default: pg_config --bindir, /usr/lib/postgresql/<newest>/bin, PATH)")
	fs.StringVar(&p.keyFile, "encryption-key-file", "", "file holding a 32-byte key as base64 or hex (openssl rand -base64 32): encrypt the dump client-side (AES-256-GCM)")
	p.wait = waitFlags(fs)
}

// session is what backup create and restore work with.
type session struct {
	store   *backup.Store
	program string // pg_dump or pg_restore
	key     *backup.Key
	conn    *pgx.Conn // for checks only; the caller closes it
	cfg     *pgx.ConnConfig
}

// prepare opens the bucket, finds the program, reads the key and connects (waiting for the
// server).
func (p *pgFlags) prepare(ctx context.Context, inv *invocation, b *bucketFlags, program string) (*session, error) {
	store, err := b.open(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := pgbin.Dir(p.binDir, program)
	if err != nil {
		return nil, err
	}
	s := &session{store: store, program: filepath.Join(dir, program)}
	if p.keyFile != "" {
		if s.key, err = backup.ReadKeyFile(p.keyFile); err != nil {
			return nil, usageError{err.Error()}
		}
	}
	if s.conn, s.cfg, _, err = inv.connect(ctx, nil, *p.wait); err != nil {
		return nil, err
	}
	return s, nil
}

// toolEnv is the environment of pg_dump/pg_restore: the resolved connection settings as PG*
// variables, so flags, PG* variables and --password-file mean the same as for flotilla-hook.
func toolEnv(inv *invocation, cfg *pgx.ConnConfig) []string {
	env := os.Environ()
	set := func(k, v string) {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	set("PGHOST", cfg.Host)
	set("PGPORT", strconv.Itoa(int(cfg.Port)))
	set("PGDATABASE", cfg.Database)
	set("PGUSER", cfg.User)
	set("PGPASSWORD", cfg.Password)
	set("PGSSLMODE", inv.conn.SSLMode)
	set("PGSSLROOTCERT", inv.conn.SSLRootCert)
	return env
}

// ageFlag is a duration in Go syntax or days ("30d").
type ageFlag struct{ d time.Duration }

func (a *ageFlag) String() string { return a.d.String() }
func (a *ageFlag) Set(v string) error {
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("want a duration like 720h or 30d: %q", v)
		}
		a.d = time.Duration(n * 24 * float64(time.Hour))
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return fmt.Errorf("want a duration like 720h or 30d: %q", v)
	}
	a.d = d
	return nil
}

func backupCreate(fs *flag.FlagSet) action {
	b := &bucketFlags{}
	b.register(fs)
	p := &pgFlags{}
	p.register(fs, "pg_dump")
	o := backup.CreateOptions{}
	fs.StringVar(&o.Namespace, "namespace", os.Getenv("POD_NAMESPACE"), "namespace recorded in the manifest (env POD_NAMESPACE)")
	fs.StringVar(&o.Chart, "chart", "", "chart name recorded in the manifest")
	fs.StringVar(&o.ChartVersion, "chart-version", "", "chart version recorded in the manifest")
	fs.IntVar(&o.Retention.KeepLast, "keep-last", 0, "after a successful backup, keep the newest N backups (0: no count limit)")
	within := &ageFlag{}
	fs.Var(within, "keep-within", "after a successful backup, keep backups newer than this (720h or 30d; with --keep-last a backup either rule keeps is kept)")
	partSize := fs.String("part-size", "16MiB", "multipart part size (two parts are buffered; 10,000 parts at most)")
	return func(ctx context.Context, inv *invocation) (string, error) {
		ps, err := byteSize("--part-size", *partSize)
		if err != nil || ps < 5<<20 || ps > 1<<30 {
			return "", usageError{fmt.Sprintf("--part-size %q: want 5MiB to 1GiB", *partSize)}
		}
		o.PartSize, o.Retention.KeepWithin, o.Logger = int(ps), within.d, inv.log
		s, err := p.prepare(ctx, inv, b, "pg_dump")
		if err != nil {
			return "", err
		}
		o.Server, err = backup.ServerInfo(ctx, s.conn)
		s.conn.Close(context.Background())
		if err != nil {
			return "", err
		}
		o.Location, o.PgDump, o.Key, o.Env = b.location(s.cfg.Database), s.program, s.key, toolEnv(inv, s.cfg)
		res, err := backup.Create(ctx, s.store, o)
		if err != nil {
			return "", err
		}
		m := res.Manifest
		return fmt.Sprintf("backup %s of database %q (PostgreSQL %s) uploaded to %s/%s: %d bytes (%s), sha256 %s, encrypted %v; retention kept %d, removed %d (+%d orphaned dumps, %d stale uploads)",
			m.ID, m.Database, m.ServerVersion, b.s3.Bucket, m.Object, m.Size, humanBytes(m.Size), m.SHA256, m.Encrypted,
			res.Prune.Kept, len(res.Prune.Removed), res.Prune.Orphans, res.Prune.StaleUploads), nil
	}
}

func backupList(fs *flag.FlagSet) action {
	b := &bucketFlags{}
	b.register(fs)
	database := fs.String("database", "", "database whose backups to list (default: --dbname / PGDATABASE)")
	asJSON := fs.Bool("json", false, "print the manifests as JSON on stdout")
	return func(ctx context.Context, inv *invocation) (string, error) {
		db := *database
		if db == "" {
			cfg, err := inv.conn.Config()
			if err != nil {
				return "", usageError{err.Error()}
			}
			db = cfg.Database
		}
		store, err := b.open(ctx)
		if err != nil {
			return "", err
		}
		all, err := backup.List(ctx, store, b.location(db))
		if err != nil {
			return "", err
		}
		if *asJSON {
			if all == nil {
				all = []backup.Manifest{}
			}
			err = inv.printJSON(all)
		} else {
			err = printBackups(inv.stdout, all)
		}
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d backup(s) of release %q, database %q", len(all), b.release, db), nil
	}
}

func printBackups(w io.Writer, all []backup.Manifest) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tFINISHED\tSIZE\tPOSTGRESQL\tCHART\tENCRYPTED\tSHA256")
	for _, m := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%v\t%s\n", m.ID, m.Finished.Format(time.RFC3339), humanBytes(m.Size), m.ServerVersion,
			strings.Trim(m.Chart+"-"+m.ChartVersion, "-"), m.Encrypted, m.SHA256[:min(12, len(m.SHA256))])
	}
	return tw.Flush()
}

func backupRestore(fs *flag.FlagSet) action {
	b := &bucketFlags{}
	b.register(fs)
	p := &pgFlags{}
	p.register(fs, "pg_restore")
	id := fs.String("backup", "latest", "ID of the backup to restore (as backup list shows it), or latest")
	fromRelease := fs.String("from-release", "", "release whose backup to restore, e.g. the old release when restoring into a fresh one (default --release)")
	fromDatabase := fs.String("from-database", "", "database whose backup to restore (default: the target database's name)")
	clean := fs.Bool("clean", false, "drop the backup's objects before recreating them (pg_restore --clean --if-exists): restore over an existing schema")
	force := fs.Bool("force", false, "restore into a non-empty database without --clean (pg_restore fails, as one transaction, on objects that exist)")
	return func(ctx context.Context, inv *invocation) (string, error) {
		s, err := p.prepare(ctx, inv, b, "pg_restore")
		if err != nil {
			return "", err
		}
		defer s.conn.Close(context.Background())
		store, key, conn, cfg := s.store, s.key, s.conn, s.cfg
		loc := b.location(cfg.Database)
		if *fromRelease != "" {
			loc.Release = *fromRelease
		}
		if *fromDatabase != "" {
			loc.Database = *fromDatabase
		}
		m, err := backup.Find(ctx, store, loc, *id)
		if err != nil {
			return "", err
		}
		if m.Encrypted && key == nil {
			return "", usageError{fmt.Sprintf("backup %s is encrypted: pass --encryption-key-file", m.ID)}
		}
		srv, err := backup.ServerInfo(ctx, conn)
		if err != nil {
			return "", err
		}
		if !*clean && !*force {
			if err := backup.CheckEmpty(ctx, conn); err != nil {
				return "", err
			}
		}
		if backupMajor, _, _ := strings.Cut(m.ServerVersion, "."); backupMajor != strconv.Itoa(srv.Major) {
			inv.log.Warn("restoring into another PostgreSQL major version than the backup's", "backup_server", m.ServerVersion, "target_server", srv.Version)
		}
		inv.log.Info("verifying the backup's sha256 before restoring", "id", m.ID, "object", m.Object, "size", m.Size)
		if err := backup.Verify(ctx, store, m); err != nil {
			return "", err
		}
		inv.log.Info("restoring", "id", m.ID, "into", cfg.Database, "clean", *clean)
		if err := backup.Restore(ctx, store, backup.RestoreOptions{Manifest: m, PgRestore: s.program, Env: toolEnv(inv, cfg),
			Database: cfg.Database, Clean: *clean, Key: key, Logger: inv.log}); err != nil {
			return "", err
		}
		return fmt.Sprintf("restored backup %s (release %q, database %q, PostgreSQL %s, %d bytes, sha256 verified) into database %q on %s (PostgreSQL %s)",
			m.ID, m.Release, m.Database, m.ServerVersion, m.Size, cfg.Database, cfg.Host, srv.Version), nil
	}
}

func backupStage(fs *flag.FlagSet) action {
	return func(ctx context.Context, inv *invocation) (string, error) {
		self, err := os.Executable()
		if err != nil {
			return "", err
		}
		dest := filepath.Join(inv.args[0], "flotilla-hook")
		if err := copyExecutable(self, dest); err != nil {
			return "", err
		}
		return fmt.Sprintf("copied %s to %s", self, dest), nil
	}
}

func copyExecutable(src, dest string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dest, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return fmt.Errorf("stage binary: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("stage binary: %w", err)
	}
	return errors.Join(out.Sync(), out.Close())
}
