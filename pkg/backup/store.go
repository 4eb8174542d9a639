package backup

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config says where backups go and how to authenticate.
type S3Config struct {
	// Endpoint is the S3 server's URL (https://minio.example:9000); empty means AWS S3.
	Endpoint string
	Region   string
	Bucket   string
	// ForcePathStyle addresses the bucket in the path (MinIO, most S3-compatible servers)
	// instead of the host name.
	ForcePathStyle bool
	// Static credentials; empty falls back to AWS_*/MINIO_* variables and IAM (IRSA, instance roles).
	AccessKeyID, SecretAccessKey, SessionToken string
	// CAFile is a PEM bundle trusted besides the system's, for a private CA.
	CAFile string
	// MaxRetries per request (minio-go's default of 10 hides an unreachable endpoint for minutes).
	MaxRetries int
}

// Store is a bucket holding backups.
type Store struct {
	core   minio.Core
	bucket string
	where  string // endpoint/bucket, for messages
}

// ErrorKind says how a caller should react to a store error.
type ErrorKind int

const (
	// StoreFailed is any other failure.
	StoreFailed ErrorKind = iota
	// StoreUnreachable: DNS, connection refused, timeouts, TLS failures.
	StoreUnreachable
	// StoreRejected: wrong credentials or no access; retrying will not help.
	StoreRejected
	// StoreNoBucket: the bucket does not exist.
	StoreNoBucket
)

// StoreError is a failed S3 operation, classified.
type StoreError struct {
	Kind  ErrorKind
	Op    string
	Where string
	Err   error
}

func (e *StoreError) Error() string {
	hint := ""
	switch e.Kind {
	case StoreUnreachable:
		hint = " (endpoint unreachable: check backup.s3.endpoint, DNS and network policies)"
	case StoreRejected:
		hint = " (credentials rejected: check the access key ID and secret access key in backup.s3.existingSecret, and the bucket policy)"
	case StoreNoBucket:
		hint = " (the bucket does not exist: create it, or fix backup.s3.bucket)"
	}
	return fmt.Sprintf("s3 %s on %s: %v%s", e.Op, e.Where, e.Err, hint)
}

func (e *StoreError) Unwrap() error { return e.Err }

// Open connects to the bucket and checks that it exists and the credentials are accepted.
func Open(ctx context.Context, c S3Config) (*Store, error) {
	host, secure, err := parseEndpoint(c.Endpoint)
	if err != nil {
		return nil, err
	}
	tr, err := transport(c.CAFile)
	if err != nil {
		return nil, err
	}
	creds := credentials.NewChainCredentials([]credentials.Provider{
		&credentials.EnvAWS{}, &credentials.EnvMinio{}, &credentials.IAM{Client: &http.Client{Transport: tr}},
	})
	if c.AccessKeyID != "" || c.SecretAccessKey != "" {
		creds = credentials.NewStaticV4(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	}
	lookup := minio.BucketLookupAuto
	if c.ForcePathStyle {
		lookup = minio.BucketLookupPath
	}
	region := c.Region
	if region == "" {
		region = "us-east-1" // set, or minio-go asks the server for the bucket's location first
	}
	retries := c.MaxRetries
	if retries == 0 {
		retries = 3
	}
	cl, err := minio.New(host, &minio.Options{Creds: creds, Secure: secure, Region: region, BucketLookup: lookup, Transport: tr, MaxRetries: retries})
	if err != nil {
		return nil, fmt.Errorf("s3 client for %s: %w", c.Endpoint, err)
	}
	s := &Store{core: minio.Core{Client: cl}, bucket: c.Bucket, where: cl.EndpointURL().Host + "/" + c.Bucket}
	ok, err := cl.BucketExists(ctx, c.Bucket)
	if err != nil {
		return nil, s.wrap("check bucket", err)
	}
	if !ok {
		return nil, &StoreError{Kind: StoreNoBucket, Op: "check bucket", Where: s.where, Err: fmt.Errorf("bucket %q not found", c.Bucket)}
	}
	return s, nil
}

func parseEndpoint(ep string) (host string, secure bool, err error) {
	if ep == "" {
		return "s3.amazonaws.com", true, nil
	}
	if !strings.Contains(ep, "://") {
		ep = "https://" + ep
	}
	u, err := url.Parse(ep)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", false, fmt.Errorf("s3 endpoint %q: want http(s)://host[:port]", ep)
	}
	if u.Path != "" && u.Path != "/" {
		return "", false, fmt.Errorf("s3 endpoint %q: no path allowed (the bucket is a separate setting)", ep)
	}
	return u.Host, u.Scheme == "https", nil
}

// transport is minio-go's default transport, trusting caFile besides the system CAs.
func transport(caFile string) (*http.Transport, error) {
	tr, err := minio.DefaultTransport(true)
	if err != nil {
		return nil, err
	}
	tr.ResponseHeaderTimeout = 2 * time.Minute
	if caFile == "" {
		return tr, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("s3 CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("s3 CA file %s: no PEM certificate in it", caFile)
	}
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tr.TLSClientConfig.RootCAs = pool
	return tr, nil
}

// wrap classifies err from operation op.
func (s *Store) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	kind := StoreFailed
	var netErr net.Error
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	switch code := minio.ToErrorResponse(err).Code; {
	case code == "NoSuchBucket":
		kind = StoreNoBucket
	case code == "InvalidAccessKeyId", code == "SignatureDoesNotMatch", code == "AccessDenied",
		code == "InvalidToken", code == "ExpiredToken", code == "Forbidden":
		kind = StoreRejected
	case errors.As(err, &netErr), errors.As(err, &certErr), errors.As(err, &unknownCA):
		kind = StoreUnreachable
	}
	if strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "no such host") {
		kind = StoreUnreachable
	}
	return &StoreError{Kind: kind, Op: op, Where: s.where, Err: err}
}

func isNotFound(err error) bool { return minio.ToErrorResponse(err).Code == "NoSuchKey" }

// put writes a small object in one request, signed with its SHA-256 and MD5.
func (s *Store) put(ctx context.Context, key string, data []byte, contentType string) error {
	m := md5.Sum(data)
	h := sha256.Sum256(data)
	_, err := s.core.PutObject(ctx, s.bucket, key, bytes.NewReader(data), int64(len(data)),
		base64.StdEncoding.EncodeToString(m[:]), hex.EncodeToString(h[:]),
		minio.PutObjectOptions{ContentType: contentType, DisableContentSha256: true})
	return s.wrap("put "+key, err)
}

// get opens an object for reading.
func (s *Store) get(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	r, info, _, err := s.core.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, 0, s.wrap("get "+key, err)
	}
	return r, info.Size, nil
}

// remove deletes an object (absent is fine).
func (s *Store) remove(ctx context.Context, key string) error {
	return s.wrap("delete "+key, s.core.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}))
}

// object is a listed object.
type object struct {
	Key          string
	Size         int64
	LastModified time.Time
}

// list returns every object under prefix.
func (s *Store) list(ctx context.Context, prefix string) ([]object, error) {
	var out []object
	for o := range s.core.Client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			return nil, s.wrap("list "+prefix, o.Err)
		}
		out = append(out, object{Key: o.Key, Size: o.Size, LastModified: o.LastModified})
	}
	return out, nil
}
