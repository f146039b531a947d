package faults_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/config"
	"github.com/assayhq/assay/testenv"
)

// The S3 endpoint stops while a supplier's upload streams through: the
// supplier gets a 503 that says to try again, no evidence record or object
// is left behind, and once S3 is back the same upload goes through whole.
func TestUploadWhenS3StopsMidway(t *testing.T) {
	minio := testenv.NewMinIO(t)
	env := apptest.New(t, apptest.Options{NoWorkers: true, Configure: func(c *config.Config) {
		c.S3Endpoint, c.S3AccessKey, c.S3SecretKey, c.S3Bucket = minio.Endpoint, minio.AccessKey, minio.SecretKey, "faults-s3"
	}})
	id, token := sendFull(t, env)
	url := env.URL + "/api/v1/portal/" + token + "/evidence"
	// Assay holds the first 8 MiB before it sends anything (a smaller
	// file goes as one PUT), then sends parts of 8 MiB: with 10 MiB read,
	// the upload in parts has begun when S3 goes.
	f := file{seed: 3, size: 20 << 20}

	u := startUpload(t, url, evidenceQ)
	r := f.reader()
	if !u.send(r, 10<<20, 256<<10, 20*time.Millisecond) {
		t.Fatal("the server stopped reading before S3 stopped")
	}
	minio.Stop()
	u.send(r, f.size-10<<20, 1<<20, 0)
	res := u.finish(t, 90*time.Second)
	if res.err != nil {
		t.Fatalf("the upload got no answer, only %v", res.err)
	}
	var body struct {
		Error struct{ Code, Message string }
	}
	_ = json.Unmarshal([]byte(res.body), &body)
	if res.status != http.StatusServiceUnavailable || body.Error.Code != "unavailable" ||
		!strings.Contains(body.Error.Message, "again") || strings.Contains(body.Error.Message, "127.0.0.1") {
		t.Fatalf("upload while S3 is down: %d %s; want 503 unavailable with a message to upload again and no internals", res.status, res.body)
	}
	ctx := ctxFor(t, time.Minute)
	if ev, err := env.App.Assessments.Evidence(ctx, id); err != nil || len(ev) != 0 {
		t.Fatalf("after the failed upload: records %v (%v), want none", ev, err)
	}

	if err := minio.Start(); err != nil {
		t.Fatal(err)
	}
	if objects, err := env.App.Blobs.List(ctx, "assessments/"+id+"/"); err != nil || len(objects) != 0 {
		t.Fatalf("after the failed upload: objects %v (%v), want none", objects, err)
	}
	status, ev := uploadWhole(t, url, evidenceQ, f)
	if status != http.StatusCreated || ev.SHA256 != f.sha256() || ev.Size != f.size {
		t.Fatalf("retry once S3 is back: %d %+v, want 201 with size %d and the file's SHA-256", status, ev, f.size)
	}
	recs, err := env.App.Assessments.Evidence(ctx, id)
	if err != nil || len(recs) != 1 || recs[0].SHA256 != ev.SHA256 {
		t.Fatalf("records after the retry: %+v (%v), want the one file", recs, err)
	}
	rc, info, err := env.App.Blobs.Get(ctx, recs[0].ObjectKey)
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	if info.Size != f.size {
		t.Fatalf("stored object is %d bytes, want %d", info.Size, f.size)
	}
}
