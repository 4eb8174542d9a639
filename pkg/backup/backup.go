// Package backup streams pg_dump archives of a PostgreSQL database to an S3 bucket and restores
// them with pg_restore, never holding a whole dump in memory or on disk.
//
// Layout in the bucket, per release and database:
//
//	<prefix><release>/<database>/<release>-<database>-<id>.dump       pg_dump -Fc output (".dump.enc" when encrypted)
//	<prefix><release>/<database>/<release>-<database>-<id>.manifest.json
//
// where <id> is the UTC start time, 20060102T150405.000Z. The dump is a multipart upload that
// becomes visible only when complete; the manifest (database, server version, size, sha256,
// chart version) is written after it, and only backups with a manifest are listed or restored,
// so a killed run never offers a partial dump. Retention runs only after a successful upload and
// removes a backup's manifest before its dump.
package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"
)

// FormatVersion names the manifest layout.
const FormatVersion = "flotilla-backup/v1"

// idLayout is a backup's ID: its UTC start time, sortable as text.
const idLayout = "20060102T150405.000Z"

// Manifest records what one backup holds. It is written after the dump completed.
type Manifest struct {
	Format   string `json:"format"`
	ID       string `json:"id"`
	Release  string `json:"release"`
	Database string `json:"database"`
	// Namespace and Chart/ChartVersion describe the release that made the backup.
	Namespace    string    `json:"namespace,omitempty"`
	Chart        string    `json:"chart,omitempty"`
	ChartVersion string    `json:"chartVersion,omitempty"`
	Started      time.Time `json:"started"`
	Finished     time.Time `json:"finished"`
	// ServerVersion is the dumped server's version (e.g. "17.6"), PgDumpVersion pg_dump's.
	ServerVersion string `json:"serverVersion"`
	PgDumpVersion string `json:"pgDumpVersion"`
	// DumpFormat is pg_dump's --format: always "custom".
	DumpFormat string `json:"dumpFormat"`
	// Object is the dump's key; Size and SHA256 are of the stored bytes (after encryption).
	Object    string `json:"object"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	Encrypted bool   `json:"encrypted"`
}

// Location names one release's backups of one database.
type Location struct {
	Prefix   string // key prefix in the bucket, e.g. "backups/"; may be empty
	Release  string
	Database string
}

func (l Location) dir() string {
	return l.Prefix + l.Release + "/" + l.Database + "/"
}

func (l Location) base(id string) string {
	return l.dir() + l.Release + "-" + l.Database + "-" + id
}

// DumpKey is the key of backup id's dump.
func (l Location) DumpKey(id string, encrypted bool) string {
	if encrypted {
		return l.base(id) + ".dump.enc"
	}
	return l.base(id) + ".dump"
}

// ManifestKey is the key of backup id's manifest.
func (l Location) ManifestKey(id string) string { return l.base(id) + ".manifest.json" }

func (l Location) validate() error {
	for what, v := range map[string]string{"release": l.Release, "database": l.Database} {
		if v == "" || strings.ContainsAny(v, "/\\") || v == "." || v == ".." {
			return fmt.Errorf("%s %q: must be non-empty, without slashes", what, v)
		}
	}
	if l.Prefix != "" && (strings.HasPrefix(l.Prefix, "/") || !strings.HasSuffix(l.Prefix, "/")) {
		return fmt.Errorf("prefix %q: must not start with / and must end with /", l.Prefix)
	}
	return nil
}

// NormalizePrefix turns "backups", "/backups/" or "" into "backups/" or "".
func NormalizePrefix(p string) string {
	p = strings.Trim(p, "/")
	if p == "" {
		return ""
	}
	return path.Clean(p) + "/"
}

// NewID is the ID of a backup started at t.
func NewID(t time.Time) string { return t.UTC().Format(idLayout) }

// ErrNoBackup reports that no backup matches.
var ErrNoBackup = errors.New("no backup found")

// List returns the backups of loc that have a manifest, newest first.
func List(ctx context.Context, s *Store, loc Location) ([]Manifest, error) {
	if err := loc.validate(); err != nil {
		return nil, err
	}
	objs, err := s.list(ctx, loc.dir())
	if err != nil {
		return nil, err
	}
	var out []Manifest
	for _, o := range objs {
		if !strings.HasSuffix(o.Key, ".manifest.json") {
			continue
		}
		m, err := readManifest(ctx, s, o.Key)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, nil
}

// Find returns backup id of loc, or the newest one when id is "latest" or empty.
func Find(ctx context.Context, s *Store, loc Location, id string) (Manifest, error) {
	if id != "" && id != "latest" {
		if _, err := time.Parse(idLayout, id); err != nil {
			return Manifest{}, fmt.Errorf("backup ID %q: want \"latest\" or an ID as listed, e.g. %s", id, NewID(time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)))
		}
		m, err := readManifest(ctx, s, loc.ManifestKey(id))
		var se *StoreError
		if errors.As(err, &se) && isNotFound(se.Err) {
			return Manifest{}, fmt.Errorf("%w: %s of release %q, database %q (run backup list)", ErrNoBackup, id, loc.Release, loc.Database)
		}
		return m, err
	}
	all, err := List(ctx, s, loc)
	if err != nil {
		return Manifest{}, err
	}
	if len(all) == 0 {
		return Manifest{}, fmt.Errorf("%w for release %q, database %q under %s/%s", ErrNoBackup, loc.Release, loc.Database, s.where, loc.dir())
	}
	return all[0], nil
}

func readManifest(ctx context.Context, s *Store, key string) (Manifest, error) {
	r, _, err := s.get(ctx, key)
	if err != nil {
		return Manifest{}, err
	}
	defer r.Close()
	var m Manifest
	dec := json.NewDecoder(r)
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, fmt.Errorf("manifest %s: %w", key, err)
	}
	if m.Format != FormatVersion {
		return Manifest{}, fmt.Errorf("manifest %s: format %q, want %q", key, m.Format, FormatVersion)
	}
	return m, nil
}

func writeManifest(ctx context.Context, s *Store, loc Location, m Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return s.put(ctx, loc.ManifestKey(m.ID), append(b, '\n'), "application/json")
}
