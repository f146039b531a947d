package mail_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/mail"
	storemongo "github.com/assayhq/assay/storage/mongo"
	"github.com/assayhq/assay/testenv"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func smtpTo(m *testenv.Mailpit) *mail.SMTP {
	return mail.NewSMTP(mail.SMTPConfig{Host: m.SMTPHost, Port: m.SMTPPort, TLS: "none"})
}

// go-mail delivers to a real SMTP server, with both bodies intact.
func TestSMTPDeliversToMailpit(t *testing.T) {
	box := testenv.MailpitBox(t)
	msg := &mail.Message{ID: "m1", To: []string{box.Address}, Subject: "Security questionnaire from Example Corp",
		Text: "Open http://127.0.0.1/q/abc?x=1&y=2", HTML: "<p>Open <a href=\"http://127.0.0.1/q/abc\">it</a></p>"}
	if err := smtpTo(box.Mailpit).Send(context.Background(), "Assay <assay@example.test>", msg); err != nil {
		t.Fatal(err)
	}
	got := box.WaitFor(t, box.Address, 1, 10*time.Second)
	if got[0].Subject != msg.Subject || !strings.Contains(got[0].Text, "q/abc?x=1&y=2") || !strings.Contains(got[0].HTML, "<a href") {
		t.Fatalf("message arrived changed: %+v", got[0])
	}
}

func TestOutboxSendsEachMessageOnce(t *testing.T) {
	ctx := context.Background()
	box := testenv.MailpitBox(t)
	store := storemongo.NewOutbox(testenv.Mongo(t))
	o := mail.NewOutbox(store, smtpTo(box.Mailpit), "Assay <assay@example.test>", quiet)
	for i := 0; i < 3; i++ {
		if _, err := o.Enqueue(ctx, mail.Message{To: []string{box.Address}, Subject: "n", Text: "body", Kind: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	sent := 0
	for o.SendDue(ctx) {
		sent++
	}
	if sent != 3 {
		t.Fatalf("sent %d, want 3", sent)
	}
	if o.SendDue(ctx) {
		t.Fatal("a sent message was claimed again")
	}
	box.WaitFor(t, box.Address, 3, 10*time.Second)
	list, total, err := store.List(ctx, mail.Filter{Status: mail.StatusSent})
	if err != nil || total != 3 || len(list) != 3 || list[0].SentAt.IsZero() {
		t.Fatalf("outbox after sending: %d %v", total, err)
	}
}

func TestOutboxDedupeKey(t *testing.T) {
	ctx := context.Background()
	o := mail.NewOutbox(storemongo.NewOutbox(testenv.Mongo(t)), nil, "a@example.test", quiet)
	m := mail.Message{To: []string{"s@example.test"}, Subject: "Reminder", Text: "x", DedupeKey: "reminder:a1:due:2026-12-01"}
	if _, err := o.Enqueue(ctx, m); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Enqueue(ctx, m); !errors.Is(err, mail.ErrDuplicate) {
		t.Fatalf("second enqueue with the same key: %v, want ErrDuplicate", err)
	}
}

// Without a relay, mail is kept for staff to read and never claimed.
func TestOutboxWithoutRelayCaptures(t *testing.T) {
	ctx := context.Background()
	store := storemongo.NewOutbox(testenv.Mongo(t))
	o := mail.NewOutbox(store, nil, "a@example.test", quiet)
	m, err := o.Enqueue(ctx, mail.Message{To: []string{"s@example.test"}, Subject: "Hi", Text: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != mail.StatusCaptured || o.Relay() {
		t.Fatalf("status %s, want captured", m.Status)
	}
	got, err := store.Get(ctx, m.ID)
	if err != nil || got.Subject != "Hi" {
		t.Fatalf("get: %+v %v", got, err)
	}
}

// A relay that is down costs retries with growing delays, then the message
// is marked failed; a retry from the outbox page sends it.
func TestOutboxRetriesThenFails(t *testing.T) {
	ctx := context.Background()
	mp := testenv.NewMailpit(t)
	mp.Stop()
	store := storemongo.NewOutbox(testenv.Mongo(t))
	o := mail.NewOutbox(store, smtpTo(mp), "a@example.test", quiet)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	o.SetClock(func() time.Time { return now })
	o.MaxAttempts, o.Backoff = 3, time.Minute
	to := testenv.UniqueAddress(t)
	m, err := o.Enqueue(ctx, mail.Message{To: []string{to}, Subject: "s", Text: "t"})
	if err != nil {
		t.Fatal(err)
	}
	for attempt, wait := range []time.Duration{time.Minute, 2 * time.Minute, 0} {
		if o.SendDue(ctx) != true {
			t.Fatalf("attempt %d: nothing claimed", attempt+1)
		}
		got, _ := store.Get(ctx, m.ID)
		if got.Attempts != attempt+1 || got.LastError == "" {
			t.Fatalf("attempt %d recorded %+v", attempt+1, got)
		}
		if o.SendDue(ctx) {
			t.Fatalf("attempt %d: retried before its backoff", attempt+1)
		}
		now = now.Add(wait + time.Second)
	}
	got, _ := store.Get(ctx, m.ID)
	if got.Status != mail.StatusFailed {
		t.Fatalf("after the last try status is %s, want failed", got.Status)
	}
	if err := mp.Start(); err != nil {
		t.Fatal(err)
	}
	if err := o.Retry(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if !o.SendDue(ctx) {
		t.Fatal("retried message not claimed")
	}
	mp.WaitFor(t, to, 1, 10*time.Second)
	if got, _ := store.Get(ctx, m.ID); got.Status != mail.StatusSent {
		t.Fatalf("after retry status %s", got.Status)
	}
}

func TestEnqueueRejectsBadInput(t *testing.T) {
	o := mail.NewOutbox(storemongo.NewOutbox(testenv.Mongo(t)), nil, "a@example.test", quiet)
	for _, m := range []mail.Message{
		{Subject: "s", Text: "t"},
		{To: []string{"not an address"}, Subject: "s", Text: "t"},
		{To: []string{"a@example.test"}, Subject: " ", Text: "t"},
	} {
		if _, err := o.Enqueue(context.Background(), m); err == nil {
			t.Errorf("%+v accepted", m)
		}
	}
}
