package embedded

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assayhq/assay/storage/blobs"
	storemongo "github.com/assayhq/assay/storage/mongo"
	"go.mongodb.org/mongo-driver/bson"
)

// A document written through the driver must survive a restart of the
// embedded server on the same folder: that is what "data persists" means.
// Assay reaches it on a Unix socket in a folder only its user can open, and
// the test servers on a loopback port; both are checked.
func TestMongoPersistsAcrossRestart(t *testing.T) {
	for _, tc := range []struct{ name, addr string }{{"private socket", ""}, {"loopback port", "127.0.0.1:0"}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			start := func() *Mongo {
				m, err := StartMongo(ctx, dir, tc.addr, "", nil)
				if err != nil {
					t.Fatal(err)
				}
				if tc.addr == "" {
					st, err := os.Stat(m.sockDir)
					if err != nil || st.Mode().Perm() != 0o700 || !strings.Contains(m.URI, url.PathEscape(m.sockDir)) {
						t.Fatalf("socket folder %s: %v %v, URI %s; want mode 0700 and the URI naming it", m.sockDir, st, err, m.URI)
					}
				}
				return m
			}
			m := start()
			db, err := storemongo.Connect(ctx, m.URI, "assay")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Collection("things").InsertOne(ctx, bson.M{"_id": "a", "n": 42}); err != nil {
				t.Fatal(err)
			}
			_ = db.Client().Disconnect(ctx)
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(m.sockDir); m.sockDir != "" && !os.IsNotExist(err) {
				t.Errorf("socket folder %s left after Close: %v", m.sockDir, err)
			}

			m = start()
			defer m.Close()
			db, err = storemongo.Connect(ctx, m.URI, "assay")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Client().Disconnect(ctx)
			var got struct{ N int }
			if err := db.Collection("things").FindOne(ctx, bson.M{"_id": "a"}).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if got.N != 42 {
				t.Fatalf("after restart n = %d, want 42", got.N)
			}
		})
	}
}

func TestMongoRefusesUnwritableFolder(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := StartMongo(context.Background(), filepath.Join(file, "db"), "127.0.0.1:0", "", nil)
	if err == nil || !strings.Contains(err.Error(), "folder") {
		t.Fatalf("want an error naming the folder, got %v", err)
	}
}

// The embedded endpoint is reached through minio-go like any S3, and keeps
// objects across restarts: on the private socket Assay uses, which nothing
// else can reach, and on a loopback port.
func TestS3RoundTripAndRestart(t *testing.T) {
	for _, tc := range []struct{ name, addr string }{{"private socket", ""}, {"loopback port", "127.0.0.1:0"}} {
		t.Run(tc.name, func(t *testing.T) { testS3RoundTripAndRestart(t, tc.addr) })
	}
}

func testS3RoundTripAndRestart(t *testing.T, addr string) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := StartS3(dir, addr)
	if err != nil {
		t.Fatal(err)
	}
	open := func(s *S3) *blobs.Store {
		if addr == "" {
			st, err := os.Stat(filepath.Dir(s.Socket))
			if err != nil || st.Mode().Perm() != 0o700 {
				t.Fatalf("socket folder of %s: %v %v, want mode 0700", s.Socket, st, err)
			}
		}
		st, err := blobs.Open(blobs.Config{Endpoint: s.Endpoint, Socket: s.Socket, AccessKey: s.AccessKey, SecretKey: s.SecretKey, Bucket: "evidence", Region: "us-east-1"})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.EnsureBucket(ctx); err != nil {
			t.Fatal(err)
		}
		return st
	}
	payload := bytes.Repeat([]byte("assay evidence "), 100_000)
	want := sha256.Sum256(payload)
	if _, err := open(s).Put(ctx, "a/b.pdf", bytes.NewReader(payload), -1, "application/pdf"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = StartS3(dir, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, info, err := open(s).Get(ctx, "a/b.pdf")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(h.Sum(nil), want[:]) || info.Size != int64(len(payload)) {
		t.Fatalf("object changed across restart: size %d", info.Size)
	}
}
