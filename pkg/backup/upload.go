package backup

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/minio/minio-go/v7"
)

// DefaultPartSize is the multipart part size: two parts are in memory at once (one filling,
// one uploading), and S3's 10,000-part limit makes it a 156 GiB maximum object.
const DefaultPartSize = 16 << 20

// maxParts is S3's limit on parts per upload.
const maxParts = 10000

// upload streams an object of unknown length to S3 as a multipart upload: Write fills a part
// buffer, a full buffer is uploaded in the background while the next one fills. Nothing is
// visible under the key until Complete; Abort (or a killed process, whose upload S3 never
// completes) leaves no object.
type upload struct {
	store    *Store
	ctx      context.Context
	key      string
	id       string
	partSize int
	buf      []byte
	spare    chan []byte // buffers free for filling
	pending  chan part   // full buffers waiting for the uploader
	done     chan error  // the uploader's result, once pending is closed
	closed   bool        // pending is closed
	failed   atomic.Pointer[error]
	parts    []minio.CompletePart
	next     int // number of the next part
}

type part struct {
	n    int
	data []byte
}

func (s *Store) newUpload(ctx context.Context, key string, partSize int) (*upload, error) {
	if partSize < 5<<20 {
		return nil, fmt.Errorf("part size %d: S3 needs at least 5 MiB", partSize)
	}
	id, err := s.core.NewMultipartUpload(ctx, s.bucket, key, minio.PutObjectOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return nil, s.wrap("start upload of "+key, err)
	}
	u := &upload{store: s, ctx: ctx, key: key, id: id, partSize: partSize, next: 1,
		spare: make(chan []byte, 2), pending: make(chan part), done: make(chan error, 1)}
	u.spare <- make([]byte, 0, partSize)
	u.spare <- make([]byte, 0, partSize)
	u.buf = <-u.spare
	go u.uploader()
	return u, nil
}

// uploader sends full parts in order; after a failure it drains the rest without sending.
func (u *upload) uploader() {
	var failed error
	for p := range u.pending {
		if failed == nil {
			if failed = u.send(p); failed != nil {
				u.failed.Store(&failed)
			}
		}
		u.spare <- p.data[:0]
	}
	u.done <- failed
}

func (u *upload) send(p part) error {
	sum := md5.Sum(p.data)
	// Content-MD5 protects the part; the payload is not SHA-256-signed, which would hash it twice.
	info, err := u.store.core.PutObjectPart(u.ctx, u.store.bucket, u.key, u.id, p.n, bytes.NewReader(p.data), int64(len(p.data)),
		minio.PutObjectPartOptions{Md5Base64: base64.StdEncoding.EncodeToString(sum[:]), DisableContentSha256: true})
	if err != nil {
		return u.store.wrap(fmt.Sprintf("upload part %d of %s", p.n, u.key), err)
	}
	u.parts = append(u.parts, minio.CompletePart{PartNumber: p.n, ETag: info.ETag})
	return nil
}

// Write buffers p, handing full parts to the uploader. It fails once an upload failed.
func (u *upload) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		n := copy(u.buf[len(u.buf):cap(u.buf)], p)
		u.buf = u.buf[:len(u.buf)+n]
		p, written = p[n:], written+n
		if len(u.buf) == cap(u.buf) {
			if err := u.flush(); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

// flush hands the current buffer to the uploader and takes a free one.
func (u *upload) flush() error {
	if u.next > maxParts {
		return fmt.Errorf("upload of %s: more than %d parts of %d bytes: raise --part-size", u.key, maxParts, u.partSize)
	}
	if err := u.failed.Load(); err != nil {
		return *err
	}
	u.pending <- part{n: u.next, data: u.buf}
	u.next++
	select {
	case u.buf = <-u.spare:
	case <-u.ctx.Done():
		return u.ctx.Err()
	}
	return nil
}

// Complete uploads the last part and makes the object visible.
func (u *upload) Complete() error {
	if len(u.buf) > 0 || u.next == 1 { // an empty object still needs one (empty) part
		if err := u.flush(); err != nil {
			return err
		}
	}
	if err := u.close(); err != nil {
		return err
	}
	_, err := u.store.core.CompleteMultipartUpload(u.ctx, u.store.bucket, u.key, u.id, u.parts, minio.PutObjectOptions{})
	return u.store.wrap("complete upload of "+u.key, err)
}

// Abort cancels the upload so S3 frees its parts; it uses its own short deadline because the
// caller's context is usually what was cancelled.
func (u *upload) Abort() error {
	_ = u.close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return u.store.wrap("abort upload of "+u.key, u.store.core.AbortMultipartUpload(ctx, u.store.bucket, u.key, u.id))
}

// close stops the uploader once it sent (or dropped) every part, and returns its error.
func (u *upload) close() error {
	if u.closed {
		return nil
	}
	u.closed = true
	close(u.pending)
	return <-u.done
}

// abortStale aborts incomplete multipart uploads under prefix started before cutoff: those of
// killed runs (a run that fails aborts its own).
func (s *Store) abortStale(ctx context.Context, prefix string, cutoff time.Time) (int, error) {
	res, err := s.core.ListMultipartUploads(ctx, s.bucket, prefix, "", "", "", 1000)
	if err != nil {
		return 0, s.wrap("list incomplete uploads", err)
	}
	n := 0
	for _, up := range res.Uploads {
		if up.Initiated.Before(cutoff) {
			if err := s.core.AbortMultipartUpload(ctx, s.bucket, up.Key, up.UploadID); err != nil {
				return n, s.wrap("abort stale upload of "+up.Key, err)
			}
			n++
		}
	}
	return n, nil
}
