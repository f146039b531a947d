package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/mail"
	"github.com/assayhq/assay/testenv"
)

const vndFullTemplate = "iso27001-2022-supplier-full"

// vndAssessments lists the vendor's assessments.
func vndAssessments(t testing.TB, env *apptest.Env, vendorID string) []assessments.Assessment {
	t.Helper()
	list, _, err := env.App.Assessments.List(context.Background(), assessments.Filter{VendorID: vendorID})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestSendLinkResendRevoke is the end-to-end check with a real
// mailpit: a vendor created through the API is sent the full questionnaire
// from its page; the invitation arrives, its link opens the supplier page;
// after a resend the old link is 404 and the new one works; after a revoke
// the new one is 404 too.
func TestSendLinkResendRevoke(t *testing.T) {
	env := apptest.New(t, apptest.Options{SMTP: true})
	box := testenv.UniqueAddress(t)
	id := vndCreate(t, env, env.Token(t, auth.RoleProcurement), map[string]any{"name": "Acme Cloud", "tier": 1,
		"contacts": []map[string]string{{"name": "Ann", "email": box}}})
	proc := env.Login(t, auth.RoleProcurement)

	code, page := vndGet(t, env, proc, "/app/vendors/"+id+"/send")
	if code != http.StatusOK {
		t.Fatalf("send form: %d", code)
	}
	due := time.Now().UTC().AddDate(0, 0, 21).Format(time.DateOnly)
	vndContains(t, "send form", page, `value="`+vndFullTemplate+`"`, "questions", `value="`+box+`" checked`, `value="`+due+`"`)
	if strings.Contains(page, `value="vendor-intake"`) {
		t.Error("the internal intake questionnaire is offered to send")
	}
	resp, _ := vndPost(t, env, proc, "/app/vendors/"+id+"/send", "/app/vendors/"+id+"/send", url.Values{
		"template_key": {vndFullTemplate}, "contact": {box}, "due_date": {due}, "message": {"Our annual review."}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/app/vendors/"+id+"?done=sent" {
		t.Fatalf("send: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
	list := vndAssessments(t, env, id)
	if len(list) != 1 || list[0].Status != assessments.StatusSent || list[0].TemplateKey != vndFullTemplate {
		t.Fatalf("assessments after send: %+v", list)
	}

	msgs := env.Mailpit.WaitFor(t, box, 1, 20*time.Second)
	vndContains(t, "invitation", msgs[0].Text, "Example Corp", "Our annual review.")
	first, err := testenv.LinkIn(msgs[0].Text, env.URL+"/q/")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msgs[0].HTML, first) {
		t.Error("the HTML invitation lacks the link")
	}
	vndLink(t, env, first, http.StatusOK)

	resp, _ = vndPost(t, env, proc, "/app/vendors/"+id, "/app/assessments/"+list[0].ID+"/resend", url.Values{})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "?done=resent") {
		t.Fatalf("resend: %s %q", resp.Status, resp.Header.Get("Location"))
	}
	msgs = env.Mailpit.WaitFor(t, box, 2, 20*time.Second)
	second, err := testenv.LinkIn(msgs[1].Text, env.URL+"/q/")
	if err != nil || second == first {
		t.Fatalf("second invitation link %q (%v), first %q", second, err, first)
	}
	vndLink(t, env, first, http.StatusNotFound)
	vndLink(t, env, second, http.StatusOK)

	resp, _ = vndPost(t, env, proc, "/app/vendors/"+id, "/app/assessments/"+list[0].ID+"/revoke", url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %s", resp.Status)
	}
	vndLink(t, env, second, http.StatusNotFound)

	// The vendor's page tells what was sent when.
	_, page = vndGet(t, env, proc, "/app/vendors/"+id)
	vndContains(t, "vendor page", page, "What was sent when", "Invitation", `<span class="badge badge-revoked">Revoked</span>`)
	if n := strings.Count(page, `href="/app/outbox/`); n < 2 {
		t.Errorf("%d mails listed on the vendor page, want the two invitations", n)
	}
}

// vndLink opens a supplier link and checks its status.
func vndLink(t testing.TB, env *apptest.Env, link string, want int) {
	t.Helper()
	resp, err := env.Client().Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %s, want %d", link, resp.Status, want)
	}
}

// TestSendFormRefusesBadInput: each bad input is refused with a clear
// message beside its field, the form keeps what was typed, and no
// assessment or mail is made.
func TestSendFormRefusesBadInput(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	token := env.Token(t, auth.RoleProcurement)
	id := vndCreate(t, env, token, map[string]any{"name": "Acme", "tier": 2, "contacts": []map[string]string{{"name": "Ann", "email": "ann@acme.example"}}})
	archived := vndCreate(t, env, token, map[string]any{"name": "Old Co", "tier": 2, "contacts": []map[string]string{{"email": "x@old.example"}}})
	if err := env.App.Vendors.Archive(context.Background(), vndActor, archived); err != nil {
		t.Fatal(err)
	}
	proc := env.Login(t, auth.RoleProcurement)
	future := time.Now().UTC().AddDate(0, 0, 10).Format(time.DateOnly)
	past := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	cases := []struct {
		name   string
		vendor string
		form   url.Values
		want   []string
	}{
		{"invalid email", id, url.Values{"template_key": {"vendor-lite"}, "contact": {"new"}, "new_name": {"Bob"}, "new_email": {"bob@@acme"}, "due_date": {future}},
			[]string{`id="s-new-err"`, `value="bob@@acme"`, `value="Bob"`}},
		{"no email for someone else", id, url.Values{"template_key": {"vendor-lite"}, "contact": {"new"}, "due_date": {future}},
			[]string{"Enter the email address of the person who will answer."}},
		{"contact not the vendor's", id, url.Values{"template_key": {"vendor-lite"}, "contact": {"eve@evil.example"}, "due_date": {future}},
			[]string{"Choose one of the vendor&#39;s contacts"}},
		{"due date in the past", id, url.Values{"template_key": {"vendor-lite"}, "contact": {"ann@acme.example"}, "due_date": {past}, "message": {"Keep me"}},
			[]string{"The due date is in the past", `id="s-due-err"`, "Keep me"}},
		{"unknown template", id, url.Values{"template_key": {"no-such-template"}, "contact": {"ann@acme.example"}, "due_date": {future}},
			[]string{"There is no questionnaire", `id="s-tmpl-err"`}},
		{"archived vendor", archived, url.Values{"template_key": {"vendor-lite"}, "contact": {"x@old.example"}, "due_date": {future}},
			[]string{"Old Co is archived"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := vndPost(t, env, proc, "/app/vendors/"+c.vendor+"/send", "/app/vendors/"+c.vendor+"/send", c.form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("%s, want 422", resp.Status)
			}
			vndContains(t, "refused send", body, append(c.want, "The questionnaire was not sent")...)
		})
	}
	for _, v := range []string{id, archived} {
		if list := vndAssessments(t, env, v); len(list) != 0 {
			t.Fatalf("refused sends made %d assessments", len(list))
		}
	}
	if msgs, total, _ := env.App.Outbox.List(context.Background(), vndMailKind("invitation")); total != 0 {
		t.Fatalf("refused sends queued %d invitations: %v", total, msgs)
	}
}

func TestBulkSend(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	token := env.Token(t, auth.RoleProcurement)
	a := vndCreate(t, env, token, map[string]any{"name": "Alpha", "tier": 2, "tags": []string{"cloud"}, "contacts": []map[string]string{{"email": "a@alpha.example"}}})
	b := vndCreate(t, env, token, map[string]any{"name": "Bravo", "tier": 2, "tags": []string{"cloud"}, "contacts": []map[string]string{{"email": "b@bravo.example"}}})
	nobody := vndCreate(t, env, token, map[string]any{"name": "Charlie", "tier": 3, "tags": []string{"cloud"}})
	vndCreate(t, env, token, map[string]any{"name": "Delta", "tier": 1})
	proc := env.Login(t, auth.RoleProcurement)

	code, page := vndGet(t, env, proc, "/app/send?tags=cloud")
	if code != http.StatusOK {
		t.Fatalf("bulk form: %d", code)
	}
	vndContains(t, "bulk form", page, "Alpha", "Bravo", "No contact: add one first", "3 of 3 shown")
	if strings.Contains(page, "Delta") {
		t.Error("the tag filter did not narrow the list")
	}
	future := time.Now().UTC().AddDate(0, 0, 14).Format(time.DateOnly)

	// A shared mistake is shown once, beside its field, and nothing is sent.
	resp, body := vndPost(t, env, proc, "/app/send", "/app/send", url.Values{"template_key": {""}, "due_date": {future}, "vendor": {a, b}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("no template: %s", resp.Status)
	}
	vndContains(t, "refused bulk send", body, "Choose the questionnaire to send.", `id="b-tmpl-err"`, "Nothing was sent")
	resp, _ = vndPost(t, env, proc, "/app/send", "/app/send", url.Values{"template_key": {"vendor-lite"}, "due_date": {future}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("no vendor ticked: %s", resp.Status)
	}
	if len(vndAssessments(t, env, a)) != 0 {
		t.Fatal("refused bulk sends made assessments")
	}

	resp, body = vndPost(t, env, proc, "/app/send?tags=cloud", "/app/send", url.Values{"template_key": {"vendor-lite"}, "due_date": {future},
		"message": {"Annual review"}, "vendor": {a, b, nobody}, "tags": {"cloud"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bulk send with one failure: %s", resp.Status)
	}
	vndContains(t, "bulk result", body, "<strong>2</strong> sent", "<strong>1</strong> not sent", "Charlie</a>: This vendor has no contact")
	for _, v := range []string{a, b} {
		if list := vndAssessments(t, env, v); len(list) != 1 || list[0].Message != "Annual review" {
			t.Errorf("vendor %s: %+v", v, list)
		}
	}
	if len(vndAssessments(t, env, nobody)) != 0 {
		t.Error("the vendor without contact got an assessment")
	}
}

func TestVendorPageChangesDueDate(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	token := env.Token(t, auth.RoleProcurement)
	id := vndCreate(t, env, token, map[string]any{"name": "Acme", "tier": 2, "contacts": []map[string]string{{"email": "ann@acme.example"}}})
	ctx := context.Background()
	a, err := env.App.Assessments.Send(ctx, vndActor, assessments.SendRequest{VendorID: id, TemplateKey: "vendor-lite", DueDate: time.Now().AddDate(0, 0, 5)})
	if err != nil {
		t.Fatal(err)
	}
	proc := env.Login(t, auth.RoleProcurement)
	_, page := vndGet(t, env, proc, "/app/vendors/"+id)
	vndContains(t, "vendor page", page, `action="/app/assessments/`+a.ID+`/due"`, `action="/app/assessments/`+a.ID+`/resend"`, "0 / ")

	later := time.Now().UTC().AddDate(0, 1, 0).Format(time.DateOnly)
	resp, _ := vndPost(t, env, proc, "/app/vendors/"+id, "/app/assessments/"+a.ID+"/due", url.Values{"due_date": {later}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("due date: %s", resp.Status)
	}
	if got, _ := env.App.Assessments.Get(ctx, a.ID); got.DueDate.Format(time.DateOnly) != later {
		t.Fatalf("due date %s, want %s", got.DueDate.Format(time.DateOnly), later)
	}
	// A past date is refused on the vendor's page, which says why.
	resp, body := vndPost(t, env, proc, "/app/vendors/"+id, "/app/assessments/"+a.ID+"/due", url.Values{"due_date": {"2001-01-01"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("past due date: %s", resp.Status)
	}
	vndContains(t, "refusal", body, `class="flash flash-error"`, "<h1>Acme")
	if got, _ := env.App.Assessments.Get(ctx, a.ID); got.DueDate.Format(time.DateOnly) != later {
		t.Fatal("a refused due date changed the assessment")
	}
	// Viewers may not act on assessments.
	viewer := env.Login(t, auth.RoleViewer)
	resp, _ = vndPost(t, env, viewer, "/app/vendors/"+id, "/app/assessments/"+a.ID+"/revoke", url.Values{})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("viewer revoke: %s", resp.Status)
	}
}

var vndActor = audit.Actor{Kind: audit.KindStaff, ID: "test", Email: "test@example.test"}

func vndMailKind(kind string) mail.Filter { return mail.Filter{Kind: kind} }
