package blobs_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/assayhq/assay/storage/blobs"
	"github.com/assayhq/assay/testenv"
)

// Objects round-trip through a real MinIO byte for byte: small ones sent
// as one PUT, up to 8 MiB, and larger ones in several parts.
func TestPutGetSameSHA256(t *testing.T) {
	ctx := context.Background()
	store := testenv.Blobs(t)
	for _, size := range []int{0, 1, 5 << 10, 8 << 20, 8<<20 + 1, 20 << 20} {
		payload := make([]byte, size)
		_, _ = rand.Read(payload)
		key := "assessments/a1/" + strings.Repeat("x", size%7+1)
		// Unknown length, as uploads arrive.
		n, err := store.Put(ctx, key, io.NopCloser(bytes.NewReader(payload)), -1, "application/pdf")
		if err != nil {
			t.Fatalf("put %d bytes: %v", size, err)
		}
		if n != int64(size) {
			t.Fatalf("put reported %d bytes, want %d", n, size)
		}
		r, info, err := store.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		_, err = io.Copy(h, r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		want := sha256.Sum256(payload)
		if !bytes.Equal(h.Sum(nil), want[:]) || info.Size != int64(size) || info.ContentType != "application/pdf" {
			t.Fatalf("size %d: object differs after round trip (info %+v)", size, info)
		}
	}
}

// An upload whose body fails before its end stores nothing, whether it
// fails within the part held in memory or after it.
func TestPutReaderFailureStoresNothing(t *testing.T) {
	ctx := context.Background()
	store := testenv.Blobs(t)
	boom := errors.New("client went away")
	for _, at := range []int{10 << 10, 9 << 20} {
		key := fmt.Sprintf("assessments/a1/cut-%d", at)
		body := io.MultiReader(bytes.NewReader(make([]byte, at)), iotest.ErrReader(boom))
		if _, err := store.Put(ctx, key, body, -1, "application/pdf"); !errors.Is(err, boom) {
			t.Fatalf("cut at %d: Put = %v, want the body's error", at, err)
		}
		if _, err := store.Stat(ctx, key); !errors.Is(err, blobs.ErrNotFound) {
			t.Fatalf("cut at %d: Stat = %v, want not found", at, err)
		}
	}
}

func TestStatDeleteList(t *testing.T) {
	ctx := context.Background()
	store := testenv.Blobs(t)
	if _, err := store.Stat(ctx, "missing"); !errors.Is(err, blobs.ErrNotFound) {
		t.Fatalf("stat of a missing key: %v, want ErrNotFound", err)
	}
	for _, k := range []string{"p/a", "p/b", "q/c"} {
		if _, err := store.Put(ctx, k, strings.NewReader(k), int64(len(k)), "text/plain"); err != nil {
			t.Fatal(err)
		}
	}
	list, err := store.List(ctx, "p/")
	if err != nil || len(list) != 2 {
		t.Fatalf("list p/: %v %v", list, err)
	}
	if err := store.Delete(ctx, "p/a"); err != nil {
		t.Fatal(err)
	}
	if err := store.Delete(ctx, "p/a"); err != nil {
		t.Fatalf("deleting a missing key should succeed: %v", err)
	}
	if list, _ := store.List(ctx, "p/"); len(list) != 1 {
		t.Fatalf("after delete: %v", list)
	}
}

// A presigned URL downloads as an attachment until it expires; MinIO checks
// the signature and expiry as AWS does.
func TestPresignedDownloadIsAttachmentAndExpires(t *testing.T) {
	ctx := context.Background()
	store := testenv.Blobs(t)
	if _, err := store.Put(ctx, "k", strings.NewReader("<html>evil</html>"), 17, "text/html"); err != nil {
		t.Fatal(err)
	}
	u, err := store.PresignedDownload(ctx, "k", "report ü.html", 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") ||
		resp.Header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("presigned GET: %d %v", resp.StatusCode, resp.Header)
	}
	time.Sleep(3 * time.Second)
	resp, err = http.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("expired presigned GET answered %d, want 403", resp.StatusCode)
	}
}

// A wrong secret fails at EnsureBucket, which start-up turns into one line.
func TestWrongSecretFailsEnsureBucket(t *testing.T) {
	m := testenv.SharedMinIO(t)
	cfg := m.Config(t)
	cfg.SecretKey = "wrong-secret-key"
	store, err := blobs.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = store.EnsureBucket(ctx)
	if err == nil || !strings.Contains(err.Error(), cfg.Endpoint) {
		t.Fatalf("want an error naming the endpoint, got %v", err)
	}
}

func TestContentDisposition(t *testing.T) {
	cases := map[string]string{
		"policy.pdf":      `attachment; filename="policy.pdf"; filename*=UTF-8''policy.pdf`,
		`a"b\c.pdf`:       `attachment; filename="a_b_c.pdf"; filename*=UTF-8''a%22b%5Cc.pdf`,
		"résumé.docx":     `attachment; filename="r_sum_.docx"; filename*=UTF-8''r%C3%A9sum%C3%A9.docx`,
		"line\nbreak.txt": `attachment; filename="line_break.txt"; filename*=UTF-8''line%0Abreak.txt`,
	}
	for in, want := range cases {
		if got := blobs.ContentDisposition(in); got != want {
			t.Errorf("ContentDisposition(%q) = %s, want %s", in, got, want)
		}
	}
}
