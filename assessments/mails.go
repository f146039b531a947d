package assessments

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/assayhq/assay/mail"
	"github.com/assayhq/assay/questionnaires"
)

// Mail kinds, as the outbox lists them.
const (
	MailInvitation    = "invitation"
	MailReminder      = "reminder"
	MailReceipt       = "receipt"
	MailSubmitted     = "submitted"
	MailClarification = "clarification"
	MailRemediation   = "remediation"
)

// Reminder kinds for ReminderMessage.
const (
	ReminderBeforeDue = "before_due"
	ReminderDue       = "due"
	ReminderOverdue   = "overdue"
)

// InvitationMail is the data of the "invitation" mail template.
type InvitationMail struct {
	Company   string
	Vendor    string
	Contact   string
	Template  string
	DueDate   time.Time
	Questions int
	Estimate  string // "about 2 hours"
	Message   string
	Link      string
	Resent    bool // a new link replacing an earlier one
}

// ReminderMail is the data of the "reminder" mail template.
type ReminderMail struct {
	Company    string
	Vendor     string
	Contact    string
	Template   string
	Kind       string // ReminderBeforeDue, ReminderDue or ReminderOverdue
	DueDate    time.Time
	Days       int // days left before the due date, or days overdue
	LinkSentAt time.Time
	Answered   int
	Total      int
	Link       string // a link of the reminder's own; the invitation's works too
}

// ReceiptMail is the data of the "receipt" mail template, sent to the
// supplier on submit.
type ReceiptMail struct {
	Company     string
	Vendor      string
	Contact     string
	Template    string
	SubmittedAt time.Time
	Answered    int
	Total       int
	Files       []FileLine
	Resubmitted bool // answers to a reviewer's clarification
}

// FileLine names one file in a mail.
type FileLine struct {
	Name string
	Size int64
}

// SubmittedMail is the data of the "submitted" mail template, sent to the
// vendor's owner and the reviewers.
type SubmittedMail struct {
	Company     string
	Vendor      string
	Tier        int
	Template    string
	SubmittedAt time.Time
	Answered    int
	Total       int
	Files       int
	ReviewURL   string
	Resubmitted bool
}

// ClarificationMail is the data of the "clarification" mail template.
type ClarificationMail struct {
	Company  string
	Vendor   string
	Contact  string
	Template string
	Question string
	Comment  string
	DueDate  time.Time
	Link     string // opens on the reopened questions
}

// RemediationMail is the data of the "remediation" mail template.
type RemediationMail struct {
	Company        string
	Vendor         string
	Contact        string
	Control        string // "A.5.19"
	Title          string
	Severity       string
	Recommendation string
	Note           string
	DueDate        time.Time
}

func (s *Service) message(name, kind, ref string, to []string, data any) (mail.Message, error) {
	subject, text, html, err := s.d.Render.Mail(name, data)
	if err != nil {
		return mail.Message{}, fmt.Errorf("rendering %s mail: %w", name, err)
	}
	return mail.Message{To: to, Subject: subject, Text: text, HTML: html, Kind: kind, Ref: ref}, nil
}

func (s *Service) invitationMessage(a *Assessment, token string, resent bool) (mail.Message, error) {
	return s.message("invitation", MailInvitation, a.ID, []string{a.ContactEmail}, InvitationMail{
		Company: s.d.Settings.Company, Vendor: a.VendorName, Contact: a.ContactName, Template: a.Template.Title,
		DueDate: a.DueDate, Questions: a.Template.QuestionCount(), Estimate: Estimate(a.Template),
		Message: a.Message, Link: s.Link(token), Resent: resent,
	})
}

// ReminderMessage renders the reminder of kind (ReminderBeforeDue,
// ReminderDue or ReminderOverdue) for the scheduler to queue. The message's
// DedupeKey makes one reminder per kind and day, whichever instance queues
// it.
//
// Only the hash of the supplier's link is stored, so, like a clarification,
// the reminder carries a further link made here, which a resend or revoke
// retires with the main one. A reminder that is then not queued (another
// instance took its slot) must be withdrawn: withdraw deletes its link.
func (s *Service) ReminderMessage(ctx context.Context, a *Assessment, kind string) (m mail.Message, withdraw func(context.Context) error, err error) {
	today := dateOf(s.now())
	days := int(a.DueDate.Sub(today).Hours() / 24)
	switch kind {
	case ReminderBeforeDue, ReminderDue:
	case ReminderOverdue:
		days = -days
	default:
		return mail.Message{}, nil, fmt.Errorf("unknown reminder kind %q", kind)
	}
	token, hash := newToken()
	withdraw = func(ctx context.Context) error { return s.d.Store.RemoveLink(ctx, a.ID, hash) }
	m, err = s.message("reminder", MailReminder, a.ID, []string{a.ContactEmail}, ReminderMail{
		Company: s.d.Settings.Company, Vendor: a.VendorName, Contact: a.ContactName, Template: a.Template.Title,
		Kind: kind, DueDate: a.DueDate, Days: days, LinkSentAt: a.LinkSentAt,
		Answered: a.Progress.Answered, Total: a.Progress.Total, Link: s.Link(token),
	})
	if err != nil {
		return mail.Message{}, nil, err
	}
	if err := s.d.Store.AddLink(ctx, a.ID, a.TokenHash, hash); err != nil {
		return mail.Message{}, nil, fmt.Errorf("no link could be made for the reminder: %w", err)
	}
	m.DedupeKey = "reminder/" + a.ID + "/" + kind + "/" + isoDate(today)
	return m, withdraw, nil
}

// mailSubmitted queues the receipt for the supplier and the notice for
// the vendor's owner and the reviewers. The submit already happened, so a
// mail that cannot be queued is logged, not returned.
func (s *Service) mailSubmitted(ctx context.Context, a *Assessment, resubmitted bool) {
	files := make([]FileLine, len(a.Files))
	for i, e := range a.Files {
		files[i] = FileLine{Name: e.Filename, Size: e.Size}
	}
	receipt, err := s.message("receipt", MailReceipt, a.ID, []string{a.ContactEmail}, ReceiptMail{
		Company: s.d.Settings.Company, Vendor: a.VendorName, Contact: a.ContactName, Template: a.Template.Title,
		SubmittedAt: a.SubmittedAt, Answered: a.Progress.Answered, Total: a.Progress.Total, Files: files, Resubmitted: resubmitted,
	})
	s.enqueue(ctx, receipt, err)

	recipients := map[string]bool{}
	var to []string
	add := func(addr string) {
		key := strings.ToLower(strings.TrimSpace(addr))
		if key != "" && !recipients[key] && checkEmail(addr) == "" {
			recipients[key] = true
			to = append(to, addr)
		}
	}
	if v, err := s.d.Vendors.VendorRef(ctx, a.VendorID); err == nil {
		add(v.OwnerEmail)
	} else {
		s.d.Log.Warn("vendor owner for submit notice", "vendor", a.VendorID, "err", err)
	}
	reviewers, err := s.d.Staff.ReviewerEmails(ctx)
	if err != nil {
		s.d.Log.Error("reviewers for submit notice", "err", err)
	}
	for _, r := range reviewers {
		add(r)
	}
	data := SubmittedMail{
		Company: s.d.Settings.Company, Vendor: a.VendorName, Tier: a.VendorTier, Template: a.Template.Title,
		SubmittedAt: a.SubmittedAt, Answered: a.Progress.Answered, Total: a.Progress.Total, Files: len(a.Files),
		ReviewURL: s.d.Settings.BaseURL + "/app/assessments/" + a.ID + "/review", Resubmitted: resubmitted,
	}
	for _, addr := range to {
		m, err := s.message("submitted", MailSubmitted, a.ID, []string{addr}, data)
		s.enqueue(ctx, m, err)
	}
}

func (s *Service) enqueue(ctx context.Context, m mail.Message, renderErr error) {
	if renderErr != nil {
		s.d.Log.Error("mail not rendered", "err", renderErr)
		return
	}
	if _, err := s.d.Mail.Enqueue(ctx, m); err != nil {
		s.d.Log.Error("mail not queued", "kind", m.Kind, "ref", m.Ref, "err", err)
	}
}

// minutesPerType is a supplier's typical time per question type, used for
// the estimate in the invitation.
var minutesPerType = map[questionnaires.QuestionType]float64{
	questionnaires.TypeYesNo: 0.75, questionnaires.TypeYesNoNA: 0.75,
	questionnaires.TypeSingleChoice: 1, questionnaires.TypeMultiChoice: 1.5,
	questionnaires.TypeText: 2, questionnaires.TypeLongText: 5,
	questionnaires.TypeNumber: 1, questionnaires.TypeDate: 1, questionnaires.TypeFile: 3,
}

// Estimate says roughly how long answering t takes, rounded to a figure
// people plan with: "about 20 minutes", "about 2 hours".
func Estimate(t *questionnaires.Template) string {
	var m float64
	for _, q := range t.Questions() {
		m += minutesPerType[q.Type]
		if q.Evidence != nil && q.Type != questionnaires.TypeFile {
			m += 2 // finding the document to attach
		}
	}
	switch {
	case m <= 10:
		return "about 10 minutes"
	case m < 55:
		return fmt.Sprintf("about %d minutes", (int(m)+4)/5*5)
	case m < 90:
		return "about an hour"
	}
	half := int(m/30+0.5) * 30
	if half%60 == 0 {
		return fmt.Sprintf("about %d hours", half/60)
	}
	return fmt.Sprintf("about %d½ hours", half/60)
}
