package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/assayhq/assay/storage/blobs"
)

// MinIO is a MinIO server started for tests.
type MinIO struct {
	*Process
	Endpoint  string
	AccessKey string
	SecretKey string
}

// NewMinIO starts a dedicated MinIO, stopped when the test ends. Fault tests
// use it to stop and restart S3; other tests share one through Blobs.
func NewMinIO(t testing.TB) *MinIO {
	t.Helper()
	m, err := StartMinIO(t.TempDir(), mustPorts(t, 2))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	return m
}

// StartMinIO runs MinIO with its data in dir, serving S3 on ports[0] and
// its console on ports[1] of loopback, and returns once it answers. The
// caller stops it; the load generator uses it outside of tests.
func StartMinIO(dir string, ports []int) (*MinIO, error) {
	bin, err := Tool("minio")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("minio data folder: %w", err)
	}
	m := &MinIO{Endpoint: addr(ports[0]), AccessKey: "assaytest", SecretKey: "assaytest-secret-key"}
	m.Process = &Process{
		name: "minio", bin: bin,
		args: []string{"server", dir, "--address", m.Endpoint, "--console-address", addr(ports[1]), "--quiet"},
		env: []string{"MINIO_ROOT_USER=" + m.AccessKey, "MINIO_ROOT_PASSWORD=" + m.SecretKey,
			"MINIO_BROWSER=off", "MINIO_UPDATE=off", "MINIO_CI_CD=1"},
		ready: "http://" + m.Endpoint + "/minio/health/live",
	}
	return m, m.Start()
}

// Store returns a store on a fresh bucket of this server.
func (m *MinIO) Store(t testing.TB) *blobs.Store {
	t.Helper()
	return m.StoreConfig(t, m.Config(t))
}

// Config returns a blobs configuration for a fresh bucket name.
func (m *MinIO) Config(t testing.TB) blobs.Config {
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := strings.ReplaceAll(strings.ToLower(DBName(t)), "_", "-")
	if len(name) > 50 {
		name = name[:50]
	}
	return blobs.Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey,
		Bucket: strings.Trim(name, "-") + "-" + hex.EncodeToString(b[:]), Region: "us-east-1"}
}

// StoreConfig opens cfg and creates its bucket.
func (m *MinIO) StoreConfig(t testing.TB, cfg blobs.Config) *blobs.Store {
	t.Helper()
	s, err := blobs.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureBucket(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

var (
	minioOnce sync.Once
	shared    *MinIO
	minioErr  error
)

// SharedMinIO returns the package's shared MinIO server.
func SharedMinIO(t testing.TB) *MinIO {
	t.Helper()
	minioOnce.Do(func() {
		dir, err := os.MkdirTemp("", "assay-test-minio-*")
		if err != nil {
			minioErr = err
			return
		}
		ports := make([]int, 2)
		for i := range ports {
			if ports[i], err = FreePort(); err != nil {
				minioErr = err
				return
			}
		}
		shared, minioErr = StartMinIO(dir, ports)
	})
	if minioErr != nil {
		t.Fatalf("MinIO: %v", fmt.Errorf("%w", minioErr))
	}
	return shared
}

// Blobs returns a store on a fresh bucket of the shared MinIO.
func Blobs(t testing.TB) *blobs.Store {
	t.Helper()
	return SharedMinIO(t).Store(t)
}
