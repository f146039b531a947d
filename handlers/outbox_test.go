package handlers_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/mail"
	storemongo "github.com/assayhq/assay/storage/mongo"
	"github.com/assayhq/assay/testenv"
)

func TestOutboxPage(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	id := vndCreate(t, env, env.Token(t, auth.RoleProcurement), map[string]any{"name": "Acme", "tier": 2,
		"contacts": []map[string]string{{"name": "Ann", "email": "ann@acme.example"}}})
	a, err := env.App.Assessments.Send(ctx, vndActor, assessments.SendRequest{VendorID: id, TemplateKey: "vendor-lite", DueDate: time.Now().AddDate(0, 0, 7)})
	if err != nil {
		t.Fatal(err)
	}
	sent, _, err := env.App.Outbox.List(ctx, mail.Filter{Ref: a.ID})
	if err != nil || len(sent) != 1 {
		t.Fatalf("invitation in the outbox: %v %v", sent, err)
	}
	inv := sent[0]
	subject := html.EscapeString(inv.Subject)
	failed := &mail.Message{ID: "failed1", To: []string{"bob@beta.example"}, Subject: "Undelivered <mail>", Text: "x", Kind: "reminder",
		Status: mail.StatusFailed, Attempts: 6, LastError: "dial tcp: connection refused", CreatedAt: time.Now().UTC()}
	if err := storemongo.NewOutbox(env.App.DB).Insert(ctx, failed); err != nil {
		t.Fatal(err)
	}

	proc := env.Login(t, auth.RoleProcurement)
	code, page := vndGet(t, env, proc, "/app/outbox")
	if code != http.StatusOK {
		t.Fatalf("outbox: %d", code)
	}
	vndContains(t, "outbox", page, "No mail relay is configured", subject, "Undelivered &lt;mail&gt;", "connection refused",
		`action="/app/outbox/failed1/retry"`, `<span class="badge badge-captured">Captured</span>`)
	_, page = vndGet(t, env, proc, "/app/outbox?status=failed")
	if strings.Contains(page, subject) || !strings.Contains(page, "Undelivered") {
		t.Error("status filter")
	}
	_, page = vndGet(t, env, proc, "/app/outbox?to="+url.QueryEscape("ANN@acme.example"))
	if !strings.Contains(page, subject) || strings.Contains(page, "Undelivered") {
		t.Error("recipient filter")
	}

	code, page = vndGet(t, env, proc, "/app/outbox/"+inv.ID)
	if code != http.StatusOK {
		t.Fatalf("message page: %d", code)
	}
	link, err := testenv.LinkIn(inv.Text, env.URL+"/q/")
	if err != nil {
		t.Fatal(err)
	}
	vndContains(t, "message page", page, `<iframe class="mail-frame"`, `sandbox="allow-popups allow-popups-to-escape-sandbox"`,
		`src="/app/outbox/`+inv.ID+`/html"`, `<a href="`+link+`" rel="noopener noreferrer" target="_blank">`, "kept here: no mail relay")

	resp, err := proc.Get(env.URL + "/app/outbox/" + inv.ID + "/html")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != http.StatusOK || !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "frame-ancestors 'self'") ||
		!strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") || resp.Header.Get("X-Frame-Options") != "SAMEORIGIN" {
		t.Fatalf("mail frame: %s, CSP %q, XFO %q", resp.Status, csp, resp.Header.Get("X-Frame-Options"))
	}
	if !strings.HasPrefix(string(body), `<base target="_blank">`) || !strings.Contains(string(body), link) {
		t.Errorf("mail frame body:\n%.300s", body)
	}
	// Every other page keeps the strict policy.
	if resp, _ := proc.Get(env.URL + "/app/outbox/" + inv.ID); resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("message page X-Frame-Options %q", resp.Header.Get("X-Frame-Options"))
	}

	reviewer := env.Login(t, auth.RoleReviewer)
	if code, _ := vndGet(t, env, reviewer, "/app/outbox/"+inv.ID); code != http.StatusOK {
		t.Errorf("reviewer reading a mail: %d", code)
	}
	if resp, _ := vndPost(t, env, reviewer, "/app/outbox", "/app/outbox/failed1/retry", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("reviewer retry: %s, want 403", resp.Status)
	}
	resp, _ = vndPost(t, env, proc, "/app/outbox", "/app/outbox/failed1/retry", url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("retry: %s", resp.Status)
	}
	if m, _ := env.App.Outbox.Get(ctx, "failed1"); m.Status != mail.StatusQueued || m.Attempts != 0 {
		t.Fatalf("after retry: %s after %d tries", m.Status, m.Attempts)
	}
	if resp, _ := vndPost(t, env, proc, "/app/outbox", "/app/outbox/failed1/retry", url.Values{}); resp.StatusCode != http.StatusConflict {
		t.Errorf("retrying a queued mail: %s, want 409", resp.Status)
	}
	if code, _ := vndGet(t, env, proc, "/app/outbox/nope"); code != http.StatusNotFound {
		t.Errorf("unknown mail: %d", code)
	}
}

// vndDrain runs SendDue on o until no message is due.
func vndDrain(ctx context.Context, o *mail.Outbox) int {
	n := 0
	for o.SendDue(ctx) {
		n++
	}
	return n
}

// TestTwoOutboxWorkersSendEachMailOnce: two outboxes (two Assay instances)
// over one database drain the same queue concurrently into a real mailpit;
// each mail arrives exactly once.
func TestTwoOutboxWorkersSendEachMailOnce(t *testing.T) {
	env := apptest.New(t, apptest.Options{SMTP: true, NoWorkers: true})
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	smtp := mail.NewSMTP(mail.SMTPConfig{Host: env.Mailpit.SMTPHost, Port: env.Mailpit.SMTPPort, TLS: "none"})
	other := mail.NewOutbox(storemongo.NewOutbox(env.App.DB), smtp, "Assay <assay@example.test>", quiet)
	const n = 30
	to := testenv.UniqueAddress(t)
	for i := range n {
		if _, err := env.App.Outbox.Enqueue(ctx, mail.Message{To: []string{to}, Subject: fmt.Sprintf("mail %02d", i), Text: "body", Kind: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i, o := range []*mail.Outbox{env.App.Outbox, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			counts[i] = vndDrain(ctx, o)
		}()
	}
	wg.Wait()
	if counts[0]+counts[1] != n {
		t.Fatalf("the workers sent %d + %d, want %d in all", counts[0], counts[1], n)
	}
	msgs := env.Mailpit.WaitFor(t, to, n, 30*time.Second)
	time.Sleep(500 * time.Millisecond) // a duplicate would arrive by now
	if got := len(env.Mailpit.Search(t, to)); got != n || len(msgs) != n {
		t.Fatalf("%d mails arrived, want %d", got, n)
	}
	seen := map[string]bool{}
	for _, m := range msgs {
		if seen[m.Subject] {
			t.Fatalf("%q arrived twice", m.Subject)
		}
		seen[m.Subject] = true
	}
	list, total, _ := env.App.Outbox.List(ctx, mail.Filter{Status: mail.StatusSent, Per: 100})
	if total != n {
		t.Fatalf("%d marked sent, want %d", total, n)
	}
	for _, m := range list {
		if m.Attempts != 1 {
			t.Errorf("%s sent after %d attempts", m.Subject, m.Attempts)
		}
	}
}

// TestInvitationsSurviveAnSMTPOutage: with the relay down, three
// invitations sent through the API wait in the outbox with their failed
// tries recorded; after the relay is back (and Assay restarted: a new outbox
// over the same database) each arrives exactly once. Time is injected, so
// the backoff costs no waiting.
func TestInvitationsSurviveAnSMTPOutage(t *testing.T) {
	mp := testenv.NewMailpit(t)
	env := apptest.New(t, apptest.Options{Mailpit: mp, NoWorkers: true})
	ctx := context.Background()
	now := time.Now().UTC()
	clock := func() time.Time { return now }
	env.App.Outbox.SetClock(clock)
	mp.Stop()

	token := env.Token(t, auth.RoleProcurement)
	var addrs []string
	for i := range 3 {
		addr := testenv.UniqueAddress(t)
		addrs = append(addrs, addr)
		id := vndCreate(t, env, token, map[string]any{"name": fmt.Sprintf("Vendor %d", i), "tier": 2,
			"contacts": []map[string]string{{"email": addr}}})
		var out struct {
			ID string `json:"id"`
		}
		code := vndAPI(t, env, http.MethodPost, "/api/v1/assessments", token, map[string]any{"vendor_id": id, "template_key": "vendor-lite",
			"contact_email": addr, "due_date": now.AddDate(0, 0, 14).Format(time.DateOnly)}, &out)
		if code != http.StatusCreated {
			t.Fatalf("send %d: %d", i, code)
		}
	}
	if n := vndDrain(ctx, env.App.Outbox); n != 3 {
		t.Fatalf("%d tries while the relay is down, want 3", n)
	}
	list, _, _ := env.App.Outbox.List(ctx, mail.Filter{Kind: assessments.MailInvitation})
	for _, m := range list {
		if m.Status != mail.StatusQueued || m.Attempts != 1 || m.LastError == "" || !m.NextAttempt.After(now) {
			t.Fatalf("after a failed try: %+v", m)
		}
	}
	if vndDrain(ctx, env.App.Outbox) != 0 {
		t.Fatal("retried before the backoff")
	}

	if err := mp.Start(); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	restarted := mail.NewOutbox(storemongo.NewOutbox(env.App.DB),
		mail.NewSMTP(mail.SMTPConfig{Host: mp.SMTPHost, Port: mp.SMTPPort, TLS: "none"}), "Assay <assay@example.test>", quiet)
	now = now.Add(time.Hour)
	restarted.SetClock(clock)
	if n := vndDrain(ctx, restarted); n != 3 {
		t.Fatalf("sent %d after the relay came back, want 3", n)
	}
	vndDrain(ctx, env.App.Outbox)
	for _, addr := range addrs {
		msgs := mp.WaitFor(t, addr, 1, 20*time.Second)
		time.Sleep(200 * time.Millisecond)
		if got := len(mp.Search(t, addr)); got != 1 || !strings.Contains(msgs[0].Text, env.URL+"/q/") {
			t.Fatalf("%s received %d mails, want its one invitation", addr, got)
		}
	}
	list, _, _ = env.App.Outbox.List(ctx, mail.Filter{Kind: assessments.MailInvitation})
	for _, m := range list {
		if m.Status != mail.StatusSent || m.Attempts != 2 {
			t.Errorf("invitation %s: %s after %d tries", m.ID, m.Status, m.Attempts)
		}
	}
}
