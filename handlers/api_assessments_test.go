package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/testenv"
)

// asmResp is one API answer.
type asmResp struct {
	Status int
	Header http.Header
	Body   []byte
}

// asmCall sends a JSON API request; body nil sends none, token "" no
// credentials.
func asmCall(t testing.TB, env *apptest.Env, method, path, token string, body any) asmResp {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, env.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := env.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return asmResp{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

func (r asmResp) want(t testing.TB, status int, what string) asmResp {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: %d, want %d: %s", what, r.Status, status, r.Body)
	}
	return r
}

func (r asmResp) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.Body, err)
	}
}

// errorFields returns the field paths of an API error.
func (r asmResp) errorFields(t testing.TB) []string {
	t.Helper()
	var e struct {
		Error struct {
			Code   string `json:"code"`
			Fields []struct {
				Path string `json:"path"`
			} `json:"fields"`
		} `json:"error"`
	}
	r.decode(t, &e)
	var out []string
	for _, f := range e.Error.Fields {
		out = append(out, f.Path)
	}
	return out
}

// asmVendor creates a vendor through the API and returns its id.
func asmVendor(t testing.TB, env *apptest.Env, token, name string, contact string) string {
	t.Helper()
	var v struct {
		ID string `json:"id"`
	}
	asmCall(t, env, http.MethodPost, "/api/v1/vendors", token, map[string]any{
		"name": name, "website": "https://" + strings.ToLower(strings.Fields(name)[0]) + ".example", "tier": 2,
		"contacts": []map[string]string{{"name": "Sam Supplier", "email": contact}},
	}).want(t, http.StatusCreated, "creating a vendor").decode(t, &v)
	return v.ID
}

type asmAssessment struct {
	ID       string `json:"id"`
	VendorID string `json:"vendor_id"`
	Template struct {
		Key     string `json:"key"`
		Version int    `json:"version"`
	} `json:"template"`
	Status   string `json:"status"`
	DueDate  string `json:"due_date"`
	Progress struct {
		Answered int `json:"answered"`
		Required int `json:"required"`
		Total    int `json:"total"`
	} `json:"progress"`
	SubmittedAt *time.Time `json:"submitted_at"`
}

func asmDue(days int) string { return time.Now().UTC().AddDate(0, 0, days).Format(time.DateOnly) }

func asmDueHuman(days int) string { return time.Now().UTC().AddDate(0, 0, days).Format("2 Jan 2006") }

// TestSendFollowTheMailedLinkResendRevoke is issue 6's end-to-end check
// over a real mailpit: the invitation arrives, its link opens the portal,
// a resend kills the old link and a revoke the new one.
func TestSendFollowTheMailedLinkResendRevoke(t *testing.T) {
	env := apptest.New(t, apptest.Options{SMTP: true})
	box := testenv.MailpitBox(t)
	token := env.Token(t, auth.RoleProcurement)
	vendorID := asmVendor(t, env, token, "Contoso Payments", box.Address)

	var a asmAssessment
	asmCall(t, env, http.MethodPost, "/api/v1/assessments", token, map[string]any{
		"vendor_id": vendorID, "template_key": "iso27001-2022-supplier-full", "contact_email": box.Address,
		"due_date": asmDue(21), "message": "Our annual review.",
	}).want(t, http.StatusCreated, "send").decode(t, &a)
	if a.Status != "sent" || a.Template.Key != "iso27001-2022-supplier-full" || a.Template.Version < 1 || a.DueDate != asmDue(21) {
		t.Errorf("sent assessment %+v", a)
	}

	tmpl, err := env.App.Library.Latest(context.Background(), "iso27001-2022-supplier-full")
	if err != nil {
		t.Fatal(err)
	}
	msgs := box.WaitFor(t, box.Address, 1, 60*time.Second)
	for _, want := range []string{"Example Corp", "Contoso Payments", "Questions:  " + strconv.Itoa(tmpl.QuestionCount()), "Our annual review.", asmDueHuman(21)} {
		if !strings.Contains(msgs[0].Text, want) {
			t.Errorf("invitation lacks %q:\n%s", want, msgs[0].Text)
		}
	}
	if !strings.Contains(msgs[0].HTML, "Open the questionnaire") {
		t.Error("invitation has no HTML body with the button")
	}
	first := env.LinkToken(t, msgs[0].Text)
	portal := asmCall(t, env, http.MethodGet, "/api/v1/portal/"+first, "", nil).want(t, http.StatusOK, "the mailed link")
	if !strings.Contains(string(portal.Body), `"vendor":"Contoso Payments"`) {
		t.Errorf("portal answer: %.300s", portal.Body)
	}

	asmCall(t, env, http.MethodPost, "/api/v1/assessments/"+a.ID+"/resend", token, nil).want(t, http.StatusOK, "resend")
	msgs = box.WaitFor(t, box.Address, 2, 60*time.Second)
	var second string
	for _, m := range msgs {
		if p := env.LinkToken(t, m.Text); p != first {
			second = p
		}
	}
	if second == "" {
		t.Fatal("the resent invitation carries the old link")
	}
	asmCall(t, env, http.MethodGet, "/api/v1/portal/"+first, "", nil).want(t, http.StatusNotFound, "the old link after resend")
	asmCall(t, env, http.MethodGet, "/api/v1/portal/"+second, "", nil).want(t, http.StatusOK, "the new link")

	asmCall(t, env, http.MethodPost, "/api/v1/assessments/"+a.ID+"/revoke", token, nil).want(t, http.StatusOK, "revoke")
	asmCall(t, env, http.MethodGet, "/api/v1/portal/"+second, "", nil).want(t, http.StatusNotFound, "the new link after revoke")
	var got asmAssessment
	asmCall(t, env, http.MethodGet, "/api/v1/assessments/"+a.ID, token, nil).want(t, http.StatusOK, "get").decode(t, &got)
	if got.Status != "revoked" {
		t.Errorf("status %q after revoke", got.Status)
	}
}

func TestSendAPIRefusesBadInputAndCreatesNothing(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	token := env.Token(t, auth.RoleProcurement)
	good := asmVendor(t, env, token, "Fabrikam Ltd", "ops@fabrikam.example")
	archived := asmVendor(t, env, token, "Old Wares Ltd", "ops@oldwares.example")
	if err := env.App.Vendors.Archive(context.Background(), audit.System, archived); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		body map[string]any
		want []string
	}{
		{"invalid email", map[string]any{"vendor_id": good, "template_key": "vendor-lite", "contact_email": "ops@", "due_date": asmDue(7)}, []string{"contact_email"}},
		{"due date in the past", map[string]any{"vendor_id": good, "template_key": "vendor-lite", "due_date": asmDue(-1)}, []string{"due_date"}},
		{"due date not a date", map[string]any{"vendor_id": good, "template_key": "vendor-lite", "due_date": "next week"}, []string{"due_date"}},
		{"archived vendor", map[string]any{"vendor_id": archived, "template_key": "vendor-lite", "due_date": asmDue(7)}, []string{"vendor_id"}},
		{"unknown template", map[string]any{"vendor_id": good, "template_key": "nope", "due_date": asmDue(7)}, []string{"template_key"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := asmCall(t, env, http.MethodPost, "/api/v1/assessments", token, c.body).want(t, http.StatusUnprocessableEntity, c.name)
			if got := r.errorFields(t); !slices.Equal(got, c.want) {
				t.Errorf("fields %v, want %v", got, c.want)
			}
		})
	}
	asmCall(t, env, http.MethodPost, "/api/v1/assessments", token, "not an object").want(t, http.StatusBadRequest, "malformed body")
	var list struct {
		Items []asmAssessment `json:"items"`
		Total int             `json:"total"`
	}
	asmCall(t, env, http.MethodGet, "/api/v1/assessments", token, nil).want(t, http.StatusOK, "list").decode(t, &list)
	if list.Total != 0 || len(list.Items) != 0 {
		t.Errorf("refused sends created %d assessments", list.Total)
	}
	if n, err := env.App.DB.Collection("outbox").CountDocuments(context.Background(), map[string]any{"kind": assessments.MailInvitation}); err != nil || n != 0 {
		t.Errorf("refused sends queued %d invitations (%v)", n, err)
	}
}

func TestAssessmentAPIRoles(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	proc := env.Token(t, auth.RoleProcurement)
	viewer := env.Token(t, auth.RoleViewer)
	rev := env.Token(t, auth.RoleReviewer)
	vendorID := asmVendor(t, env, proc, "Tailspin Toys", "it@tailspin.example")
	body := map[string]any{"vendor_id": vendorID, "template_key": "vendor-lite", "due_date": asmDue(10)}

	asmCall(t, env, http.MethodPost, "/api/v1/assessments", "", body).want(t, http.StatusUnauthorized, "no token")
	asmCall(t, env, http.MethodPost, "/api/v1/assessments", viewer, body).want(t, http.StatusForbidden, "viewer sends")
	asmCall(t, env, http.MethodPost, "/api/v1/assessments", rev, body).want(t, http.StatusForbidden, "reviewer sends")
	var a asmAssessment
	asmCall(t, env, http.MethodPost, "/api/v1/assessments", proc, body).want(t, http.StatusCreated, "procurement sends").decode(t, &a)

	asmCall(t, env, http.MethodGet, "/api/v1/assessments/"+a.ID, viewer, nil).want(t, http.StatusOK, "viewer reads")
	// Lists load assessments without their template snapshot; the title
	// still comes back.
	var list struct {
		Items []struct {
			Template struct {
				Title string `json:"title"`
			} `json:"template"`
		} `json:"items"`
	}
	asmCall(t, env, http.MethodGet, "/api/v1/assessments?vendor_id="+vendorID, viewer, nil).want(t, http.StatusOK, "viewer lists").decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].Template.Title != "Vendor security essentials" {
		t.Errorf("list: %+v", list)
	}
	asmCall(t, env, http.MethodGet, "/api/v1/assessments/nope", viewer, nil).want(t, http.StatusNotFound, "unknown id")
	asmCall(t, env, http.MethodPost, "/api/v1/assessments/"+a.ID+"/revoke", viewer, nil).want(t, http.StatusForbidden, "viewer revokes")
	asmCall(t, env, http.MethodPost, "/api/v1/assessments/"+a.ID+"/complete", proc, map[string]any{"decision": "accept"}).
		want(t, http.StatusForbidden, "procurement completes")
	asmCall(t, env, http.MethodPost, "/api/v1/assessments/"+a.ID+"/complete", rev, map[string]any{"decision": "accept"}).
		want(t, http.StatusConflict, "completing before submit")
	asmCall(t, env, http.MethodPost, "/api/v1/assessments/"+a.ID+"/clarifications", rev, map[string]any{"question_id": "vl-policy", "comment": "?"}).
		want(t, http.StatusConflict, "clarification before submit")
}

// TestReviewThroughTheAPI takes an assessment from submitted to completed:
// answers and evidence as staff see them, the attachment download, a
// clarification round, an override, a finding decision and completion.
func TestReviewThroughTheAPI(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	proc := env.Token(t, auth.RoleProcurement)
	rev := env.Token(t, auth.RoleReviewer)
	vendorID := asmVendor(t, env, proc, "Wingtip Hosting", "sec@wingtip.example")
	var a asmAssessment
	asmCall(t, env, http.MethodPost, "/api/v1/assessments", proc, map[string]any{
		"vendor_id": vendorID, "template_key": "vendor-lite", "due_date": asmDue(10),
	}).want(t, http.StatusCreated, "send").decode(t, &a)
	tok := env.InvitationToken(t, a.ID)
	ans := asmLiteAnswers(t, env, tok)
	asmCall(t, env, http.MethodPut, "/api/v1/portal/"+tok+"/answers", "", map[string]any{"answers": ans}).want(t, http.StatusOK, "answers")
	pdfBytes := asmPDF(50_000)
	up := asmUpload(t, env, tok, "vl-certification-file", "iso-cert.pdf", bytes.NewReader(pdfBytes)).want(t, http.StatusCreated, "upload")
	var ev struct {
		ID string `json:"id"`
	}
	up.decode(t, &ev)
	asmCall(t, env, http.MethodPost, "/api/v1/portal/"+tok+"/submit", "", nil).want(t, http.StatusOK, "submit")

	var answers struct {
		Answers  map[string]any `json:"answers"`
		Evidence []struct {
			ID, QuestionID, Filename, SHA256 string
		} `json:"evidence"`
	}
	asmCall(t, env, http.MethodGet, "/api/v1/assessments/"+a.ID+"/answers", rev, nil).want(t, http.StatusOK, "answers").decode(t, &answers)
	if answers.Answers["vl-certification"] != "yes" || len(answers.Evidence) != 1 || answers.Evidence[0].Filename != "iso-cert.pdf" {
		t.Errorf("answers %v evidence %+v", answers.Answers, answers.Evidence)
	}
	dl := asmCall(t, env, http.MethodGet, "/api/v1/assessments/"+a.ID+"/evidence/"+ev.ID, rev, nil).want(t, http.StatusOK, "download")
	if !bytes.Equal(dl.Body, pdfBytes) {
		t.Error("downloaded bytes differ from the upload")
	}
	for h, want := range map[string]string{
		"Content-Type": "application/octet-stream", "X-Content-Type-Options": "nosniff",
		"Content-Disposition": `attachment; filename="iso-cert.pdf"; filename*=UTF-8''iso-cert.pdf`,
	} {
		if got := dl.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}

	asmCall(t, env, http.MethodPost, "/api/v1/assessments/"+a.ID+"/clarifications", rev, map[string]any{
		"question_id": "vl-policy", "comment": "Please attach the policy's approval date.",
	}).want(t, http.StatusCreated, "clarification")
	var view struct {
		Sections []struct {
			Questions []struct {
				ID            string `json:"id"`
				Locked        bool   `json:"locked"`
				Clarification *struct {
					Comment string `json:"comment"`
				} `json:"clarification"`
			} `json:"questions"`
		} `json:"sections"`
	}
	asmCall(t, env, http.MethodGet, "/api/v1/portal/"+tok, "", nil).want(t, http.StatusOK, "portal").decode(t, &view)
	for _, s := range view.Sections {
		for _, q := range s.Questions {
			if reopened := q.ID == "vl-policy"; q.Locked == reopened || (q.Clarification != nil) != reopened {
				t.Errorf("question %s: locked %v clarification %v", q.ID, q.Locked, q.Clarification)
			}
		}
	}
	asmCall(t, env, http.MethodPut, "/api/v1/portal/"+tok+"/answers", "", map[string]any{"answers": map[string]any{"vl-incident-plan": "no"}}).
		want(t, http.StatusConflict, "changing a question that was not reopened")
	asmCall(t, env, http.MethodPut, "/api/v1/portal/"+tok+"/answers", "", map[string]any{"answers": map[string]any{"vl-policy": "yes"}}).
		want(t, http.StatusOK, "answering the clarification")
	asmCall(t, env, http.MethodPost, "/api/v1/assessments/"+a.ID+"/complete", rev, map[string]any{"decision": "accept"}).
		want(t, http.StatusConflict, "completing with a clarification open")
	asmCall(t, env, http.MethodPost, "/api/v1/portal/"+tok+"/submit", "", nil).want(t, http.StatusOK, "resubmit")

	var score struct {
		Overall  float64 `json:"overall"`
		Findings []struct {
			Control string `json:"control"`
		} `json:"findings"`
		MethodVersion string `json:"method_version"`
	}
	asmCall(t, env, http.MethodPut, "/api/v1/assessments/"+a.ID+"/reviews/vl-incident-notify", rev, map[string]any{
		"status": "flagged", "override": map[string]any{"score": 0, "reason": "The contract says 7 days, not 72 hours."},
	}).want(t, http.StatusOK, "override").decode(t, &score)
	if score.MethodVersion == "" || len(score.Findings) == 0 {
		t.Fatalf("score after the override: %+v", score)
	}
	asmCall(t, env, http.MethodPut, "/api/v1/assessments/"+a.ID+"/reviews/vl-incident-notify", rev, map[string]any{
		"override": map[string]any{"score": 140, "reason": ""},
	}).want(t, http.StatusUnprocessableEntity, "bad override")
	control := score.Findings[0].Control
	asmCall(t, env, http.MethodPost, "/api/v1/assessments/"+a.ID+"/findings", rev, map[string]any{
		"control": control, "treatment": "mitigate", "owner": "sec@wingtip.example", "due_date": asmDue(60),
	}).want(t, http.StatusOK, "finding decision")
	asmCall(t, env, http.MethodPost, "/api/v1/assessments/"+a.ID+"/findings/"+control+"/remediation", rev, nil).want(t, http.StatusOK, "remediation")
	asmCall(t, env, http.MethodPost, "/api/v1/assessments/"+a.ID+"/complete", rev, map[string]any{"decision": "sometimes"}).
		want(t, http.StatusUnprocessableEntity, "unknown decision")
	asmCall(t, env, http.MethodPost, "/api/v1/assessments/"+a.ID+"/complete", rev, map[string]any{"decision": "mitigate", "note": "Fix notice period."}).
		want(t, http.StatusOK, "complete")

	var final struct {
		Overall float64 `json:"overall"`
	}
	asmCall(t, env, http.MethodGet, "/api/v1/assessments/"+a.ID+"/score", rev, nil).want(t, http.StatusOK, "score").decode(t, &final)
	if final.Overall != score.Overall {
		t.Errorf("final score %v, live before completion %v", final.Overall, score.Overall)
	}
	var vendor struct {
		LatestScore    *float64 `json:"latest_score"`
		ResidualRisk   *string  `json:"residual_risk"`
		NextReviewDate *string  `json:"next_review_date"`
	}
	asmCall(t, env, http.MethodGet, "/api/v1/vendors/"+vendorID, rev, nil).want(t, http.StatusOK, "vendor").decode(t, &vendor)
	if vendor.LatestScore == nil || *vendor.LatestScore != final.Overall || vendor.ResidualRisk == nil || vendor.NextReviewDate == nil {
		t.Errorf("vendor after completion: %+v", vendor)
	} else if want := time.Now().UTC().AddDate(0, 18, 0).Format(time.DateOnly); *vendor.NextReviewDate != want {
		t.Errorf("next review %s, want %s (tier 2: 18 months)", *vendor.NextReviewDate, want)
	}
	if n, _ := env.App.DB.Collection("outbox").CountDocuments(context.Background(), map[string]any{"kind": assessments.MailRemediation, "ref": a.ID}); n != 1 {
		t.Errorf("%d remediation mails", n)
	}
}
