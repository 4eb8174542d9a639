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
)

// CorruptError reports a stored dump that does not match its manifest.
type CorruptError struct {
	Object     string
	WantSize   int64
	GotSize    int64
	WantSHA256 string
	GotSHA256  string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("backup object %s is corrupted: size %d, sha256 %s; the manifest says size %d, sha256 %s; nothing was restored",
		e.Object, e.GotSize, e.GotSHA256, e.WantSize, e.WantSHA256)
}

// Verify reads m's dump from the store and checks its size and sha256 against the manifest,
// holding no more than a read buffer.
func Verify(ctx context.Context, s *Store, m Manifest) error {
	r, _, err := s.get(ctx, m.Object)
	if err != nil {
		return err
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return s.wrap("read "+m.Object, err)
	}
	return check(m, n, h)
}

func check(m Manifest, n int64, h hash.Hash) error {
	if sum := hex.EncodeToString(h.Sum(nil)); n != m.Size || sum != m.SHA256 {
		return &CorruptError{Object: m.Object, WantSize: m.Size, GotSize: n, WantSHA256: m.SHA256, GotSHA256: sum}
	}
	return nil
}

// RestoreOptions configure a restore.
type RestoreOptions struct {
	Manifest Manifest
	// PgRestore is the pg_restore program; Env its environment (PG* variables, PGPASSWORD).
	PgRestore string
	Env       []string
	// Database is the target database's name.
	Database string
	// Clean drops the backup's objects before recreating them (pg_restore --clean --if-exists).
	Clean bool
	// Key decrypts an encrypted backup.
	Key    *Key
	Logger *slog.Logger
}

// Restore streams m's dump from the store into "pg_restore --single-transaction": a failure
// anywhere, including a checksum mismatch found at the end of the stream, rolls everything
// back. Call Verify first to refuse a corrupted backup before touching the database. Objects
// are owned by the restoring role (--no-owner --no-privileges), so a dump restores into a
// release whose role has another name.
func Restore(ctx context.Context, s *Store, o RestoreOptions) error {
	m := o.Manifest
	if m.Encrypted && o.Key == nil {
		return fmt.Errorf("backup %s is encrypted: pass the encryption key (backup.encryption.existingSecret)", m.ID)
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	obj, _, err := s.get(ctx, m.Object)
	if err != nil {
		return err
	}
	defer obj.Close()
	h := sha256.New()
	var counted int64
	src := io.Reader(&hashingReader{r: obj, h: h, n: &counted})
	if m.Encrypted {
		if src, err = newDecrypter(src, o.Key); err != nil {
			return err
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	args := []string{"--dbname=" + o.Database, "--no-password", "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"}
	if o.Clean {
		args = append(args, "--clean", "--if-exists")
	}
	stderr := &stderrLog{log: log, program: "pg_restore"}
	cmd := exec.CommandContext(ctx, o.PgRestore, args...)
	cmd.Env, cmd.Stderr = o.Env, stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start pg_restore: %w", err)
	}
	copyErr := feed(stdin, src, func() error { return check(m, counted, h) })
	if copyErr != nil {
		// pg_restore has not seen the end of the archive, so it has not committed: killing it
		// makes the server roll the transaction back.
		cancel()
	}
	_ = stdin.Close()
	waitErr := cmd.Wait()
	var corrupt *CorruptError
	switch {
	case errors.As(copyErr, &corrupt), errors.Is(copyErr, ErrDecrypt):
		return copyErr
	case copyErr != nil && !errors.Is(copyErr, errPipe):
		return fmt.Errorf("read backup %s: %w", m.Object, copyErr)
	case waitErr != nil:
		return fmt.Errorf("pg_restore failed, nothing was committed (%v): %s", waitErr, stderr.tail())
	}
	return nil
}

// errPipe marks pg_restore stopping to read (it failed; its exit status says why).
var errPipe = errors.New("pg_restore stopped reading")

// feed copies src to w but holds the last chunk back until src is exhausted and verify
// passed: pg_restore cannot finish, hence commit, before it has the whole archive.
func feed(w io.Writer, src io.Reader, verify func() error) error {
	cur, next := make([]byte, 256<<10), make([]byte, 256<<10)
	n, err := io.ReadFull(src, cur)
	for err == nil {
		var m int
		m, err = io.ReadFull(src, next)
		if m == 0 && (err == io.EOF || err == io.ErrUnexpectedEOF) {
			break // cur is the last chunk
		}
		if _, werr := w.Write(cur[:n]); werr != nil {
			return errPipe
		}
		cur, next, n = next, cur, m
	}
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return err
	}
	if err := verify(); err != nil {
		return err
	}
	if _, werr := w.Write(cur[:n]); werr != nil {
		return errPipe
	}
	return nil
}

type hashingReader struct {
	r io.Reader
	h hash.Hash
	n *int64
}

func (r *hashingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.h.Write(p[:n])
	*r.n += int64(n)
	return n, err
}
