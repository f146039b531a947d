package embedded

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
	bolt "go.etcd.io/bbolt"
)

// S3 is a running S3-compatible endpoint. It checks no signatures, which is
// why it listens on a Unix socket in a folder only its user can open, or on
// loopback for tests, and why browsers never get presigned URLs to it:
// evidence reaches them through Assay.
type S3 struct {
	Endpoint  string // host:port; a name that is never looked up when Socket is set
	Socket    string // the Unix socket to reach it through, if it listens on one
	AccessKey string
	SecretKey string
	srv       *http.Server
	db        *bolt.DB
	done      chan error
	sockDir   string
}

// StartS3 serves an S3 endpoint whose objects live in a bolt file in dir,
// on addr (127.0.0.1:0 picks a free port) or, when addr is empty, on a Unix
// socket in a folder only this user can open: any local user could reach a
// loopback port, and this endpoint trusts every request.
func StartS3(dir, addr string) (*S3, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("embedded S3 folder %s: %w", dir, err)
	}
	if err := checkWritable(dir); err != nil {
		return nil, err
	}
	// A timeout keeps a second process on the same data folder from
	// hanging forever on bolt's file lock.
	db, err := bolt.Open(filepath.Join(dir, "objects.bolt"), 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("embedded S3 store in %s (is another assay using this data folder?): %w", dir, err)
	}
	fake := gofakes3.New(s3bolt.New(db), gofakes3.WithAutoBucket(false))
	s := &S3{
		AccessKey: "assay-embedded",
		SecretKey: "assay-embedded-not-checked",
		srv:       &http.Server{Handler: fake.Server(), ReadHeaderTimeout: 10 * time.Second},
		db:        db,
		done:      make(chan error, 1),
	}
	var ln net.Listener
	if addr == "" {
		if s.sockDir, err = privateSocketDir(); err == nil {
			s.Socket = filepath.Join(s.sockDir, "s3.sock")
			ln, err = net.Listen("unix", s.Socket)
		}
	} else {
		ln, err = net.Listen("tcp", addr)
	}
	if err != nil {
		db.Close()
		removeSockDir(s.sockDir)
		return nil, fmt.Errorf("embedded S3 listener: %w", err)
	}
	s.Endpoint = ln.Addr().String()
	if s.Socket != "" {
		s.Endpoint = "embedded-s3.localhost" // for the Host header only
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// Close stops serving and closes the bolt file.
func (s *S3) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if serveErr := <-s.done; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	removeSockDir(s.sockDir)
	return errors.Join(err, s.db.Close())
}
