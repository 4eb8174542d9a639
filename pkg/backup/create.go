package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os/exec"
	"strings"
	"time"

	"github.com/flotilla/flotilla/pkg/pgbin"
)

// CreateOptions configure one backup.
type CreateOptions struct {
	Location Location
	// Namespace, Chart and ChartVersion are recorded in the manifest.
	Namespace, Chart, ChartVersion string
	// Server is the server being dumped (ServerInfo).
	Server Server
	// PgDump is the pg_dump program; Env its environment (PG* variables, PGPASSWORD).
	PgDump string
	Env    []string
	// PartSize of the multipart upload (DefaultPartSize when 0).
	PartSize int
	// Key encrypts the dump client-side when set.
	Key *Key
	// Retention is applied after the backup is complete.
	Retention Retention
	Logger    *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// CreateResult is what a backup did.
type CreateResult struct {
	Manifest Manifest
	Prune    PruneResult
}

// Create streams "pg_dump --format=custom" of the database to the store, writes its manifest,
// then applies retention. On any failure before the manifest is written it leaves no backup
// behind (the multipart upload is aborted).
func Create(ctx context.Context, s *Store, o CreateOptions) (CreateResult, error) {
	if err := o.Location.validate(); err != nil {
		return CreateResult{}, err
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	major, dumpVersion, err := pgbin.Version(o.PgDump)
	if err != nil {
		return CreateResult{}, err
	}
	if major < o.Server.Major {
		return CreateResult{}, fmt.Errorf("pg_dump %s cannot dump a PostgreSQL %s server: use the postgres image of the server's major version (backup.image.tag: \"%d\")", dumpVersion, o.Server.Version, o.Server.Major)
	}
	started := now().UTC()
	m := Manifest{
		Format: FormatVersion, ID: NewID(started), Release: o.Location.Release, Database: o.Location.Database,
		Namespace: o.Namespace, Chart: o.Chart, ChartVersion: o.ChartVersion, Started: started,
		ServerVersion: o.Server.Version, PgDumpVersion: dumpVersion, DumpFormat: "custom", Encrypted: o.Key != nil,
	}
	m.Object = o.Location.DumpKey(m.ID, m.Encrypted)
	partSize := o.PartSize
	if partSize == 0 {
		partSize = DefaultPartSize
	}
	log.Info("dumping", "database", m.Database, "server_version", m.ServerVersion, "pg_dump", dumpVersion, "object", m.Object, "encrypted", m.Encrypted)
	up, err := s.newUpload(ctx, m.Object, partSize)
	if err != nil {
		return CreateResult{}, err
	}
	size, sum, err := dump(ctx, o, up, log)
	if err == nil {
		err = up.Complete()
	}
	if err != nil {
		if aerr := up.Abort(); aerr != nil {
			log.Warn("could not abort the incomplete upload; retention of a later run aborts it", "error", aerr)
		}
		return CreateResult{}, err
	}
	m.Size, m.SHA256, m.Finished = size, sum, now().UTC()
	if err := writeManifest(ctx, s, o.Location, m); err != nil {
		// Without its manifest the dump is never offered for restore; remove it now if we can.
		_ = s.remove(context.WithoutCancel(ctx), m.Object)
		return CreateResult{}, fmt.Errorf("write manifest (the dump was removed): %w", err)
	}
	log.Info("backup complete", "id", m.ID, "size", m.Size, "sha256", m.SHA256)
	res := CreateResult{Manifest: m}
	res.Prune, err = Prune(ctx, s, o.Location, o.Retention, now(), log)
	if err != nil {
		return res, fmt.Errorf("backup %s is complete, but retention failed: %w", m.ID, err)
	}
	return res, nil
}

// dump runs pg_dump into w (encrypting when a key is set) and returns the stored size and
// sha256.
func dump(ctx context.Context, o CreateOptions, up io.Writer, log *slog.Logger) (int64, string, error) {
	counted := &countingHash{w: up, h: sha256.New()}
	var out io.Writer = counted
	var enc *encrypter
	if o.Key != nil {
		var err error
		if enc, err = newEncrypter(counted, o.Key); err != nil {
			return 0, "", err
		}
		out = enc
	}
	// Cancel pg_dump if copying fails, so it does not keep the database busy.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stderr := &stderrLog{log: log, program: "pg_dump"}
	cmd := exec.CommandContext(ctx, o.PgDump, "--format=custom", "--no-password")
	cmd.Env, cmd.Stderr = o.Env, stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, "", err
	}
	if err := cmd.Start(); err != nil {
		return 0, "", fmt.Errorf("start pg_dump: %w", err)
	}
	_, copyErr := io.Copy(out, stdout)
	if copyErr != nil {
		cancel()
	}
	waitErr := cmd.Wait()
	switch {
	case copyErr != nil:
		return 0, "", fmt.Errorf("upload dump: %w", copyErr)
	case ctx.Err() != nil:
		return 0, "", fmt.Errorf("pg_dump: %w", context.Cause(ctx))
	case waitErr != nil:
		return 0, "", fmt.Errorf("pg_dump failed (%v): %s", waitErr, stderr.tail())
	}
	if enc != nil {
		if err := enc.Close(); err != nil {
			return 0, "", fmt.Errorf("upload dump: %w", err)
		}
	}
	return counted.n, hex.EncodeToString(counted.h.Sum(nil)), nil
}

// countingHash passes writes through, hashing and counting them.
type countingHash struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (c *countingHash) Write(p []byte) (int, error) {
	c.h.Write(p)
	c.n += int64(len(p))
	return c.w.Write(p)
}

// Retention says which backups to keep; a backup is kept when any rule keeps it. Zero values
// keep everything.
type Retention struct {
	// KeepLast keeps the newest N backups.
	KeepLast int
	// KeepWithin keeps backups started less than this long ago.
	KeepWithin time.Duration
}

// Plan splits backups (newest first) into those kept and those to remove at now.
func (r Retention) Plan(backups []Manifest, now time.Time) (keep, drop []Manifest) {
	if r.KeepLast <= 0 && r.KeepWithin <= 0 {
		return backups, nil
	}
	for i, m := range backups {
		if (r.KeepLast > 0 && i < r.KeepLast) || (r.KeepWithin > 0 && now.Sub(m.Started) < r.KeepWithin) {
			keep = append(keep, m)
		} else {
			drop = append(drop, m)
		}
	}
	return keep, drop
}

// PruneResult is what retention removed.
type PruneResult struct {
	Kept    int
	Removed []Manifest
	// Orphans are dumps without a manifest (runs killed after the upload) that were removed;
	// StaleUploads incomplete multipart uploads that were aborted.
	Orphans, StaleUploads int
}

// orphanAge is how old a dump without a manifest, or an incomplete upload, must be before
// retention removes it: older than any backup still running.
const orphanAge = 24 * time.Hour

// Prune applies r to loc's backups: each removed backup loses its manifest first (so it is
// never listed without its dump), then its dump. Leftovers of killed runs older than a day go
// too.
func Prune(ctx context.Context, s *Store, loc Location, r Retention, now time.Time, log *slog.Logger) (PruneResult, error) {
	var res PruneResult
	objs, err := s.list(ctx, loc.dir())
	if err != nil {
		return res, err
	}
	all, err := List(ctx, s, loc)
	if err != nil {
		return res, err
	}
	keep, drop := r.Plan(all, now)
	res.Kept = len(keep)
	listed := map[string]bool{}
	for _, m := range all {
		listed[m.Object] = true
	}
	var errs []error
	for _, m := range drop {
		if err := s.remove(ctx, loc.ManifestKey(m.ID)); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := s.remove(ctx, m.Object); err != nil {
			errs = append(errs, err)
		}
		log.Info("retention removed backup", "id", m.ID, "started", m.Started)
		res.Removed = append(res.Removed, m)
	}
	for _, o := range objs {
		if isDumpKey(o.Key) && !listed[o.Key] && now.Sub(o.LastModified) > orphanAge {
			if err := s.remove(ctx, o.Key); err != nil {
				errs = append(errs, err)
				continue
			}
			log.Info("retention removed a dump without manifest (a killed run)", "object", o.Key)
			res.Orphans++
		}
	}
	n, err := s.abortStale(ctx, loc.dir(), now.Add(-orphanAge))
	res.StaleUploads = n
	if err != nil {
		errs = append(errs, err)
	}
	return res, errors.Join(errs...)
}

func isDumpKey(k string) bool {
	return strings.HasSuffix(k, ".dump") || strings.HasSuffix(k, ".dump.enc")
}
