package handlers_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/mail"
	"github.com/assayhq/assay/scoring"
	storemongo "github.com/assayhq/assay/storage/mongo"
	"go.mongodb.org/mongo-driver/bson"
)

// The review tests run on the built-in "Vendor security essentials"
// questionnaire, answered well except for a few gaps that become findings.
const reviewTemplateKey = "vendor-lite"

func reviewAnswers() map[string]any {
	return map[string]any{
		"vl-certification": "no", "vl-policy": "yes", "vl-security-owner": "yes", "vl-data-access": "yes",
		"vl-subprocessors": "yes", "vl-access-control": "yes", "vl-incident-notify": "yes", "vl-incident-plan": "yes",
		"vl-continuity": "yes", "vl-privacy": "yes", "vl-screening": "yes", "vl-confidentiality": "yes",
		"vl-training": "yes", "vl-premises": "yes", "vl-disposal": "yes", "vl-devices": "yes",
		"vl-mfa": "no", "vl-patching": "yes", "vl-encryption": "no", "vl-backup": "yes", "vl-firewall": "yes",
		"vl-logging": "yes", "vl-develops-software": "no",
	}
}

var reviewSupplier = audit.Actor{Kind: audit.KindSupplier, IP: "192.0.2.1"}

// reviewSent is an assessment sent to a new vendor, with the supplier's link.
type reviewSent = apptest.Sent

func reviewCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// reviewSend creates a vendor of tier and sends it the questionnaire; the token
// comes from the invitation mail, as the supplier gets it.
func reviewSend(t *testing.T, env *apptest.Env, name string, tier int) reviewSent {
	t.Helper()
	return env.Send(t, apptest.Vendor(name, tier), assessments.SendRequest{TemplateKey: reviewTemplateKey})
}

// reviewSubmitted is reviewSend, then the supplier answers and submits.
func reviewSubmitted(t *testing.T, env *apptest.Env, name string, tier int, answers map[string]any) reviewSent {
	t.Helper()
	s := reviewSend(t, env, name, tier)
	ctx := reviewCtx(t)
	if _, err := env.App.Assessments.SaveAnswers(ctx, reviewSupplier, s.Token, answers); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Assessments.Submit(ctx, reviewSupplier, s.Token); err != nil {
		t.Fatal(err)
	}
	return s
}

func reviewOutbox(t *testing.T, env *apptest.Env, ref, kind string) []mail.Message {
	t.Helper()
	msgs, _, err := storemongo.NewOutbox(env.App.DB).List(reviewCtx(t), mail.Filter{Ref: ref, Kind: kind, Per: 50})
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func reviewAssessment(t *testing.T, env *apptest.Env, id string) *assessments.Assessment {
	t.Helper()
	a, err := env.App.Assessments.Get(reviewCtx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestReviewQueueOldestFirstWithFilters(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	older := reviewSubmitted(t, env, "Older Hosting", 1, reviewAnswers())
	newer := reviewSubmitted(t, env, "Newer Payroll", 3, reviewAnswers())
	asked := reviewSubmitted(t, env, "Asked Analytics", 2, reviewAnswers())
	notYet := reviewSend(t, env, "Unsubmitted Catering", 2)
	if err := env.App.Assessments.RequestClarification(reviewCtx(t), audit.System, asked.ID, "vl-mfa", "Which factors?"); err != nil {
		t.Fatal(err)
	}
	viewer := env.Login(t, auth.RoleViewer)

	rows := regexp.MustCompile(`href="/app/assessments/([^/]+)/review"`)
	ids := func(page string) []string {
		var out []string
		for _, m := range rows.FindAllStringSubmatch(page, -1) {
			out = append(out, m[1])
		}
		return out
	}
	tests := []struct {
		name, query string
		want        []string
	}{
		{"waiting for review, oldest first", "", []string{older.ID, newer.ID, asked.ID}},
		{"submitted only", "?status=submitted", []string{older.ID, newer.ID}},
		{"clarification requested", "?status=clarification_requested", []string{asked.ID}},
		{"vendor search", "?q=older", []string{older.ID}},
		{"no match", "?q=nobody", nil},
		{"tier", "?tier=3", []string{newer.ID}},
		{"residual risk", "?risk=low", []string{newer.ID, asked.ID}},
		{"tier and residual risk", "?tier=1&risk=medium", []string{older.ID}},
		{"tier and residual risk, none both", "?tier=1&risk=low", nil},
		{"tier with status", "?tier=2&status=clarification_requested", []string{asked.ID}},
		{"unknown tier and risk are ignored", "?tier=9&risk=severe", []string{older.ID, newer.ID, asked.ID}},
	}
	// The same answers score the same (grade A, likelihood 1), so the
	// residual risk follows the tier's impact: medium at impact 5 (tier 1),
	// low at impacts 4 and 3.
	for id, want := range map[string]scoring.Level{older.ID: scoring.LevelMedium, newer.ID: scoring.LevelLow, asked.ID: scoring.LevelLow} {
		if a := reviewAssessment(t, env, id); a.Score == nil || a.Score.Risk.Residual != want {
			t.Fatalf("the cases below assume residual risk %s for %s (tier %d), got %+v", want, a.VendorName, a.VendorTier, a.Score.Risk)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, page := get(t, env, viewer, "/app/reviews"+tt.query)
			if status != http.StatusOK {
				t.Fatalf("GET /app/reviews%s: %d", tt.query, status)
			}
			if got := ids(page); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("rows %v, want %v", got, tt.want)
			}
			if strings.Contains(page, notYet.ID) {
				t.Error("an unsubmitted questionnaire is in the review queue")
			}
		})
	}
	_, page := get(t, env, viewer, "/app/reviews")
	mustContain(t, "page", page, "Older Hosting", "Vendor security essentials", `class="grade grade-small grade-`, "badge badge-submitted", "0 days")
	if strings.Contains(page, "vendor-lite") {
		t.Error("the queue names a questionnaire by its key")
	}
	// An assessment stored before titles were kept is named by its key.
	if _, err := env.App.DB.Collection("assessments").UpdateOne(reviewCtx(t), bson.M{"_id": newer.ID}, bson.M{"$unset": bson.M{"template_title": ""}}); err != nil {
		t.Fatal(err)
	}
	_, page = get(t, env, viewer, "/app/reviews?q=newer")
	mustContain(t, "page", page, "Newer Payroll", "vendor-lite")
	// The chosen filters stay selected.
	_, page = get(t, env, viewer, "/app/reviews?tier=3&risk=low")
	mustContain(t, "page", page, `<option value="3" selected>`, `<option value="low" selected>`)
	_, page = get(t, env, viewer, "/app/reviews?tier=1&risk=low")
	mustContain(t, "page", page, "No assessment waiting for review matches these filters.")
}

func TestReviewPageShowsAnswersEvidenceAndScore(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	answers := reviewAnswers()
	answers["vl-certification"] = "yes"
	s := reviewSend(t, env, "Evidence Co", 2)
	ctx := reviewCtx(t)
	if _, err := env.App.Assessments.SaveAnswers(ctx, reviewSupplier, s.Token, answers); err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	ev, err := env.App.Assessments.Upload(ctx, reviewSupplier, s.Token, "vl-certification-file", "iso <cert>.pdf", bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	if err := env.App.Assessments.Submit(ctx, reviewSupplier, s.Token); err != nil {
		t.Fatal(err)
	}
	viewer := env.Login(t, auth.RoleViewer)
	status, page := get(t, env, viewer, "/app/assessments/"+s.ID+"/review")
	if status != http.StatusOK {
		t.Fatalf("review page: %d\n%s", status, page)
	}
	mustContain(t, "page", page,
		"Evidence Co", "Vendor security essentials", "version 1", "sam@evidenceco.test",
		`id="q-vl-policy"`, "Do you have a written information security policy approved by management?",
		"A.5.1 ", // the control beside the question
		`href="/app/assessments/`+s.ID+`/evidence/`+ev.ID+`" target="_blank" rel="noopener noreferrer"`,
		"iso &lt;cert&gt;.pdf", ev.SHA256[:12],
		`id="score-panel"`, "Live score", "Organizational", "Supplier controls", "A.5.19", "Residual risk", "Scoring method",
		"You can read this review; reviewers and admins act on it.")
	if strings.Contains(page, `action="/app/assessments/`+s.ID+`/questions/`) {
		t.Error("a viewer is offered the reviewers' forms")
	}
	if strings.Contains(page, `id="q-vl-secure-development"`) {
		t.Error("a question hidden by the supplier's answers is shown")
	}
	mustContain(t, "page", page, "hidden by the supplier")

	// The file comes back byte for byte, as a download that no browser
	// renders on Assay's origin, and the download is audited.
	resp, err := viewer.Get(env.URL + "/app/assessments/" + s.ID + "/evidence/" + ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := body(t, resp)
	resp.Body.Close()
	h := resp.Header
	if resp.StatusCode != http.StatusOK || got != string(pdf) {
		t.Fatalf("download: %d, %d bytes", resp.StatusCode, len(got))
	}
	if h.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") ||
		h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("download headers: %v", h)
	}
	entries, _, err := env.App.Audit.List(ctx, audit.Filter{Action: "evidence.download", ObjectID: ev.ID, Per: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		entries, _, _ = env.App.Audit.List(ctx, audit.Filter{Action: "evidence.download", Per: 10})
	}
	if len(entries) != 1 || entries[0].Actor.Kind != audit.KindStaff {
		t.Errorf("audit of the download: %+v", entries)
	}
	for path, want := range map[string]int{
		"/app/assessments/" + s.ID + "/evidence/nope": http.StatusNotFound,
		"/app/assessments/nope/evidence/" + ev.ID:     http.StatusNotFound,
		"/app/assessments/nope/review":                http.StatusNotFound,
		"/app/assessments/" + s.ID + "/findings":      http.StatusOK,
	} {
		if status, _ := get(t, env, viewer, path); status != want {
			t.Errorf("GET %s: %d, want %d", path, status, want)
		}
	}
}

func TestReviewerActsOnQuestions(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	s := reviewSubmitted(t, env, "Acted Upon", 2, reviewAnswers())
	reviewer := env.Login(t, auth.RoleReviewer)
	page := "/app/assessments/" + s.ID + "/review"
	qpath := func(qid, action string) string {
		return "/app/assessments/" + s.ID + "/questions/" + qid + "/" + action
	}
	before := reviewAssessment(t, env, s.ID).Score.Overall

	steps := []struct {
		name   string
		path   string
		form   url.Values
		status int
		check  func(t *testing.T, a *assessments.Assessment, html string)
	}{
		{"accept", qpath("vl-policy", "review"), url.Values{"action": {"accept"}, "comment": {"Seen the policy"}}, http.StatusSeeOther,
			func(t *testing.T, a *assessments.Assessment, _ string) {
				if r := a.Reviews["vl-policy"]; r.Status != assessments.ReviewAccepted || r.Comment != "Seen the policy" || r.By == "" {
					t.Errorf("review %+v", r)
				}
			}},
		{"flag", qpath("vl-mfa", "review"), url.Values{"action": {"flag"}, "comment": {"MFA is a must"}}, http.StatusSeeOther,
			func(t *testing.T, a *assessments.Assessment, _ string) {
				if r := a.Reviews["vl-mfa"]; r.Status != assessments.ReviewFlagged || r.Comment != "MFA is a must" {
					t.Errorf("review %+v", r)
				}
			}},
		{"override without a reason is refused beside the field", qpath("vl-mfa", "override"), url.Values{"score": {"60"}, "reason": {"  "}},
			http.StatusUnprocessableEntity,
			func(t *testing.T, a *assessments.Assessment, html string) {
				mustContain(t, "page", html, `<p class="field-error" id="or-vl-mfa-err">`, `aria-invalid="true"`, `value="60"`)
				if a.Reviews["vl-mfa"].Override != nil {
					t.Error("a refused override was saved")
				}
				if a.Reviews["vl-mfa"].Status != assessments.ReviewFlagged {
					t.Error("a refused override lost the flag")
				}
			}},
		{"override with a score that is not a number", qpath("vl-mfa", "override"), url.Values{"score": {"lots"}, "reason": {"x"}},
			http.StatusUnprocessableEntity,
			func(t *testing.T, _ *assessments.Assessment, html string) {
				mustContain(t, "page", html, `id="os-vl-mfa-err"`, "whole number from 0 to 100", `value="lots"`)
			}},
		{"override out of range", qpath("vl-mfa", "override"), url.Values{"score": {"101"}, "reason": {"x"}},
			http.StatusUnprocessableEntity,
			func(t *testing.T, _ *assessments.Assessment, html string) {
				mustContain(t, "page", html, `id="os-vl-mfa-err"`)
			}},
		{"override", qpath("vl-mfa", "override"), url.Values{"score": {"70"}, "reason": {"Hardware keys for admins"}}, http.StatusSeeOther,
			func(t *testing.T, a *assessments.Assessment, _ string) {
				r := a.Reviews["vl-mfa"]
				if r.Override == nil || r.Override.Score != 70 || r.Override.Reason != "Hardware keys for admins" {
					t.Fatalf("override %+v", r.Override)
				}
				if r.Status != assessments.ReviewFlagged || r.Comment != "MFA is a must" {
					t.Errorf("the override dropped the flag or the comment: %+v", r)
				}
			}},
		{"clarification needs a comment", qpath("vl-encryption", "clarification"), url.Values{"comment": {""}}, http.StatusUnprocessableEntity,
			func(t *testing.T, a *assessments.Assessment, html string) {
				mustContain(t, "page", html, `id="cl-vl-encryption-err"`)
				if a.Status != assessments.StatusSubmitted {
					t.Errorf("status %s after a refused clarification", a.Status)
				}
			}},
		{"unknown action", qpath("vl-policy", "review"), url.Values{"action": {"delete"}}, http.StatusBadRequest, nil},
		{"unknown question", qpath("nope", "review"), url.Values{"action": {"accept"}}, http.StatusUnprocessableEntity,
			func(t *testing.T, _ *assessments.Assessment, html string) {
				mustContain(t, "page", html, "This questionnaire has no such question.")
			}},
		{"remove the override", qpath("vl-mfa", "override"), url.Values{"action": {"remove"}}, http.StatusSeeOther,
			func(t *testing.T, a *assessments.Assessment, _ string) {
				if r := a.Reviews["vl-mfa"]; r.Override != nil || r.Status != assessments.ReviewFlagged {
					t.Errorf("review %+v", r)
				}
			}},
		{"clarification", qpath("vl-encryption", "clarification"), url.Values{"comment": {"Is data encrypted at rest?"}}, http.StatusSeeOther,
			func(t *testing.T, a *assessments.Assessment, _ string) {
				if a.Status != assessments.StatusClarificationRequested || a.Reopened["vl-encryption"].Comment != "Is data encrypted at rest?" {
					t.Errorf("status %s, reopened %+v", a.Status, a.Reopened)
				}
				if msgs := reviewOutbox(t, env, s.ID, assessments.MailClarification); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "Is data encrypted at rest?") {
					t.Errorf("clarification mails: %+v", msgs)
				}
			}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			resp := post(t, env, reviewer, page, st.path, st.form)
			html := body(t, resp)
			if resp.StatusCode != st.status {
				t.Fatalf("POST %s: %d, want %d\n%.2000s", st.path, resp.StatusCode, st.status, html)
			}
			if st.status == http.StatusSeeOther {
				qid := strings.Split(strings.TrimPrefix(st.path, "/app/assessments/"+s.ID+"/questions/"), "/")[0]
				if want := page + "?saved=" + qid + "#q-" + qid; resp.Header.Get("Location") != want {
					t.Errorf("Location %q, want %q", resp.Header.Get("Location"), want)
				}
			}
			if st.check != nil {
				st.check(t, reviewAssessment(t, env, s.ID), html)
			}
		})
	}
	_, html := get(t, env, reviewer, page+"?saved=vl-mfa")
	mustContain(t, "page", html, `data-state="saved"`, "Seen the policy", "Clarification requested", "Is data encrypted at rest?")
	if after := reviewAssessment(t, env, s.ID).Score.Overall; after != before {
		t.Errorf("the override was removed, yet the live score moved from %v to %v", before, after)
	}
	entries, _, err := env.App.Audit.List(reviewCtx(t), audit.Filter{Action: "assessment.", ObjectID: s.ID, Per: 50})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, e := range entries {
		counts[e.Action]++
	}
	if counts["assessment.review"] != 4 || counts["assessment.clarification"] != 1 {
		t.Errorf("audit trail %v: want 4 reviews (accept, flag, override, removal) and 1 clarification", counts)
	}
}

func TestOverrideChangesTheLiveScore(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	s := reviewSubmitted(t, env, "Scored Co", 2, reviewAnswers())
	reviewer := env.Login(t, auth.RoleReviewer)
	page := "/app/assessments/" + s.ID + "/review"
	before := reviewAssessment(t, env, s.ID).Score.Overall
	resp := post(t, env, reviewer, page, "/app/assessments/"+s.ID+"/questions/vl-mfa/override", url.Values{"score": {"100"}, "reason": {"Seen it"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("override: %d", resp.StatusCode)
	}
	after := reviewAssessment(t, env, s.ID).Score.Overall
	if after <= before {
		t.Errorf("raising a question to 100 left the overall at %v (was %v)", after, before)
	}
	_, html := get(t, env, reviewer, page)
	mustContain(t, "page", html, "Score overridden to 100", "Seen it")
}

func TestViewerAndProcurementMayOnlyRead(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	s := reviewSubmitted(t, env, "Read Only Ltd", 2, reviewAnswers())
	page := "/app/assessments/" + s.ID + "/review"
	actions := []struct {
		path string
		form url.Values
	}{
		{"/app/assessments/" + s.ID + "/questions/vl-mfa/review", url.Values{"action": {"accept"}}},
		{"/app/assessments/" + s.ID + "/questions/vl-mfa/clarification", url.Values{"comment": {"why?"}}},
		{"/app/assessments/" + s.ID + "/questions/vl-mfa/override", url.Values{"score": {"100"}, "reason": {"x"}}},
		{"/app/assessments/" + s.ID + "/findings/A.8.5", url.Values{"treatment": {"accept"}}},
		{"/app/assessments/" + s.ID + "/findings/A.8.5/remediation", url.Values{}},
		{"/app/assessments/" + s.ID + "/complete", url.Values{"decision": {"accept"}}},
	}
	for _, role := range []auth.Role{auth.RoleViewer, auth.RoleProcurement} {
		c := env.Login(t, role)
		for _, path := range []string{"/app/reviews", page, "/app/assessments/" + s.ID + "/findings"} {
			if status, _ := get(t, env, c, path); status != http.StatusOK {
				t.Errorf("%s GET %s: %d, want 200", role, path, status)
			}
		}
		for _, a := range actions {
			resp := post(t, env, c, page, a.path, a.form)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s POST %s: %d, want 403", role, a.path, resp.StatusCode)
			}
		}
	}
	a := reviewAssessment(t, env, s.ID)
	if len(a.Reviews) != 0 || a.Status != assessments.StatusSubmitted || len(a.Findings) != 0 {
		t.Errorf("a forbidden action changed the assessment: %+v %s %+v", a.Reviews, a.Status, a.Findings)
	}
	// Signed out, the pages ask for a login; a form without its CSRF token
	// is refused even for a reviewer.
	if status, _ := get(t, env, env.Client(), page); status != http.StatusSeeOther {
		t.Errorf("signed out: %d, want a redirect to the login", status)
	}
	reviewer := env.Login(t, auth.RoleReviewer)
	resp, err := reviewer.PostForm(env.URL+"/app/assessments/"+s.ID+"/complete", url.Values{"decision": {"accept"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("complete without CSRF: %d, want 403", resp.StatusCode)
	}
}

func TestReviewerSeesWhyAnUnsubmittedQuestionnaireWaits(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	s := reviewSend(t, env, "Still Answering", 2)
	reviewer := env.Login(t, auth.RoleReviewer)
	status, page := get(t, env, reviewer, "/app/assessments/"+s.ID+"/review")
	if status != http.StatusOK {
		t.Fatalf("review page: %d", status)
	}
	mustContain(t, "page", page, "The supplier has not submitted this questionnaire yet")
	if strings.Contains(page, "reviewers and admins act on it") {
		t.Error("a reviewer is told that reviewers act on it, not why they cannot yet")
	}
	if strings.Contains(page, `action="/app/assessments/`+s.ID+`/questions/`) {
		t.Error("a reviewer is offered review forms before the supplier submitted")
	}
}

func TestFindingsTreatmentsAndCompletion(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	s := reviewSubmitted(t, env, "Decided Inc", 1, reviewAnswers())
	reviewer := env.Login(t, auth.RoleReviewer)
	findings := "/app/assessments/" + s.ID + "/findings"
	review := "/app/assessments/" + s.ID + "/review"
	// The stored live score is a headline; the service computes the rest.
	sc, err := env.App.Assessments.Score(reviewCtx(t), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Findings) == 0 {
		t.Fatal("the fixture's gaps (no MFA, no encryption) raised no finding")
	}
	f := sc.Findings[0]
	status, html := get(t, env, reviewer, findings)
	if status != http.StatusOK {
		t.Fatalf("findings page: %d", status)
	}
	mustContain(t, "page", html, `id="f-`+f.Control+`"`, f.Title, f.Recommendation, "badge badge-"+string(f.Severity),
		`action="/app/assessments/`+s.ID+`/findings/`+f.Control+`"`, "Mitigate", "Transfer", "Avoid", `<datalist id="staff-owners">`)

	fpath := findings + "/" + f.Control
	resp := post(t, env, reviewer, findings, fpath, url.Values{"owner": {"rita@example.test"}, "status": {"open"}})
	html = body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a decision without a treatment: %d", resp.StatusCode)
	}
	mustContain(t, "page", html, `id="ftr-`+f.Control+`-err"`, `value="rita@example.test"`)
	resp = post(t, env, reviewer, findings, fpath, url.Values{"treatment": {"mitigate"}, "due_date": {"31/12/2026"}})
	if html = body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, `id="fd-`+f.Control+`-err"`) {
		t.Errorf("a malformed due date: %d", resp.StatusCode)
	}
	if len(reviewAssessment(t, env, s.ID).Findings) != 0 {
		t.Fatal("a refused decision was saved")
	}
	resp = post(t, env, reviewer, findings, fpath, url.Values{"treatment": {"mitigate"}, "owner": {"rita@example.test"},
		"due_date": {"2026-12-31"}, "status": {"in_progress"}, "note": {"Enforce MFA for all staff"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != findings+"?saved="+f.Control+"#f-"+f.Control {
		t.Fatalf("decide: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	d := reviewAssessment(t, env, s.ID).Findings
	if len(d) != 1 || d[0].Treatment != assessments.TreatMitigate || d[0].Owner != "rita@example.test" ||
		d[0].DueDate.Format("2006-01-02") != "2026-12-31" || d[0].Status != "in_progress" || d[0].Note != "Enforce MFA for all staff" {
		t.Fatalf("decision %+v", d)
	}
	resp = post(t, env, reviewer, findings, fpath+"/remediation", url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remediation: %d", resp.StatusCode)
	}
	if msgs := reviewOutbox(t, env, s.ID, assessments.MailRemediation); len(msgs) != 1 || !strings.Contains(msgs[0].Text, f.Control) {
		t.Errorf("remediation mails: %+v", msgs)
	}
	_, html = get(t, env, reviewer, findings+"?sent="+f.Control)
	mustContain(t, "page", html, "remediation request sent", "Send the remediation request again")

	// Completing needs a decision; then the page is the record.
	resp = post(t, env, reviewer, review, "/app/assessments/"+s.ID+"/complete", url.Values{"note": {"ok"}})
	if html = body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, `id="complete-decision-err"`) {
		t.Fatalf("complete without a decision: %d", resp.StatusCode)
	}
	resp = post(t, env, reviewer, review, "/app/assessments/"+s.ID+"/complete", url.Values{"decision": {"mitigate"}, "note": {"Go live once MFA is on"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != review+"?done=completed" {
		t.Fatalf("complete: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	a := reviewAssessment(t, env, s.ID)
	if a.Status != assessments.StatusCompleted || a.Decision == nil || a.Decision.Treatment != assessments.TreatMitigate || a.FinalScore == nil {
		t.Fatalf("after completion: %s %+v", a.Status, a.Decision)
	}
	_, html = get(t, env, reviewer, review+"?done=completed")
	mustContain(t, "page", html, "The review is completed", "Decision: <span class=\"badge badge-mitigate\">Mitigate</span>", "Go live once MFA is on",
		"Final score", a.FinalScore.MethodVersion, "read-only")
	for _, form := range []string{"/questions/", "/complete\""} {
		if strings.Contains(html, `action="/app/assessments/`+s.ID+form) {
			t.Errorf("a completed review still offers %s forms", form)
		}
	}
	resp = post(t, env, reviewer, review, "/app/assessments/"+s.ID+"/complete", url.Values{"decision": {"accept"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("completing twice: %d, want 409", resp.StatusCode)
	}
	resp = post(t, env, reviewer, review, "/app/assessments/"+s.ID+"/questions/vl-mfa/review", url.Values{"action": {"accept"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("reviewing a completed assessment: %d, want 409", resp.StatusCode)
	}
	v, err := env.App.Vendors.Get(reviewCtx(t), s.VendorID)
	if err != nil {
		t.Fatal(err)
	}
	if v.LatestScore == nil || *v.LatestScore != a.FinalScore.Overall || v.ResidualRisk != string(a.FinalScore.Risk.Residual) {
		t.Errorf("vendor risk %v %q, want %v %q", v.LatestScore, v.ResidualRisk, a.FinalScore.Overall, a.FinalScore.Risk.Residual)
	}
	// Treatments still move on after completion, as mitigations progress.
	resp = post(t, env, reviewer, findings, fpath, url.Values{"treatment": {"mitigate"}, "status": {"done"}})
	if resp.StatusCode != http.StatusSeeOther || reviewAssessment(t, env, s.ID).Findings[0].Status != "done" {
		t.Errorf("updating a finding after completion: %d", resp.StatusCode)
	}
}

func TestCompleteRefusedWhileAClarificationIsOpen(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	s := reviewSubmitted(t, env, "Pending Answers", 2, reviewAnswers())
	reviewer := env.Login(t, auth.RoleReviewer)
	review := "/app/assessments/" + s.ID + "/review"
	resp := post(t, env, reviewer, review, "/app/assessments/"+s.ID+"/questions/vl-mfa/clarification", url.Values{"comment": {"Which factors?"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("clarification: %d", resp.StatusCode)
	}
	_, html := get(t, env, reviewer, review)
	if strings.Contains(html, `action="/app/assessments/`+s.ID+`/complete"`) {
		t.Error("the completion form is offered while the supplier has a question open")
	}
	resp = post(t, env, reviewer, review, "/app/assessments/"+s.ID+"/complete", url.Values{"decision": {"accept"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("complete with a clarification open: %d, want 409", resp.StatusCode)
	}
}
