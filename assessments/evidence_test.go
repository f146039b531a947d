package assessments_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
)

func TestUploadStoresHashesAndRecords(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	a, tok := r.send("basic")
	if _, err := r.svc.SaveAnswers(ctx, supplier, tok, map[string]any{"gov.policy": "yes"}); err != nil {
		t.Fatal(err)
	}
	body := pdf(200_000)
	e, err := r.svc.Upload(ctx, supplier, tok, "gov.policy-file", `C:\Users\ann\Policy 2026.pdf`, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	if e.Size != int64(len(body)) || e.SHA256 != hex.EncodeToString(sum[:]) || e.ContentType != assessments.TypePDF || e.Filename != "Policy 2026.pdf" {
		t.Errorf("record %+v", e)
	}
	objs := r.objects(a.ID)
	if len(objs) != 1 || objs[0].Key != assessments.ObjectKey(a.ID, e.ID) || objs[0].Size != int64(len(body)) {
		t.Fatalf("objects %+v", objs)
	}
	rc, got, err := r.svc.OpenSupplierEvidence(ctx, tok, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	back, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(back, body) || got.ID != e.ID {
		t.Error("the stored bytes differ from the upload")
	}
	before := len(r.audit.actions(a.ID))
	rc, _, err = r.svc.OpenEvidence(ctx, reviewer, a.ID, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	if acts := r.audit.actions(a.ID); len(acts) != before+1 || acts[len(acts)-1] != "evidence.download" {
		t.Errorf("staff download not audited: %v", acts)
	}
	if _, _, err := r.svc.OpenEvidence(ctx, reviewer, "other", e.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("evidence through another assessment: %v", err)
	}
	if p := r.get(a.ID).Progress; p.Answered != 2 {
		t.Errorf("the file does not answer its question: %+v", p)
	}

	if err := r.svc.RemoveEvidence(ctx, supplier, tok, e.ID); err != nil {
		t.Fatal(err)
	}
	if objs := r.objects(a.ID); len(objs) != 0 {
		t.Errorf("removed evidence left %d objects", len(objs))
	}
	if list, _ := r.svc.SupplierEvidence(ctx, tok); len(list) != 0 {
		t.Errorf("removed evidence still listed")
	}
	if err := r.svc.RemoveEvidence(ctx, supplier, tok, e.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("removing twice: %v", err)
	}
}

func TestUploadRefusalsLeaveNothing(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	a, tok := r.send("basic")
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 5000)...)
	cases := []struct {
		name     string
		question string
		filename string
		body     io.Reader
		want     error
	}{
		{"executable", "gov.policy-file", "policy.pdf", bytes.NewReader(exe), apperr.ErrUnsupportedMedia},
		{"html named txt", "gov.policy-file", "notes.txt", strings.NewReader("<!DOCTYPE html><html><script>alert(1)</script></html>"), apperr.ErrUnsupportedMedia},
		// The limit is above one 8 MiB part, so these abort a multipart upload.
		{"one byte oversize", "gov.policy-file", "big.pdf", bytes.NewReader(pdf(9<<20 + 1)), apperr.ErrTooLarge},
		{"oversize stream", "gov.policy-file", "huge.pdf", io.MultiReader(bytes.NewReader(pdf(1000)), zeros(20<<20)), apperr.ErrTooLarge},
		{"cut off in the first part", "gov.policy-file", "cut.pdf", io.MultiReader(bytes.NewReader(pdf(10_000)), failing{}), errAny},
		{"cut off after a part", "gov.policy-file", "cut.pdf", io.MultiReader(bytes.NewReader(pdf(10_000)), zeros(8<<20), failing{}), errAny},
		{"question without files", "ops.backup", "a.pdf", bytes.NewReader(pdf(100)), nil},
		{"unknown question", "nope", "a.pdf", bytes.NewReader(pdf(100)), nil},
		{"empty file", "gov.policy-file", "a.pdf", bytes.NewReader(nil), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := r.svc.Upload(ctx, supplier, tok, c.question, c.filename, c.body)
			switch {
			case c.want == nil && len(apperr.Fields(err)) == 0:
				t.Errorf("want a field error, got %v", err)
			case c.want == errAny && err == nil:
				t.Error("the upload succeeded")
			case c.want != nil && c.want != errAny && !errors.Is(err, c.want):
				t.Errorf("got %v, want %v", err, c.want)
			}
			if objs := r.objects(a.ID); len(objs) != 0 {
				t.Errorf("refused upload left objects %+v", objs)
			}
			if list, _ := r.svc.SupplierEvidence(ctx, tok); len(list) != 0 {
				t.Errorf("refused upload left records %+v", list)
			}
		})
	}
}

func TestUploadAcceptsTheAllowList(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	_, tok := r.send("basic")
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...)
	jpeg := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), make([]byte, 100)...)
	cases := []struct {
		filename string
		body     []byte
		want     string
	}{
		{"cert.png", png, assessments.TypePNG},
		{"photo.jpg", jpeg, assessments.TypeJPEG},
		{"policy.docx", ooxml(t, "word/document.xml"), assessments.TypeDOCX},
		{"risks.xlsx", ooxml(t, "xl/workbook.xml"), assessments.TypeXLSX},
		{"deck.pptx", ooxml(t, "ppt/presentation.xml"), assessments.TypePPTX},
		{"bundle.zip", zipOf(t, "a.txt", "b.txt"), assessments.TypeZIP},
		{"notes.txt", []byte("Plain notes, with accents: café.\n"), assessments.TypeTXT},
		{"assets.csv", []byte("name,owner\nlaptop,ann\n"), assessments.TypeCSV},
	}
	for _, c := range cases {
		e, err := r.svc.Upload(ctx, supplier, tok, "gov.policy-file", c.filename, bytes.NewReader(c.body))
		if err != nil {
			t.Errorf("%s: %v", c.filename, err)
			continue
		}
		if e.ContentType != c.want {
			t.Errorf("%s recorded as %s, want %s", c.filename, e.ContentType, c.want)
		}
	}
}

// ooxml builds a minimal Office document: [Content_Types].xml first, as
// Office writes it, then the part naming its kind.
func ooxml(t *testing.T, part string) []byte {
	return zipOf(t, "[Content_Types].xml", "_rels/.rels", part)
}

func zipOf(t *testing.T, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, "<xml>"+n+"</xml>")
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// errAny stands for whatever error a broken connection gives.
var errAny = errors.New("any error")

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func zeros(n int64) io.Reader { return io.LimitReader(zeroReader{}, n) }

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestReassessmentCarriesAnswersAndRecentEvidence(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	v := r.vendor("Again Ltd", 1, assessments.Contact{Email: "again@again.example"})
	first, tok := r.sendTo(v, "basic")
	answerBasic(t, r, tok)
	if _, err := r.svc.SaveAnswers(ctx, supplier, tok, map[string]any{"ops.staff": 4, "gov.certs": []string{"soc2"}}); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.Submit(ctx, supplier, tok); err != nil {
		t.Fatal(err)
	}

	r.clock.Advance(24 * 3600e9)
	second, tok2 := r.sendTo(v, "basic")
	if second.PreviousID != first.ID {
		t.Fatalf("previous %q", second.PreviousID)
	}
	if _, err := r.svc.SaveAnswers(ctx, supplier, tok2, map[string]any{"ops.backup": "yes"}); err != nil {
		t.Fatal(err)
	}
	n, err := r.svc.StartFromPrevious(ctx, supplier, tok2)
	if err != nil {
		t.Fatal(err)
	}
	// gov.policy, gov.certs, ops.staff and one file; ops.backup was already answered.
	if n != 4 {
		t.Errorf("carried %d items, want 4", n)
	}
	got := r.get(second.ID)
	if !got.Answers["gov.policy"].Prefilled || got.Answers["ops.backup"].Prefilled || got.Answers["ops.backup"].Value() != "yes" {
		t.Errorf("answers %+v", got.Answers)
	}
	ev, _ := r.svc.Evidence(ctx, second.ID)
	if len(ev) != 1 || ev[0].CarriedFrom != first.ID || ev[0].ObjectKey == "" {
		t.Fatalf("evidence %+v", ev)
	}
	if objs := r.objects(second.ID); len(objs) != 1 {
		t.Errorf("carried evidence has no object of its own: %+v", objs)
	}
	if again, err := r.svc.StartFromPrevious(ctx, supplier, tok2); err != nil || again != 0 {
		t.Errorf("starting again carried %d (%v)", again, err)
	}

	changed, err := r.svc.ChangedSincePrevious(ctx, got)
	if err != nil {
		t.Fatal(err)
	}
	if !changed["ops.backup"] || len(changed) != 1 {
		t.Errorf("changed %v, want only ops.backup", changed)
	}
	if _, err := r.svc.SaveAnswers(ctx, supplier, tok2, map[string]any{"gov.policy": "yes"}); err != nil {
		t.Fatal(err)
	}
	if got := r.get(second.ID); got.Answers["gov.policy"].Prefilled {
		t.Error("confirming an answer kept it marked prefilled")
	}

	// A year later the old file is too old to carry.
	r.clock.Advance(400 * 24 * 3600e9)
	third, tok3 := r.sendTo(v, "basic")
	if third.PreviousID != first.ID {
		t.Fatalf("third previous %q", third.PreviousID)
	}
	if _, err := r.svc.StartFromPrevious(ctx, supplier, tok3); err != nil {
		t.Fatal(err)
	}
	if ev, _ := r.svc.Evidence(ctx, third.ID); len(ev) != 0 {
		t.Errorf("evidence older than a year was carried: %+v", ev)
	}
	if acts := r.audit.actions(second.ID); !slices.Contains(acts, "assessment.prefill") {
		t.Errorf("prefill not audited: %v", acts)
	}
}
