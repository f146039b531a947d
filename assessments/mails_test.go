package assessments_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/frontend"
	"github.com/assayhq/assay/mail"
	"github.com/assayhq/assay/testenv"
)

// TestEveryMailRenders renders each mail of the lifecycle with the real
// templates and checks the facts a reader needs are in both bodies.
func TestEveryMailRenders(t *testing.T) {
	r, err := frontend.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC)
	at := time.Date(2026, 4, 2, 14, 5, 0, 0, time.UTC)
	cases := []struct {
		name    string
		data    any
		subject string
		want    []string
	}{
		{"invitation", assessments.InvitationMail{Company: "Example Corp", Vendor: "Acme & Sons", Contact: "Ann", Template: "Vendor essentials",
			DueDate: due, Questions: 24, Estimate: "about 30 minutes", Message: "Thanks <3", Link: "https://assay.example/q/tok?x=1&y=2"},
			`Example Corp asks Acme & Sons to complete "Vendor essentials" by 30 Apr 2026`,
			[]string{"Ann", "30 Apr 2026", "24", "about 30 minutes", "Thanks <3", "https://assay.example/q/tok?x=1&y=2"}},
		{"reminder", assessments.ReminderMail{Company: "Example Corp", Vendor: "Acme", Template: "Vendor essentials", Kind: assessments.ReminderOverdue,
			DueDate: due, Days: 8, LinkSentAt: at, Answered: 3, Total: 24, Link: "https://assay.example/q/tok3"},
			`Overdue: "Vendor essentials" for Example Corp`, []string{"30 Apr 2026", "8 days ago", "3 of 24", "2 Apr 2026", "https://assay.example/q/tok3"}},
		{"receipt", assessments.ReceiptMail{Company: "Example Corp", Vendor: "Acme", Contact: "Ann", Template: "Vendor essentials", SubmittedAt: at,
			Answered: 22, Total: 24, Files: []assessments.FileLine{{Name: "iso-cert.pdf", Size: 1_500_000}}},
			`Received: "Vendor essentials" from Acme`, []string{"22 of 24", "iso-cert.pdf", "1.5 MB", "2 Apr 2026 14:05 UTC"}},
		{"submitted", assessments.SubmittedMail{Company: "Example Corp", Vendor: "Acme", Tier: 1, Template: "Vendor essentials", SubmittedAt: at,
			Answered: 22, Total: 24, Files: 3, ReviewURL: "https://assay.example/app/assessments/a1/review"},
			`Submitted: Acme answered "Vendor essentials"`, []string{"tier 1", "22 of 24", "https://assay.example/app/assessments/a1/review"}},
		{"clarification", assessments.ClarificationMail{Company: "Example Corp", Vendor: "Acme", Contact: "Ann", Template: "Vendor essentials",
			Question: "Do you encrypt backups?", Comment: "Which algorithm?", DueDate: due, Link: "https://assay.example/q/tok2"},
			`Example Corp has a question about "Vendor essentials"`, []string{"Do you encrypt backups?", "Which algorithm?", "https://assay.example/q/tok2"}},
		{"remediation", assessments.RemediationMail{Company: "Example Corp", Vendor: "Acme", Contact: "Ann", Control: "A.8.13", Title: "Information backup",
			Severity: "high", Recommendation: "Back up daily and test restores.", DueDate: due, Note: "By the end of the quarter."},
			"Remediation request from Example Corp: A.8.13 Information backup", []string{"high", "Back up daily and test restores.", "30 Apr 2026", "By the end of the quarter."}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			subject, text, html, err := r.Mail(c.name, c.data)
			if err != nil {
				t.Fatal(err)
			}
			if subject != c.subject {
				t.Errorf("subject %q, want %q", subject, c.subject)
			}
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
				if !strings.Contains(html, escape(w)) {
					t.Errorf("html lacks %q", escape(w))
				}
			}
			if !strings.Contains(html, "Example Corp · Assay") || strings.Contains(html, "<no value>") || strings.Contains(text, "<no value>") {
				t.Errorf("layout missing or a field undefined:\n%s", html)
			}
		})
	}
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}

// TestReminderMessages renders each kind of reminder. Each carries a link
// of its own that opens the questionnaire until it is withdrawn or the
// supplier's link is renewed.
func TestReminderMessages(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	a, _ := r.send("basic") // due 16 Mar 2026, sent 2 Mar
	cases := []struct {
		kind    string
		advance time.Duration
		subject string
		says    string
	}{
		{assessments.ReminderBeforeDue, 7 * 24 * time.Hour, "Reminder:", "in 7 days"},
		{assessments.ReminderDue, 7 * 24 * time.Hour, "Due today:", "is due today"},
		{assessments.ReminderOverdue, 7 * 24 * time.Hour, "Overdue:", "7 days ago"},
	}
	var tokens []string
	for _, c := range cases {
		r.clock.Advance(c.advance)
		m, _, err := r.svc.ReminderMessage(ctx, a, c.kind)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(m.Subject, c.subject) || !strings.Contains(m.Text, c.says) || m.To[0] != a.ContactEmail ||
			m.Kind != assessments.MailReminder || m.Ref != a.ID || !strings.Contains(m.DedupeKey, c.kind) {
			t.Errorf("%s: %+v", c.kind, m)
		}
		tokens = append(tokens, reminderToken(t, m))
	}
	if _, _, err := r.svc.ReminderMessage(ctx, a, "whenever"); err == nil {
		t.Error("unknown reminder kind accepted")
	}
	for i, tok := range tokens {
		if got, err := r.svc.Portal(ctx, tok); err != nil || got.ID != a.ID {
			t.Errorf("link of reminder %d: %v", i, err)
		}
	}

	// A reminder the outbox turns away (the same kind and day, queued by
	// another instance) is withdrawn, and its link no longer opens.
	m, _, err := r.svc.ReminderMessage(ctx, a, assessments.ReminderOverdue)
	if err != nil {
		t.Fatal(err)
	}
	mb := newOutboxOf(r)
	if _, err := mb.Enqueue(ctx, m); err != nil {
		t.Fatal(err)
	}
	dup, withdrawDup, err := r.svc.ReminderMessage(ctx, a, assessments.ReminderOverdue)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mb.Enqueue(ctx, dup); !errors.Is(err, mail.ErrDuplicate) {
		t.Fatalf("the same reminder queued twice: %v", err)
	}
	if err := withdrawDup(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Portal(ctx, reminderToken(t, dup)); err == nil {
		t.Error("the link of a withdrawn reminder still opens the questionnaire")
	}
	if _, err := r.svc.Portal(ctx, reminderToken(t, m)); err != nil {
		t.Errorf("withdrawing one reminder closed another's link: %v", err)
	}

	// A resend retires every reminder's link with the old one.
	if err := r.svc.Resend(ctx, staff, a.ID); err != nil {
		t.Fatal(err)
	}
	for i, tok := range append(tokens, reminderToken(t, m)) {
		if _, err := r.svc.Portal(ctx, tok); err == nil {
			t.Errorf("link of reminder %d still opens after a resend", i)
		}
	}
}

// reminderToken returns the token of the link in a reminder.
func reminderToken(t *testing.T, m mail.Message) string {
	t.Helper()
	link, err := testenv.LinkIn(m.Text, "https://assay.example.test/q/")
	if err != nil {
		t.Fatalf("%v:\n%s", err, m.Text)
	}
	if !strings.Contains(m.HTML, link) {
		t.Errorf("the HTML of the reminder lacks its link %s", link)
	}
	return strings.TrimPrefix(link, "https://assay.example.test/q/")
}
