package handlers_test

import (
	"bufio"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/config"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/vendors"
	"go.mongodb.org/mongo-driver/bson"
)

// asmSend sends template key to a new vendor through the service and
// returns the assessment id and the token of the mailed link.
func asmSend(t testing.TB, env *apptest.Env, key string) (string, string) {
	t.Helper()
	s := env.Send(t, asmVendorInput(), assessments.SendRequest{TemplateKey: key})
	return s.ID, s.Token
}

// asmLiteAnswers gives every non-file question of vendor-lite a valid
// answer, answering yes where a question opens follow-ups.
func asmLiteAnswers(t testing.TB, env *apptest.Env, _ string) map[string]any {
	t.Helper()
	tmpl, err := env.App.Library.Latest(context.Background(), "vendor-lite")
	if err != nil {
		t.Fatal(err)
	}
	return asmAnswersFor(tmpl)
}

func asmAnswersFor(tmpl *questionnaires.Template) map[string]any {
	out := map[string]any{}
	for _, q := range tmpl.Questions() {
		switch q.Type {
		case questionnaires.TypeYesNo, questionnaires.TypeYesNoNA:
			out[q.ID] = "yes"
		case questionnaires.TypeSingleChoice:
			out[q.ID] = q.Options[0].Value
		case questionnaires.TypeMultiChoice:
			out[q.ID] = []string{q.Options[0].Value}
		case questionnaires.TypeText, questionnaires.TypeLongText:
			out[q.ID] = "Yes, documented and reviewed yearly."
		case questionnaires.TypeNumber:
			out[q.ID] = 3
		case questionnaires.TypeDate:
			out[q.ID] = "2026-01-15"
		}
	}
	return out
}

// asmPDF is n bytes that sniff as a PDF.
func asmPDF(n int) []byte {
	b := []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	for len(b) < n {
		b = append(b, "2 0 obj << /Type /Page >> endobj\n"...)
	}
	return b[:n]
}

// asmUpload streams body as the file part of a multipart upload; nothing
// is held in memory on the client side either.
func asmUpload(t testing.TB, env *apptest.Env, token, qid, filename string, body io.Reader) asmResp {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := mw.WriteField("question_id", qid)
		if err == nil {
			var w io.Writer
			if w, err = mw.CreateFormFile("file", filename); err == nil {
				_, err = io.Copy(w, body)
			}
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequest(http.MethodPost, env.URL+"/api/v1/portal/"+token+"/evidence", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := env.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return asmResp{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

func (r asmResp) code(t testing.TB) string {
	t.Helper()
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	r.decode(t, &e)
	return e.Error.Code
}

func asmObjects(t testing.TB, env *apptest.Env, id string) int {
	t.Helper()
	infos, err := env.App.Blobs.List(context.Background(), "assessments/"+id+"/")
	if err != nil {
		t.Fatal(err)
	}
	return len(infos)
}

func TestPortalAPIAnswersUploadSubmit(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	id, tok := asmSend(t, env, "vendor-lite")
	base := "/api/v1/portal/" + tok

	var view struct {
		Assessment struct {
			Vendor, RequestedBy, DueDate, Status string
		} `json:"assessment"`
		Sections []struct {
			ID        string `json:"id"`
			Questions []struct {
				ID       string `json:"id"`
				Type     string `json:"type"`
				Visible  bool   `json:"visible"`
				Required bool   `json:"required"`
				Answer   any    `json:"answer"`
				Options  []struct {
					Value, Label string
				} `json:"options"`
				Evidence []any `json:"evidence"`
			} `json:"questions"`
		} `json:"sections"`
		Progress struct{ Answered, Required, Total int } `json:"progress"`
	}
	asmCall(t, env, http.MethodGet, base, "", nil).want(t, http.StatusOK, "portal").decode(t, &view)
	if view.Assessment.Vendor != "Adventure Works" || view.Assessment.Status != "sent" || len(view.Sections) == 0 || view.Progress.Total == 0 {
		t.Fatalf("portal view %+v", view.Assessment)
	}
	q0 := view.Sections[0].Questions[0]
	if q0.ID != "vl-certification" || len(q0.Options) != 2 || q0.Options[0].Value != "yes" || q0.Evidence == nil {
		t.Errorf("first question %+v", q0)
	}

	r := asmCall(t, env, http.MethodPut, base+"/answers", "", map[string]any{"answers": map[string]any{
		"vl-certification": "yes", "vl-policy": "perhaps", "vl-data-access": "no", "vl-unknown": "yes",
	}}).want(t, http.StatusUnprocessableEntity, "mixed answers")
	if got := r.errorFields(t); !slices.Equal(got, []string{"vl-policy", "vl-unknown"}) {
		t.Errorf("fields %v", got)
	}
	var answers struct {
		Answers map[string]any `json:"answers"`
	}
	staff := env.Token(t, auth.RoleViewer)
	asmCall(t, env, http.MethodGet, "/api/v1/assessments/"+id+"/answers", staff, nil).want(t, http.StatusOK, "answers").decode(t, &answers)
	if answers.Answers["vl-certification"] != "yes" || answers.Answers["vl-data-access"] != "no" || answers.Answers["vl-policy"] != nil {
		t.Errorf("after a 422 the valid answers must be saved: %v", answers.Answers)
	}

	var saved struct {
		Progress struct{ Answered, Required, Total int } `json:"progress"`
		Visible  []string                                `json:"visible"`
	}
	asmCall(t, env, http.MethodPut, base+"/answers", "", map[string]any{"answers": map[string]any{"vl-data-access": "yes"}}).
		want(t, http.StatusOK, "answer").decode(t, &saved)
	if !slices.Contains(saved.Visible, "vl-access-control") || saved.Progress.Answered != 2 {
		t.Errorf("after answering: %+v", saved)
	}
	asmCall(t, env, http.MethodPut, base+"/answers", "", map[string]any{"nope": 1}).want(t, http.StatusUnprocessableEntity, "no answers object")

	asmCall(t, env, http.MethodPost, base+"/submit", "", nil).want(t, http.StatusUnprocessableEntity, "submit with open questions")

	exe := strings.NewReader("MZ\x90\x00" + strings.Repeat("\x00", 4000))
	if r := asmUpload(t, env, tok, "vl-certification-file", "cert.pdf", exe); r.Status != http.StatusUnsupportedMediaType || r.code(t) != "unsupported_media_type" {
		t.Errorf("executable upload: %d %s", r.Status, r.Body)
	}
	big := io.MultiReader(strings.NewReader(string(asmPDF(1000))), io.LimitReader(zeroes{}, 51<<20))
	if r := asmUpload(t, env, tok, "vl-certification-file", "huge.pdf", big); r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversize upload: %d %s", r.Status, r.Body)
	}
	if n := asmObjects(t, env, id); n != 0 {
		t.Fatalf("refused uploads left %d objects in the bucket", n)
	}

	var ev struct {
		ID       string `json:"id"`
		Filename string `json:"filename"`
		Size     int64  `json:"size"`
		SHA256   string `json:"sha256"`
	}
	asmUpload(t, env, tok, "vl-certification-file", "draft.pdf", strings.NewReader(string(asmPDF(2000)))).
		want(t, http.StatusCreated, "upload").decode(t, &ev)
	if ev.Filename != "draft.pdf" || ev.Size != 2000 || len(ev.SHA256) != 64 {
		t.Errorf("upload answer %+v", ev)
	}
	asmCall(t, env, http.MethodDelete, base+"/evidence/"+ev.ID, "", nil).want(t, http.StatusNoContent, "remove")
	asmCall(t, env, http.MethodDelete, base+"/evidence/"+ev.ID, "", nil).want(t, http.StatusNotFound, "remove twice")
	asmUpload(t, env, tok, "vl-certification-file", "cert.pdf", strings.NewReader(string(asmPDF(3000)))).want(t, http.StatusCreated, "upload")

	asmCall(t, env, http.MethodPut, base+"/answers", "", map[string]any{"answers": asmLiteAnswers(t, env, tok)}).want(t, http.StatusOK, "all answers")
	asmCall(t, env, http.MethodPost, base+"/submit", "", nil).want(t, http.StatusOK, "submit")
	asmCall(t, env, http.MethodPut, base+"/answers", "", map[string]any{"answers": map[string]any{"vl-policy": "no"}}).
		want(t, http.StatusConflict, "answer after submit")
	if r := asmUpload(t, env, tok, "vl-certification-file", "late.pdf", strings.NewReader(string(asmPDF(100)))); r.Status != http.StatusConflict {
		t.Errorf("upload after submit: %d", r.Status)
	}
	var got asmAssessment
	asmCall(t, env, http.MethodGet, "/api/v1/assessments/"+id, staff, nil).want(t, http.StatusOK, "get").decode(t, &got)
	if got.Status != "submitted" || got.SubmittedAt == nil || got.Progress.Answered != got.Progress.Total {
		t.Errorf("after submit %+v", got)
	}
}

func TestPortalAPILinkStates(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	id, tok := asmSend(t, env, "vendor-lite")
	asmCall(t, env, http.MethodGet, "/api/v1/portal/not-a-real-token", "", nil).want(t, http.StatusNotFound, "unknown link")
	past := time.Now().Add(-time.Hour)
	if _, err := env.App.DB.Collection("assessments").UpdateOne(context.Background(), bson.M{"_id": id}, bson.M{"$set": bson.M{"expires_at": past}}); err != nil {
		t.Fatal(err)
	}
	r := asmCall(t, env, http.MethodGet, "/api/v1/portal/"+tok, "", nil).want(t, http.StatusGone, "expired link")
	if !strings.Contains(string(r.Body), "Example Corp") {
		t.Errorf("the expired answer does not say whom to ask: %s", r.Body)
	}
	asmCall(t, env, http.MethodPut, "/api/v1/portal/"+tok+"/answers", "", map[string]any{"answers": map[string]any{"vl-policy": "yes"}}).
		want(t, http.StatusGone, "saving on an expired link")
	if err := env.App.Assessments.Revoke(context.Background(), audit.System, id); err != nil {
		t.Fatal(err)
	}
	asmCall(t, env, http.MethodGet, "/api/v1/portal/"+tok, "", nil).want(t, http.StatusNotFound, "revoked link")
}

// TestPortalAPIConcurrentAutosaves sends 50 saves at once, each to its own
// question, as 50 open tabs would: every one must persist.
func TestPortalAPIConcurrentAutosaves(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	id, tok := asmSend(t, env, "iso27001-2022-supplier-full")
	a, err := env.App.Assessments.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, q := range a.Template.Questions() {
		if q.Type == questionnaires.TypeYesNo && len(ids) < 50 {
			ids = append(ids, q.ID)
		}
	}
	var wg sync.WaitGroup
	var failed atomic.Int32
	for _, qid := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := asmCall(t, env, http.MethodPut, "/api/v1/portal/"+tok+"/answers", "", map[string]any{"answers": map[string]any{qid: "no"}})
			if r.Status != http.StatusOK {
				failed.Add(1)
				t.Errorf("%s: %d %s", qid, r.Status, r.Body)
			}
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.FailNow()
	}
	a, err = env.App.Assessments.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, qid := range ids {
		if a.Answers[qid].Value() != "no" {
			t.Errorf("the answer to %s was lost", qid)
		}
	}
}

type zeroes struct{}

func (zeroes) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestUpload200MiBKeepsMemoryBounded streams a 200 MiB file through the
// HTTP API to S3 and measures the process's heap while it runs: nothing
// may hold the file whole.
func TestUpload200MiBKeepsMemoryBounded(t *testing.T) {
	env := apptest.New(t, apptest.Options{Configure: func(c *config.Config) { c.MaxUploadMB = 256 }})
	id, tok := asmSend(t, env, "vendor-lite")
	const size = 200 << 20
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	hwmBefore := procStatus(t, "VmHWM")

	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	body := io.MultiReader(strings.NewReader(string(asmPDF(4096))), io.LimitReader(zeroes{}, size-4096))
	r := asmUpload(t, env, tok, "vl-certification-file", "big.pdf", body)
	took := time.Since(start)
	close(stop)
	<-sampled
	r.want(t, http.StatusCreated, "200 MiB upload")
	var ev struct {
		Size int64 `json:"size"`
	}
	r.decode(t, &ev)
	if ev.Size != size || asmObjects(t, env, id) != 1 {
		t.Fatalf("stored %d bytes", ev.Size)
	}
	growth := int64(peak.Load()) - int64(before.HeapInuse)
	hwmGrowth := procStatus(t, "VmHWM") - hwmBefore
	t.Logf("200 MiB upload in %v (%.0f MiB/s): peak heap in use grew %.1f MiB (from %.1f MiB), peak RSS (VmHWM) grew %.1f MiB",
		took.Round(time.Millisecond), float64(size>>20)/took.Seconds(), float64(growth)/(1<<20), float64(before.HeapInuse)/(1<<20), float64(hwmGrowth)/(1<<20))
	if growth > 64<<20 {
		t.Errorf("heap grew %.1f MiB during the upload, limit 64 MiB", float64(growth)/(1<<20))
	}
}

// procStatus reads a kB figure of /proc/self/status, in bytes.
func procStatus(t testing.TB, field string) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}

func asmVendorInput() vendors.Input {
	return vendors.Input{Name: "Adventure Works", Tier: 2, Contacts: []vendors.Contact{{Name: "Avery Answer", Email: "avery@adventure.example"}}}
}
