package reminders_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/frontend"
	"github.com/assayhq/assay/mail"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/reminders"
	storemongo "github.com/assayhq/assay/storage/mongo"
	"github.com/assayhq/assay/testenv"
	"github.com/assayhq/assay/vendors"
	"go.mongodb.org/mongo-driver/bson"
)

type library map[string]*questionnaires.Template

func (l library) Latest(_ context.Context, key string) (*questionnaires.Template, error) {
	return l[key], nil
}

type reviewers []string

func (r reviewers) ReviewerEmails(context.Context) ([]string, error) { return r, nil }

// liteAnswers answers every required question of the vendor-lite template
// without needing evidence.
func liteAnswers() map[string]any {
	ans := map[string]any{"vl-certification": "no", "vl-data-access": "no", "vl-develops-software": "no"}
	for _, id := range []string{"vl-policy", "vl-security-owner", "vl-incident-notify", "vl-incident-plan", "vl-continuity",
		"vl-screening", "vl-confidentiality", "vl-training", "vl-premises", "vl-disposal", "vl-devices", "vl-mfa",
		"vl-patching", "vl-firewall"} {
		ans[id] = "yes"
	}
	for _, id := range []string{"vl-privacy", "vl-encryption", "vl-backup", "vl-logging"} {
		ans[id] = "na"
	}
	return ans
}

// TestRemindersThroughTheWeeks drives the scheduler with a fake clock from
// the invitation through the before-due, due and weekly overdue reminders
// to the submit, after which nothing more is sent. Mail goes through a real
// outbox to a real mailpit; a second scheduler running at the same moments
// (another instance) adds nothing.
func TestRemindersThroughTheWeeks(t *testing.T) {
	ctx := context.Background()
	db := testenv.Mongo(t)
	box := testenv.MailpitBox(t)
	indexes := append(append(append([]storemongo.Index{}, storemongo.OutboxIndexes...), storemongo.VendorIndexes...), storemongo.AssessmentIndexes...)
	if err := storemongo.EnsureIndexes(ctx, db, indexes); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	renderer, err := frontend.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	builtins, err := questionnaires.Library()
	if err != nil {
		t.Fatal(err)
	}
	lib := library{}
	for _, tmpl := range builtins {
		lib[tmpl.Key] = tmpl
	}
	rec := audit.NewService(storemongo.NewAudit(db))
	outboxStore := storemongo.NewOutbox(db)
	outbox := mail.NewOutbox(outboxStore, mail.NewSMTP(mail.SMTPConfig{Host: box.SMTPHost, Port: box.SMTPPort, TLS: "none"}),
		"Assay <assay@example.test>", quiet)
	outbox.SetClock(clock)
	register := vendors.NewService(vendors.Deps{Store: storemongo.NewVendors(db), Staff: storemongo.NewStaffDirectory(db),
		Templates: lib, Audit: rec, Now: clock, Log: quiet})
	svc := assessments.NewService(assessments.Deps{
		Store: storemongo.NewAssessments(db), Evidence: storemongo.NewEvidence(db), Blobs: testenv.Blobs(t),
		Mail: outbox, Render: renderer, Templates: lib, Vendors: register, Staff: reviewers{},
		Audit: rec, Now: clock, Log: quiet,
		Settings: assessments.Settings{BaseURL: "https://assay.example.test", Company: "Example Corp", LinkValidDays: 60},
	})
	newScheduler := func() *reminders.Scheduler {
		return reminders.New(reminders.Deps{Assessments: svc, Mail: outbox, Store: storemongo.NewReminders(db),
			Vendors: register, Audit: rec, ReminderDays: 7, Clock: clock, Log: quiet})
	}
	first, second := newScheduler(), newScheduler()

	staff := audit.Actor{Kind: audit.KindStaff, ID: "u1", Email: "proc@example.test"}
	v, err := register.Create(ctx, staff, vendors.Input{Name: "Acme", Tier: 2, Contacts: []vendors.Contact{{Name: "Ann", Email: box.Address}}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.Send(ctx, staff, assessments.SendRequest{VendorID: v.ID, TemplateKey: "vendor-lite",
		DueDate: time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	delivered := 0
	// at moves the clock, runs both schedulers, sends what they queued and
	// checks how many reminders arrived and the subject of the newest.
	at := func(when string, wantQueued int, subject string) []testenv.Message {
		t.Helper()
		now, err = time.Parse(time.DateTime, when)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := first.RunOnce(ctx)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		rep2, err := second.RunOnce(ctx)
		if err != nil {
			t.Fatalf("%s: second instance: %v", when, err)
		}
		if rep.Queued != wantQueued || rep2.Queued != 0 {
			t.Fatalf("%s: queued %d and %d by the second instance, want %d and 0", when, rep.Queued, rep2.Queued, wantQueued)
		}
		for outbox.SendDue(ctx) {
		}
		delivered += wantQueued
		msgs := box.WaitFor(t, box.Address, 1+delivered, 10*time.Second)
		if len(msgs) != 1+delivered {
			t.Fatalf("%s: %d mails in mailpit, want %d", when, len(msgs), 1+delivered)
		}
		if subject != "" && !strings.Contains(strings.ToLower(msgs[len(msgs)-1].Subject), subject) {
			t.Fatalf("%s: newest mail %q, want it to mention %q", when, msgs[len(msgs)-1].Subject, subject)
		}
		return msgs
	}
	msgs := at("2026-03-02 09:01:00", 0, "")
	link, err := testenv.LinkIn(msgs[0].Text, "https://assay.example.test/q/")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimPrefix(link, "https://assay.example.test/q/")
	at("2026-03-12 23:59:00", 0, "")
	at("2026-03-13 08:00:00", 1, "")
	at("2026-03-13 17:00:00", 0, "") // rerun the same day
	at("2026-03-19 08:00:00", 0, "")
	at("2026-03-20 06:00:00", 1, "")
	at("2026-03-24 06:00:00", 0, "")
	if list, _, _ := register.List(ctx, vendors.Filter{Overdue: true}); len(list) != 1 || list[0].ID != v.ID {
		t.Fatalf("vendor not flagged overdue: %+v", list)
	}
	at("2026-03-27 06:00:00", 1, "")
	msgs = at("2026-04-03 06:00:00", 1, "")
	// Each reminder carries a link of its own that opens the questionnaire.
	// The second instance's reminders, turned away by the outbox, left no
	// link behind: the invitation's and the four delivered ones are all.
	for _, m := range msgs[1:] {
		l, err := testenv.LinkIn(m.Text, "https://assay.example.test/q/")
		if err != nil {
			t.Fatalf("reminder %q: %v", m.Subject, err)
		}
		tok := strings.TrimPrefix(l, "https://assay.example.test/q/")
		if got, err := svc.Portal(ctx, tok); tok == token || err != nil || got.ID != a.ID {
			t.Errorf("the link of reminder %q does not open the questionnaire on its own: %v", m.Subject, err)
		}
	}
	if n, err := db.Collection("assessment_links").CountDocuments(ctx, bson.M{"assessment_id": a.ID}); err != nil || n != 5 {
		t.Errorf("%d links to the assessment, want 5 (the invitation's and one per delivered reminder): %v", n, err)
	}
	kinds := map[string]int{}
	list, _, err := outboxStore.List(ctx, mail.Filter{Ref: a.ID, Kind: assessments.MailReminder})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		kinds[m.DedupeKey]++
	}
	for _, key := range []string{"reminder:" + a.ID + ":before_due:2026-03-13", "reminder:" + a.ID + ":due:2026-03-20",
		"reminder:" + a.ID + ":overdue:2026-03-27", "reminder:" + a.ID + ":overdue:2026-04-03"} {
		if kinds[key] != 1 {
			t.Errorf("reminder %s queued %d times, want once (all: %v)", key, kinds[key], kinds)
		}
	}

	// The supplier answers and submits: the reminders stop and the vendor
	// is no longer overdue.
	supplier := audit.Actor{Kind: audit.KindSupplier, IP: "192.0.2.1"}
	if _, err := svc.SaveAnswers(ctx, supplier, token, liteAnswers()); err != nil {
		t.Fatal(err)
	}
	if err := svc.Submit(ctx, supplier, token); err != nil {
		t.Fatal(err)
	}
	for outbox.SendDue(ctx) {
	}
	delivered++ // the submit receipt
	at("2026-04-10 06:00:00", 0, "")
	at("2026-04-17 06:00:00", 0, "")
	if list, _, _ := register.List(ctx, vendors.Filter{Overdue: true}); len(list) != 0 {
		t.Fatalf("vendor still flagged overdue after the submit")
	}
}

// TestExpiredLinksAreClosed: an open assessment past its link's expiry is
// marked expired (once, whichever instance sees it) and gets no reminder.
func TestExpiredLinksAreClosed(t *testing.T) {
	ctx := context.Background()
	db := testenv.Mongo(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	renderer, _ := frontend.NewRenderer()
	builtins, _ := questionnaires.Library()
	lib := library{}
	for _, tmpl := range builtins {
		lib[tmpl.Key] = tmpl
	}
	rec := audit.NewService(storemongo.NewAudit(db))
	outboxStore := storemongo.NewOutbox(db)
	outbox := mail.NewOutbox(outboxStore, nil, "Assay <assay@example.test>", quiet)
	outbox.SetClock(clock)
	register := vendors.NewService(vendors.Deps{Store: storemongo.NewVendors(db), Staff: storemongo.NewStaffDirectory(db),
		Templates: lib, Audit: rec, Now: clock, Log: quiet})
	svc := assessments.NewService(assessments.Deps{
		Store: storemongo.NewAssessments(db), Evidence: storemongo.NewEvidence(db), Blobs: testenv.Blobs(t),
		Mail: outbox, Render: renderer, Templates: lib, Vendors: register, Staff: reviewers{}, Audit: rec, Now: clock, Log: quiet,
		Settings: assessments.Settings{BaseURL: "https://assay.example.test", Company: "Example Corp", LinkValidDays: 5},
	})
	sched := reminders.New(reminders.Deps{Assessments: svc, Mail: outbox, Store: storemongo.NewReminders(db),
		Vendors: register, Audit: rec, ReminderDays: 7, Clock: clock, Log: quiet})
	staff := audit.Actor{Kind: audit.KindStaff, ID: "u1"}
	v, err := register.Create(ctx, staff, vendors.Input{Name: "Acme", Tier: 2, Contacts: []vendors.Contact{{Email: "ann@acme.example"}}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.Send(ctx, staff, assessments.SendRequest{VendorID: v.ID, TemplateKey: "vendor-lite", DueDate: now.AddDate(0, 0, 10)})
	if err != nil {
		t.Fatal(err)
	}
	now = a.ExpiresAt.Add(time.Hour)
	rep, err := sched.RunOnce(ctx)
	if err != nil || rep.Expired != 1 || rep.Queued != 0 {
		t.Fatalf("run after expiry: %+v %v", rep, err)
	}
	got, err := svc.Get(ctx, a.ID)
	if err != nil || got.Status != assessments.StatusExpired {
		t.Fatalf("status %s, %v", got.Status, err)
	}
	if rep, _ := sched.RunOnce(ctx); rep.Expired != 0 || rep.Queued != 0 {
		t.Fatalf("second run: %+v", rep)
	}
	entries, _, err := rec.List(ctx, audit.Filter{ObjectID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	expires := 0
	for _, e := range entries {
		if e.Action == "assessment.expire" && e.Actor.Kind == audit.KindSystem {
			expires++
		}
	}
	if expires != 1 {
		t.Fatalf("%d assessment.expire entries, want 1", expires)
	}
}

// TestReminderLinkOpensThePortal follows a reminder's link through the real
// HTTP handlers: the page and the JSON face open (200) until a resend
// renews the supplier's link, which retires the reminder's too.
func TestReminderLinkOpensThePortal(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{NoWorkers: true})
	v, err := env.App.Vendors.Create(ctx, audit.System, vendors.Input{Name: "Fabrikam", Tier: 2,
		Contacts: []vendors.Contact{{Name: "Fay", Email: "fay@fabrikam.example"}}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := env.App.Assessments.Send(ctx, audit.System, assessments.SendRequest{VendorID: v.ID, TemplateKey: "vendor-lite",
		DueDate: time.Now().UTC().AddDate(0, 0, 10)})
	if err != nil {
		t.Fatal(err)
	}
	// Seven days before the due date: the before-due reminder's slot.
	later := time.Now().UTC().AddDate(0, 0, 3)
	sched := reminders.New(reminders.Deps{Assessments: env.App.Assessments, Mail: env.App.Outbox,
		Store: storemongo.NewReminders(env.App.DB), Vendors: env.App.Vendors, Audit: env.App.Audit, ReminderDays: 7,
		Clock: func() time.Time { return later }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if rep, err := sched.RunOnce(ctx); err != nil || rep.Queued != 1 {
		t.Fatalf("run: %+v %v", rep, err)
	}
	list, _, err := env.App.Outbox.List(ctx, mail.Filter{Ref: a.ID, Kind: assessments.MailReminder})
	if err != nil || len(list) != 1 {
		t.Fatalf("%d reminders queued: %v", len(list), err)
	}
	link, err := testenv.LinkIn(list[0].Text, env.URL+"/q/")
	if err != nil {
		t.Fatalf("%v:\n%s", err, list[0].Text)
	}
	token := strings.TrimPrefix(link, env.URL+"/q/")
	get := func(path string) int {
		t.Helper()
		resp, err := env.Client().Get(env.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if page, api := get("/q/"+token), get("/api/v1/portal/"+token); page != http.StatusOK || api != http.StatusOK {
		t.Fatalf("the reminder's link: page %d, API %d, want 200", page, api)
	}
	if err := env.App.Assessments.Resend(ctx, audit.System, a.ID); err != nil {
		t.Fatal(err)
	}
	if page, api := get("/q/"+token), get("/api/v1/portal/"+token); page != http.StatusNotFound || api != http.StatusNotFound {
		t.Fatalf("the reminder's link after a resend: page %d, API %d, want 404", page, api)
	}
}
