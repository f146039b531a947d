package faults_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/assessments"
)

const (
	fullISO = "iso27001-2022-supplier-full"
	// evidenceQ and the yes/no questions below are unconditional questions
	// of the full ISO questionnaire.
	evidenceQ = "sup-policy"
)

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// sendFull sends the full ISO questionnaire to a new vendor through the
// service and returns the assessment id and the token of the mailed link.
func sendFull(t *testing.T, env *apptest.Env) (string, string) {
	t.Helper()
	s := env.Send(t, apptest.Vendor("Fabrikam Storage", 2), assessments.SendRequest{TemplateKey: fullISO})
	return s.ID, s.Token
}

// file is a generated PDF of a given size whose bytes are a function of
// its seed, so a test can send it twice and hash it without keeping it.
type file struct {
	seed byte
	size int64
}

func (f file) reader() io.Reader {
	return io.LimitReader(io.MultiReader(strings.NewReader("%PDF-1.7\n"), &pattern{seed: f.seed}), f.size)
}

func (f file) sha256() string {
	h := sha256.New()
	_, _ = io.Copy(h, f.reader())
	return hex.EncodeToString(h.Sum(nil))
}

// pattern is an endless stream of bytes that differs by seed; each byte
// depends on its offset only, however the stream is read.
type pattern struct {
	seed byte
	off  int64
}

func (p *pattern) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = p.seed + byte(p.off*7) + byte(p.off>>9)
		p.off++
	}
	return len(b), nil
}

// upload is a portal API upload whose body the test writes as it likes:
// the question_id part and the file part's header go at once, then the
// test writes the file's bytes (slowly, or stopping something midway) and
// calls finish.
type upload struct {
	w    *io.PipeWriter
	mw   *multipart.Writer
	part io.Writer
	resp chan result
}

type result struct {
	status int
	body   string
	err    error
}

func startUpload(t *testing.T, url, qid string) *upload {
	t.Helper()
	pr, pw := io.Pipe()
	u := &upload{w: pw, mw: multipart.NewWriter(pw), resp: make(chan result, 1)}
	req, err := http.NewRequest(http.MethodPost, url, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", u.mw.FormDataContentType())
	go func() {
		resp, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
		if err != nil {
			_ = pr.CloseWithError(err)
			u.resp <- result{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		_ = pr.CloseWithError(fmt.Errorf("answered %d", resp.StatusCode))
		u.resp <- result{status: resp.StatusCode, body: string(b)}
	}()
	if err := u.mw.WriteField("question_id", qid); err != nil {
		t.Fatal(err)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="security-policy.pdf"`)
	h.Set("Content-Type", "application/pdf")
	if u.part, err = u.mw.CreatePart(h); err != nil {
		t.Fatal(err)
	}
	return u
}

// send writes n bytes of r in chunks of chunk with a pause between them,
// as a slow connection delivers them; it stops early, without failing,
// once the server has answered or hung up.
func (u *upload) send(r io.Reader, n, chunk int64, pause time.Duration) bool {
	buf := make([]byte, chunk)
	for n > 0 {
		m := min(chunk, n)
		if _, err := io.ReadFull(r, buf[:m]); err != nil {
			return false
		}
		if _, err := u.part.Write(buf[:m]); err != nil {
			return false
		}
		n -= m
		time.Sleep(pause)
	}
	return true
}

// finish closes the body and waits for the answer.
func (u *upload) finish(t *testing.T, timeout time.Duration) result {
	t.Helper()
	_ = u.mw.Close()
	_ = u.w.Close()
	select {
	case r := <-u.resp:
		return r
	case <-time.After(timeout):
		t.Fatalf("no answer to the upload within %s", timeout)
		return result{}
	}
}

// uploadWhole posts f in one go and returns the status and evidence.
func uploadWhole(t *testing.T, url, qid string, f file) (int, evidence) {
	t.Helper()
	u := startUpload(t, url, qid)
	u.send(f.reader(), f.size, 1<<20, 0)
	r := u.finish(t, time.Minute)
	if r.err != nil {
		t.Fatalf("upload: %v", r.err)
	}
	var ev evidence
	if r.status == http.StatusCreated {
		if err := json.Unmarshal([]byte(r.body), &ev); err != nil {
			t.Fatalf("upload answer %q: %v", r.body, err)
		}
	}
	return r.status, ev
}

type evidence struct {
	ID         string `json:"id"`
	QuestionID string `json:"question_id"`
	Size       int64  `json:"size"`
	SHA256     string `json:"sha256"`
}
