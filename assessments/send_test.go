package assessments_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/mail"
	"github.com/assayhq/assay/questionnaires"
	"go.mongodb.org/mongo-driver/bson"
)

func TestSendRefusesBadInputAndCreatesNothing(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	good := r.vendor("Good Ltd", 2, assessments.Contact{Name: "Gil", Email: "gil@good.example"})
	archived := r.vendors.add(assessments.VendorRef{Name: "Old Ltd", Tier: 3, Archived: true,
		Contacts: []assessments.Contact{{Email: "o@old.example"}}})
	bare := r.vendor("Bare Ltd", 4)
	due := r.clock.Now().AddDate(0, 0, 10)
	cases := []struct {
		name string
		req  assessments.SendRequest
		want []string
	}{
		{"invalid email", assessments.SendRequest{VendorID: good, TemplateKey: "basic", ContactEmail: "not-an-email", DueDate: due}, []string{"contact_email"}},
		{"email without a domain dot", assessments.SendRequest{VendorID: good, TemplateKey: "basic", ContactEmail: "a@localhost", DueDate: due}, []string{"contact_email"}},
		{"email with a display name", assessments.SendRequest{VendorID: good, TemplateKey: "basic", ContactEmail: "Gil <gil@good.example>", DueDate: due}, []string{"contact_email"}},
		{"due date in the past", assessments.SendRequest{VendorID: good, TemplateKey: "basic", DueDate: r.clock.Now().AddDate(0, 0, -1)}, []string{"due_date"}},
		{"no due date", assessments.SendRequest{VendorID: good, TemplateKey: "basic"}, []string{"due_date"}},
		{"archived vendor", assessments.SendRequest{VendorID: archived, TemplateKey: "basic", DueDate: due}, []string{"vendor_id"}},
		{"unknown vendor", assessments.SendRequest{VendorID: "v999", TemplateKey: "basic", DueDate: due}, []string{"vendor_id"}},
		{"unknown template", assessments.SendRequest{VendorID: good, TemplateKey: "no-such-template", DueDate: due}, []string{"template_key"}},
		{"vendor without contact", assessments.SendRequest{VendorID: bare, TemplateKey: "basic", DueDate: due}, []string{"contact_email"}},
		{"everything wrong at once", assessments.SendRequest{ContactEmail: "x", Message: strings.Repeat("m", assessments.MaxMessageLen+1)},
			[]string{"vendor_id", "template_key", "contact_email", "due_date", "message"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := r.svc.Send(ctx, staff, c.req)
			if got := fieldPaths(t, err); !slices.Equal(got, c.want) {
				t.Errorf("fields %v, want %v (%v)", got, c.want, err)
			}
		})
	}
	items, total, err := r.svc.List(ctx, assessments.Filter{})
	if err != nil || total != 0 || len(items) != 0 {
		t.Errorf("refused sends left %d assessments (%v)", total, err)
	}
	if msgs, _, _ := r.outbox.List(ctx, mail.Filter{Per: 200}); len(msgs) != 0 {
		t.Errorf("refused sends queued %d mails", len(msgs))
	}
	if len(r.audit.entries) != 0 {
		t.Errorf("refused sends were audited: %v", r.audit.entries)
	}
}

func TestSendStoresOnlyTheTokenHashAndMailsTheLink(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	a, token := r.send("basic")
	if a.Status != assessments.StatusSent || a.TemplateVersion != 1 || a.Template == nil || a.Template.Key != "basic" {
		t.Fatalf("assessment %+v", a)
	}
	if len(token) < 43 {
		t.Errorf("token %q carries fewer than 256 bits", token)
	}
	wantDue := time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC)
	if !a.DueDate.Equal(wantDue) || !a.ExpiresAt.Equal(wantDue.AddDate(0, 0, 31)) {
		t.Errorf("due %v expires %v", a.DueDate, a.ExpiresAt)
	}
	var raw bson.M
	if err := r.db.Collection("assessments").FindOne(ctx, bson.M{"_id": a.ID}).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	doc, _ := bson.MarshalExtJSON(raw, false, false)
	if strings.Contains(string(doc), token) {
		t.Error("the token itself is stored")
	}
	if raw["token_hash"] != assessments.HashToken(token) {
		t.Errorf("token_hash %v is not the SHA-256 of the mailed token", raw["token_hash"])
	}

	inv := r.mails(a.ContactEmail, assessments.MailInvitation)
	if len(inv) != 1 {
		t.Fatalf("%d invitations", len(inv))
	}
	for _, want := range []string{"Example Corp", "Acme Ltd", "Basic supplier check", "16 Mar 2026", "Questions:  6", "https://assay.example.test/q/" + token} {
		if !strings.Contains(inv[0].Text, want) {
			t.Errorf("invitation text lacks %q:\n%s", want, inv[0].Text)
		}
	}
	if !strings.Contains(inv[0].HTML, `href="https://assay.example.test/q/`+token+`"`) || inv[0].Ref != a.ID {
		t.Errorf("invitation html or ref wrong: ref %q", inv[0].Ref)
	}
	if got := r.audit.actions(a.ID); !slices.Equal(got, []string{"assessment.send"}) {
		t.Errorf("audit %v", got)
	}
}

func TestLinkStates(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	a, first := r.send("basic")
	if _, err := r.svc.Portal(ctx, first); err != nil {
		t.Fatalf("fresh link: %v", err)
	}
	if _, err := r.svc.Portal(ctx, "no-such-token"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("unknown link: %v", err)
	}

	r.clock.Advance(time.Minute)
	if err := r.svc.Resend(ctx, staff, a.ID); err != nil {
		t.Fatal(err)
	}
	second := r.tokenFor(a.ContactEmail)
	if second == first {
		t.Fatal("resend mailed the same link")
	}
	if _, err := r.svc.Portal(ctx, first); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("old link after resend: %v, want not found", err)
	}
	if _, err := r.svc.Portal(ctx, second); err != nil {
		t.Errorf("new link: %v", err)
	}
	if msgs := r.mails(a.ContactEmail, assessments.MailInvitation); len(msgs) != 2 || !strings.HasPrefix(msgs[0].Subject, "New link:") {
		t.Errorf("resend mail: %d invitations", len(msgs))
	}

	if err := r.svc.Revoke(ctx, staff, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Portal(ctx, second); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("revoked link: %v, want not found", err)
	}
	if err := r.svc.Resend(ctx, staff, a.ID); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("resend of a revoked assessment: %v", err)
	}
	if got := r.audit.actions(a.ID); !slices.Equal(got, []string{"assessment.send", "assessment.resend", "assessment.revoke"}) {
		t.Errorf("audit %v", got)
	}

	b, tok := r.send("basic")
	r.clock.Advance(14*24*time.Hour + 31*24*time.Hour + time.Hour)
	if _, err := r.svc.Portal(ctx, tok); !errors.Is(err, apperr.ErrGone) {
		t.Errorf("expired link: %v, want gone", err)
	}
	if err := r.svc.SetDueDate(ctx, staff, b.ID, r.clock.Now().AddDate(0, 0, -1)); len(apperr.Fields(err)) == 0 {
		t.Errorf("past due date accepted: %v", err)
	}
	if err := r.svc.SetDueDate(ctx, staff, b.ID, r.clock.Now().AddDate(0, 0, 7)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Portal(ctx, tok); err != nil {
		t.Errorf("link after moving the due date: %v", err)
	}
}

func TestSendRecordsThePreviousAssessment(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	v := r.vendor("Repeat Ltd", 1, assessments.Contact{Email: "rep@repeat.example"})
	first, tok := r.sendTo(v, "basic")
	answerBasic(t, r, tok)
	if err := r.svc.Submit(ctx, supplier, tok); err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(time.Hour)
	second, _ := r.sendTo(v, "basic")
	if second.PreviousID != first.ID {
		t.Errorf("previous %q, want %q", second.PreviousID, first.ID)
	}
	other, _ := r.sendTo(v, "vendor-lite")
	if other.PreviousID != "" {
		t.Errorf("another template's assessment has previous %q", other.PreviousID)
	}
}

func TestSendBulk(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	a := r.vendor("A Ltd", 2, assessments.Contact{Email: "a@a.example"}, assessments.Contact{Email: "a2@a.example"})
	b := r.vendor("B Ltd", 3, assessments.Contact{Email: "b@b.example"})
	none := r.vendor("C Ltd", 4)
	sent, errs := r.svc.SendBulk(ctx, staff, []string{a, b, none, a}, "basic", r.clock.Now().AddDate(0, 0, 5), "Annual check")
	if len(sent) != 2 || len(errs) != 1 || errs[none] == nil {
		t.Fatalf("sent %d, errs %v", len(sent), errs)
	}
	if sent[0].ContactEmail != "a@a.example" || sent[1].ContactEmail != "b@b.example" {
		t.Errorf("bulk send did not use each vendor's first contact: %s, %s", sent[0].ContactEmail, sent[1].ContactEmail)
	}
	if inv := r.mails("b@b.example", assessments.MailInvitation); len(inv) != 1 || !strings.Contains(inv[0].Text, "Annual check") {
		t.Errorf("bulk invitation missing or without the message")
	}
}

func TestListFiltersAndSorts(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	x, _ := r.sendTo(r.vendor("Xylo Ltd", 2, assessments.Contact{Email: "x@x.example"}), "basic")
	r.clock.Advance(time.Hour)
	y, ytok := r.sendTo(r.vendor("Yak Inc", 3, assessments.Contact{Email: "y@y.example"}), "basic")
	answerBasic(t, r, ytok)
	if err := r.svc.Submit(ctx, supplier, ytok); err != nil {
		t.Fatal(err)
	}
	items, total, err := r.svc.List(ctx, assessments.Filter{})
	if err != nil || total != 2 || items[0].ID != y.ID || items[1].ID != x.ID {
		t.Fatalf("newest first: %v %d", err, total)
	}
	if items[0].Template != nil || len(items[0].Answers) != 0 {
		t.Error("lists carry the template snapshot or answers")
	}
	if items[0].Score == nil || items[0].Progress.Answered == 0 {
		t.Errorf("lists lack score or progress: %+v", items[0].Progress)
	}
	// Lists name the questionnaire by the title it was sent with, which
	// they carry without the snapshot.
	if got := items[0].QuestionnaireTitle(); got != "Basic supplier check" {
		t.Errorf("listed questionnaire title %q", got)
	}
	q, total, _ := r.svc.List(ctx, assessments.Filter{Statuses: []assessments.Status{assessments.StatusSubmitted}, Sort: assessments.SortOldestSubmitted})
	if total != 1 || q[0].ID != y.ID {
		t.Errorf("review queue: %d", total)
	}
	s, total, _ := r.svc.List(ctx, assessments.Filter{Q: "xYl"})
	if total != 1 || s[0].ID != x.ID {
		t.Errorf("search: %d", total)
	}
	if _, total, _ := r.svc.List(ctx, assessments.Filter{Q: "(.*"}); total != 0 {
		t.Errorf("search treats input as a pattern: %d", total)
	}
}

func TestQuestionnaireTitleFallsBackForOlderAssessments(t *testing.T) {
	snapshot := &questionnaires.Template{Key: "vendor-lite", Version: 2, Title: "Vendor security essentials"}
	tests := []struct {
		name string
		a    assessments.Assessment
		want string
	}{
		{"title kept at send", assessments.Assessment{TemplateKey: "vendor-lite", TemplateTitle: "Vendor essentials (2025)", Template: snapshot}, "Vendor essentials (2025)"},
		{"older, snapshot loaded", assessments.Assessment{TemplateKey: "vendor-lite", Template: snapshot}, "Vendor security essentials"},
		{"older, listed without the snapshot", assessments.Assessment{TemplateKey: "vendor-lite"}, "vendor-lite"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.QuestionnaireTitle(); got != tt.want {
				t.Errorf("QuestionnaireTitle() = %q, want %q", got, tt.want)
			}
		})
	}
}
