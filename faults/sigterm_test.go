package faults_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/assayhq/assay/storage/blobs"
	"github.com/assayhq/assay/testenv"
)

// The process is told to stop (SIGTERM, as systemd, Docker or Kubernetes
// do) while a supplier's upload streams in: the upload either finishes
// (201) or fails cleanly, the process exits 0 within its grace period, and
// after a restart every evidence record has its object with the recorded
// size and SHA-256, and no object lacks a record.
func TestSIGTERMDuringUpload(t *testing.T) {
	bin := buildAssay(t)
	minio := testenv.NewMinIO(t)
	box := testenv.MailpitBox(t)
	data := t.TempDir()
	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	env := []string{
		"ASSAY_ADDR=127.0.0.1:" + strconv.Itoa(port), "ASSAY_BASE_URL=" + base, "ASSAY_DATA_DIR=" + data,
		"ASSAY_S3_ENDPOINT=" + minio.Endpoint, "ASSAY_S3_ACCESS_KEY=" + minio.AccessKey, "ASSAY_S3_SECRET_KEY=" + minio.SecretKey,
		"ASSAY_S3_BUCKET=faults-sigterm", "ASSAY_SMTP_HOST=" + box.SMTPHost, "ASSAY_SMTP_PORT=" + strconv.Itoa(box.SMTPPort),
		"ASSAY_SMTP_TLS=none", "ASSAY_ADMIN_EMAIL=admin@faults.test", "ASSAY_ADMIN_PASSWORD=faults admin password", "ASSAY_LOG_LEVEL=warn",
	}
	p := serve(t, bin, env, base)
	token := apiToken(t, base, "admin@faults.test", "faults admin password")
	var v struct{ ID string }
	apiJSON(t, base, token, "/api/v1/vendors", map[string]any{
		"name": "Tailspin Hosting", "tier": 2, "contacts": []map[string]string{{"name": "Tia Supplier", "email": box.Address}},
	}, &v)
	var a struct{ ID string }
	apiJSON(t, base, token, "/api/v1/assessments", map[string]any{
		"vendor_id": v.ID, "template_key": fullISO, "contact_email": box.Address, "due_date": time.Now().AddDate(0, 0, 14).Format("2006-01-02"),
	}, &a)
	mail := box.WaitFor(t, box.Address, 1, time.Minute)[0]
	link, err := testenv.LinkIn(mail.Text, base+"/q/")
	if err != nil {
		t.Fatal(err)
	}
	supplier := strings.TrimPrefix(link, base+"/q/")
	url := base + "/api/v1/portal/" + supplier + "/evidence"

	// One file stored before, which must survive.
	before := file{seed: 1, size: 256 << 10}
	if st, _ := uploadWhole(t, url, evidenceQ, before); st != http.StatusCreated {
		t.Fatalf("upload before the signal: %d", st)
	}
	inflight := file{seed: 2, size: 12 << 20}
	u := startUpload(t, url, evidenceQ)
	r := inflight.reader()
	if !u.send(r, 3<<20, 256<<10, 10*time.Millisecond) {
		t.Fatal("the server stopped reading before the signal")
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	sentAll := u.send(r, inflight.size-3<<20, 1<<20, 50*time.Millisecond)
	res := u.finish(t, 40*time.Second)
	switch {
	case res.err == nil && res.status == http.StatusCreated:
		var ev evidence
		if err := json.Unmarshal([]byte(res.body), &ev); err != nil || ev.SHA256 != inflight.sha256() || ev.Size != inflight.size {
			t.Fatalf("in-flight upload answered 201 with %s; want the file's size and SHA-256", res.body)
		}
	case res.err == nil && res.status >= 500:
		t.Logf("in-flight upload failed cleanly: %d %s", res.status, res.body)
	case res.err != nil:
		t.Logf("in-flight upload cut off: %v", res.err)
	default:
		t.Fatalf("in-flight upload: %d %s, want 201, a 5xx or a closed connection", res.status, res.body)
	}
	t.Logf("in-flight upload: status %d, whole body sent: %v", res.status, sentAll)
	p.waitExit(t, 30*time.Second)

	p = serve(t, bin, env, base)
	defer p.stop(t)
	var recs []evidence
	apiGet(t, base, token, "/api/v1/assessments/"+a.ID+"/evidence", &recs)
	store, err := blobs.Open(blobs.Config{Endpoint: minio.Endpoint, AccessKey: minio.AccessKey, SecretKey: minio.SecretKey, Bucket: "faults-sigterm", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxFor(t, time.Minute)
	objects, err := store.List(ctx, "assessments/"+a.ID+"/")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(objects) || len(recs) < 1 || len(recs) > 2 {
		t.Fatalf("after restart: %d records %+v and %d objects %+v; want one per file stored", len(recs), recs, len(objects), objects)
	}
	shas := map[string]bool{}
	for _, e := range recs {
		rc, info, err := store.Get(ctx, "assessments/"+a.ID+"/"+e.ID)
		if err != nil {
			t.Fatalf("record %s has no object: %v", e.ID, err)
		}
		h := sha256.New()
		n, err := io.Copy(h, rc)
		rc.Close()
		if err != nil || n != e.Size || info.Size != e.Size || hex.EncodeToString(h.Sum(nil)) != e.SHA256 {
			t.Fatalf("object of %s: %d bytes (%v), want %d with SHA-256 %s", e.ID, n, err, e.Size, e.SHA256)
		}
		shas[e.SHA256] = true
	}
	if !shas[before.sha256()] {
		t.Fatal("the file stored before the signal is gone")
	}
	if res.status == http.StatusCreated && !shas[inflight.sha256()] {
		t.Fatal("the upload answered 201 during shutdown but is not stored")
	}
}

// buildAssay compiles the server as `make build` does.
func buildAssay(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "assay")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/assayhq/assay/cmd/assay").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type proc struct {
	cmd    *exec.Cmd
	exited chan error
	out    *bytes.Buffer
}

// serve starts `assay serve` and waits until it is ready.
func serve(t *testing.T, bin string, env []string, base string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, "serve"), exited: make(chan error, 1), out: &bytes.Buffer{}}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.exited:
			t.Fatalf("assay serve exited at start: %v\n%s", err, p.out)
		default:
		}
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("assay serve not ready after 60s:\n%s", p.out)
	return nil
}

// waitExit fails unless the process exits 0 within d.
func (p *proc) waitExit(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case err := <-p.exited:
		if err != nil {
			t.Fatalf("assay serve exited with %v after SIGTERM:\n%s", err, p.out)
		}
	case <-time.After(d):
		t.Fatalf("assay serve still running %s after SIGTERM:\n%s", d, p.out)
	}
}

func (p *proc) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	p.waitExit(t, 30*time.Second)
}

func apiToken(t *testing.T, base, email, password string) string {
	t.Helper()
	var out struct{ Token string }
	apiJSON(t, base, "", "/api/v1/auth/token", map[string]string{"email": email, "password": password}, &out)
	return out.Token
}

// apiJSON posts in as JSON and decodes a 201 answer into out.
func apiJSON(t *testing.T, base, token, path string, in, out any) {
	t.Helper()
	body, _ := json.Marshal(in)
	req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	apiDo(t, req, token, http.StatusCreated, out)
}

func apiGet(t *testing.T, base, token, path string, out any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	apiDo(t, req, token, http.StatusOK, out)
}

func apiDo(t *testing.T, req *http.Request, token string, want int, out any) {
	t.Helper()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s %s: %v in %s", req.Method, req.URL.Path, err, b)
	}
}
