// Package blobs keeps evidence files in an S3 bucket through minio-go: AWS
// S3, MinIO or the embedded endpoint, with one code path.
package blobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// partSize bounds the memory one upload of unknown length holds: minio-go
// buffers one part at a time, and its default for unknown sizes is hundreds
// of MiB.
const partSize = 8 << 20

// ErrNotFound is returned for a key the bucket does not hold.
var ErrNotFound = errors.New("object not found")

// Config names the endpoint and bucket.
type Config struct {
	Endpoint string // host:port
	// Socket, when set, is a Unix socket every request goes through
	// instead of a TCP connection to Endpoint: the embedded endpoint's.
	Socket    string
	AccessKey string
	SecretKey string
	Bucket    string
	Region    string
	UseTLS    bool
}

// Store is one bucket.
type Store struct {
	client *minio.Client
	bucket string
	region string
}

// Info describes a stored object.
type Info struct {
	Key         string
	Size        int64
	ContentType string
}

// Open connects to the endpoint. It makes no request; call EnsureBucket to
// check credentials and create the bucket.
func Open(cfg Config) (*Store, error) {
	opts := &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.UseTLS,
		Region: cfg.Region,
	}
	if cfg.Socket != "" {
		tr, err := minio.DefaultTransport(cfg.UseTLS)
		if err != nil {
			return nil, fmt.Errorf("S3 endpoint %s: %w", cfg.Endpoint, err)
		}
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", cfg.Socket)
		}
		opts.Transport = tr
	}
	c, err := minio.New(cfg.Endpoint, opts)
	if err != nil {
		return nil, fmt.Errorf("S3 endpoint %s: %w", cfg.Endpoint, err)
	}
	return &Store{client: c, bucket: cfg.Bucket, region: cfg.Region}, nil
}

// EnsureBucket creates the bucket if it is missing. A wrong key or an
// unreachable endpoint fails here, at start, with the endpoint named.
func (s *Store) EnsureBucket(ctx context.Context) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("S3 bucket %s at %s: %w", s.bucket, s.client.EndpointURL().Host, err)
	}
	if exists {
		return nil
	}
	err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: s.region})
	if err != nil {
		// Another instance may have created it between the two calls.
		if resp := minio.ToErrorResponse(err); resp.Code == "BucketAlreadyOwnedByYou" {
			return nil
		}
		return fmt.Errorf("creating S3 bucket %s: %w", s.bucket, err)
	}
	return nil
}

// Ping checks the bucket is reachable, for readiness probes.
func (s *Store) Ping(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("bucket %s does not exist", s.bucket)
	}
	return nil
}

// Put streams r into key. size is -1 when unknown: an object of up to
// smallObject bytes is then read first and sent as one PUT, and a larger
// one goes in parts of partSize, so memory stays bounded whatever the
// file's size.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (int64, error) {
	if size < 0 {
		h := &head{}
		defer h.release()
		whole, err := h.fill(r, smallObject)
		if err != nil {
			return 0, fmt.Errorf("storing %s: %w", key, err)
		}
		if whole {
			r, size = h, h.size
		} else {
			r = io.MultiReader(h, r)
		}
	}
	info, err := s.client.PutObject(ctx, s.bucket, key, r, size, minio.PutObjectOptions{
		ContentType: contentType,
		PartSize:    partSize,
		// Assay hashes every upload itself as it streams; a signed payload
		// would only add aws-chunked framing, which not every S3-compatible
		// endpoint decodes (the embedded one stores it verbatim).
		DisableContentSha256: true,
	})
	if err != nil {
		return 0, fmt.Errorf("storing %s: %w", key, err)
	}
	return info.Size, nil
}

// Get opens key for reading; the caller closes it.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, Info{}, fmt.Errorf("reading %s: %w", key, err)
	}
	st, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, Info{}, s.wrap(key, err)
	}
	return obj, Info{Key: key, Size: st.Size, ContentType: st.ContentType}, nil
}

// Stat describes key without reading it.
func (s *Store) Stat(ctx context.Context, key string) (Info, error) {
	st, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, s.wrap(key, err)
	}
	return Info{Key: key, Size: st.Size, ContentType: st.ContentType}, nil
}

// Delete removes key; removing a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("deleting %s: %w", key, err)
	}
	return nil
}

// List returns the keys under prefix.
func (s *Store) List(ctx context.Context, prefix string) ([]Info, error) {
	var out []Info
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			return nil, fmt.Errorf("listing %s: %w", prefix, obj.Err)
		}
		out = append(out, Info{Key: obj.Key, Size: obj.Size, ContentType: obj.ContentType})
	}
	return out, nil
}

// PresignedDownload returns a URL valid for ttl that makes the browser save
// the object as filename instead of rendering it. Only for real S3 or MinIO:
// the embedded endpoint checks no signatures and listens on loopback.
func (s *Store) PresignedDownload(ctx context.Context, key, filename string, ttl time.Duration) (*url.URL, error) {
	params := url.Values{}
	params.Set("response-content-disposition", ContentDisposition(filename))
	params.Set("response-content-type", "application/octet-stream")
	u, err := s.client.PresignedGetObject(ctx, s.bucket, key, ttl, params)
	if err != nil {
		return nil, fmt.Errorf("presigning %s: %w", key, err)
	}
	return u, nil
}

func (s *Store) wrap(key string, err error) error {
	if resp := minio.ToErrorResponse(err); resp.Code == "NoSuchKey" || resp.StatusCode == 404 {
		return fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	return fmt.Errorf("reading %s: %w", key, err)
}

// ContentDisposition is an attachment header value safe for any filename
// (RFC 6266 with an RFC 5987 UTF-8 form).
func ContentDisposition(filename string) string {
	ascii := make([]rune, 0, len(filename))
	for _, r := range filename {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			r = '_'
		}
		ascii = append(ascii, r)
	}
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, string(ascii), url.PathEscape(filename))
}

// Copy duplicates src to dst inside the bucket; the bytes never leave the
// S3 server.
func (s *Store) Copy(ctx context.Context, src, dst string) error {
	_, err := s.client.CopyObject(ctx,
		minio.CopyDestOptions{Bucket: s.bucket, Object: dst},
		minio.CopySrcOptions{Bucket: s.bucket, Object: src})
	if err != nil {
		return fmt.Errorf("copying to %s: %w", dst, s.wrap(src, err))
	}
	return nil
}
