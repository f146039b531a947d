package assessments

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/questionnaires"
)

// MaxMessageLen bounds the personal note in an invitation.
const MaxMessageLen = 2000

// SendRequest is what procurement fills in to send a questionnaire.
type SendRequest struct {
	VendorID     string
	TemplateKey  string
	ContactName  string
	ContactEmail string // empty: the vendor's first contact
	Message      string
	DueDate      time.Time // a calendar date; the time of day is ignored
}

// Send creates an assessment in status sent and queues its invitation. Every
// problem with the request is reported at once as a field error (422), and
// nothing is stored unless the invitation is queued too.
func (s *Service) Send(ctx context.Context, actor audit.Actor, req SendRequest) (*Assessment, error) {
	a, token, err := s.build(ctx, actor, req)
	if err != nil {
		return nil, err
	}
	msg, err := s.invitationMessage(a, token, false)
	if err != nil {
		return nil, err
	}
	if err := s.d.Store.Insert(ctx, a); err != nil {
		return nil, fmt.Errorf("storing assessment: %w", err)
	}
	if _, err := s.d.Mail.Enqueue(ctx, msg); err != nil {
		// A link nobody was sent is of no use: take the assessment back.
		if derr := s.d.Store.Delete(context.WithoutCancel(ctx), a.ID); derr != nil {
			s.d.Log.Error("removing assessment after failed invitation", "id", a.ID, "err", derr)
		}
		return nil, fmt.Errorf("queueing invitation: %w", err)
	}
	s.record(ctx, actor, "assessment.send", "assessment", a.ID, nil, map[string]any{
		"vendor_id": a.VendorID, "template": a.TemplateKey, "template_version": a.TemplateVersion,
		"contact_email": a.ContactEmail, "due_date": isoDate(a.DueDate), "status": a.Status,
	})
	return a, nil
}

// build validates a request and returns the assessment it makes, not yet
// stored, with its link token.
func (s *Service) build(ctx context.Context, actor audit.Actor, req SendRequest) (*Assessment, string, error) {
	var fields []apperr.FieldError
	bad := func(path, msg string) { fields = append(fields, apperr.FieldError{Path: path, Message: msg}) }

	var vendor VendorRef
	if strings.TrimSpace(req.VendorID) == "" {
		bad("vendor_id", "Choose the vendor to send the questionnaire to.")
	} else {
		v, err := s.d.Vendors.VendorRef(ctx, req.VendorID)
		switch {
		case errors.Is(err, apperr.ErrNotFound):
			bad("vendor_id", "There is no vendor with this id.")
		case err != nil:
			return nil, "", fmt.Errorf("vendor %s: %w", req.VendorID, err)
		case v.Archived:
			bad("vendor_id", fmt.Sprintf("%s is archived: restore the vendor before sending it a questionnaire.", v.Name))
			vendor = v
		default:
			vendor = v
		}
	}

	var tmpl *questionnaires.Template
	if strings.TrimSpace(req.TemplateKey) == "" {
		bad("template_key", "Choose the questionnaire to send.")
	} else {
		t, err := s.d.Templates.Latest(ctx, req.TemplateKey)
		switch {
		case errors.Is(err, apperr.ErrNotFound):
			bad("template_key", fmt.Sprintf("There is no questionnaire %q.", req.TemplateKey))
		case err != nil:
			return nil, "", fmt.Errorf("template %s: %w", req.TemplateKey, err)
		default:
			tmpl = t
		}
	}

	email, name := strings.TrimSpace(req.ContactEmail), strings.TrimSpace(req.ContactName)
	if email == "" && len(vendor.Contacts) > 0 {
		email = vendor.Contacts[0].Email
	}
	if name == "" {
		for _, c := range vendor.Contacts {
			if strings.EqualFold(c.Email, email) {
				name = c.Name
				break
			}
		}
	}
	switch msg := checkEmail(email); {
	case email == "" && vendor.ID == "":
		// The vendor's own error says what to fix first.
	case email == "":
		bad("contact_email", "This vendor has no contact: give the email address of the person who will answer.")
	case msg != "":
		bad("contact_email", msg)
	}

	due := dateOf(req.DueDate)
	today := dateOf(s.now())
	switch {
	case req.DueDate.IsZero():
		bad("due_date", "Give a due date.")
	case due.Before(today):
		bad("due_date", "The due date is in the past: choose today or a later day.")
	}
	if utf8.RuneCountInString(req.Message) > MaxMessageLen {
		bad("message", fmt.Sprintf("Keep the message under %d characters.", MaxMessageLen))
	}
	if len(fields) > 0 {
		return nil, "", apperr.Invalid("the questionnaire was not sent", fields...)
	}

	now := s.now()
	token, hash := newToken()
	a := &Assessment{
		ID: newID(), VendorID: vendor.ID, VendorName: vendor.Name, VendorTier: vendor.Tier,
		TemplateKey: tmpl.Key, TemplateVersion: tmpl.Version, TemplateTitle: tmpl.Title, Template: questionnaires.Clone(tmpl),
		ContactName: name, ContactEmail: email, Message: strings.TrimSpace(req.Message),
		DueDate: due, ExpiresAt: s.expiry(due, now), TokenHash: hash, Status: StatusSent,
		Answers: map[string]Answer{}, Reviews: map[string]QuestionReview{}, Reopened: map[string]Clarification{},
		Clarifications: []Clarification{}, CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now, LinkSentAt: now,
		Version:  1,
		Progress: questionnaires.Progress(tmpl, nil, nil),
	}
	prev, err := s.d.Store.Previous(ctx, vendor.ID, tmpl.Key, []Status{StatusSubmitted, StatusCompleted}, now)
	switch {
	case err == nil:
		a.PreviousID = prev.ID
	case !errors.Is(err, apperr.ErrNotFound):
		return nil, "", fmt.Errorf("previous assessment: %w", err)
	}
	return a, token, nil
}

// SendBulk sends the same questionnaire to each vendor's first contact. One
// vendor's failure does not stop the others; errs is keyed by vendor id.
func (s *Service) SendBulk(ctx context.Context, actor audit.Actor, vendorIDs []string, templateKey string, due time.Time, message string) (sent []*Assessment, errs map[string]error) {
	errs = map[string]error{}
	seen := map[string]bool{}
	for _, id := range vendorIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		a, err := s.Send(ctx, actor, SendRequest{VendorID: id, TemplateKey: templateKey, DueDate: due, Message: message})
		if err != nil {
			errs[id] = err
			continue
		}
		sent = append(sent, a)
	}
	return sent, errs
}

// resendable are the statuses in which a link may be renewed.
var resendable = []Status{StatusSent, StatusInProgress, StatusClarificationRequested, StatusExpired}

// Resend issues a new link and mails it; the old link stops working at once.
// An expired link is renewed for another LinkValidDays.
func (s *Service) Resend(ctx context.Context, actor audit.Actor, id string) error {
	a, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if !inStatuses(a.Status, resendable) {
		return apperr.Wrapf(apperr.ErrConflict, "a %s questionnaire cannot be sent again", humanStatus(a.Status))
	}
	now := s.now()
	token, hash := newToken()
	ch := Change{TokenHash: hash, LinkSentAt: now, At: now, ExpiresAt: s.expiry(a.DueDate, now)}
	if a.Status == StatusExpired {
		ch.Status = a.reopenedStatus()
	}
	msg, err := s.invitationMessage(a, token, true)
	if err != nil {
		return err
	}
	if err := s.d.Store.Update(ctx, id, Expect{Statuses: resendable, TokenHash: a.TokenHash}, ch); err != nil {
		return fmt.Errorf("renewing link of %s: %w", id, err)
	}
	if _, err := s.d.Mail.Enqueue(ctx, msg); err != nil {
		return fmt.Errorf("the old link was withdrawn but the new one could not be queued; send it again: %w", err)
	}
	after := map[string]any{"link": "renewed", "expires_at": ch.ExpiresAt}
	if ch.Status != "" {
		after["status"] = ch.Status
	}
	s.record(ctx, actor, "assessment.resend", "assessment", id, map[string]any{"status": a.Status}, after)
	return nil
}

// revocable are the statuses in which a link may be withdrawn.
var revocable = []Status{StatusSent, StatusInProgress, StatusClarificationRequested, StatusExpired}

// Revoke withdraws the link: it answers 404 from now on.
func (s *Service) Revoke(ctx context.Context, actor audit.Actor, id string) error {
	a, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if !inStatuses(a.Status, revocable) {
		return apperr.Wrapf(apperr.ErrConflict, "a %s questionnaire cannot be revoked", humanStatus(a.Status))
	}
	if err := s.d.Store.Update(ctx, id, Expect{Statuses: revocable}, Change{Status: StatusRevoked, At: s.now()}); err != nil {
		return fmt.Errorf("revoking %s: %w", id, err)
	}
	s.record(ctx, actor, "assessment.revoke", "assessment", id, map[string]any{"status": a.Status}, map[string]any{"status": StatusRevoked})
	return nil
}

// SetDueDate moves the due date, and the link's expiry with it.
func (s *Service) SetDueDate(ctx context.Context, actor audit.Actor, id string, due time.Time) error {
	if due.IsZero() {
		return apperr.Field("due_date", "Give a due date.")
	}
	if dateOf(due).Before(dateOf(s.now())) {
		return apperr.Field("due_date", "The due date is in the past: choose today or a later day.")
	}
	a, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if !inStatuses(a.Status, resendable) {
		return apperr.Wrapf(apperr.ErrConflict, "the due date of a %s questionnaire cannot change", humanStatus(a.Status))
	}
	now := s.now()
	ch := Change{DueDate: dateOf(due), ExpiresAt: s.expiry(dateOf(due), now), At: now}
	if a.Status == StatusExpired {
		ch.Status = a.reopenedStatus()
	}
	if err := s.d.Store.Update(ctx, id, Expect{Statuses: resendable}, ch); err != nil {
		return fmt.Errorf("due date of %s: %w", id, err)
	}
	s.record(ctx, actor, "assessment.due_date", "assessment", id,
		map[string]any{"due_date": isoDate(a.DueDate)}, map[string]any{"due_date": isoDate(ch.DueDate)})
	return nil
}

// expiry is when a link due on due stops working: LinkValidDays after the
// end of the due day, and never before LinkValidDays from now, so that a
// renewed link of an overdue questionnaire still works for a while.
func (s *Service) expiry(due, now time.Time) time.Time {
	days := s.d.Settings.LinkValidDays
	exp := due.AddDate(0, 0, 1+days)
	if floor := now.AddDate(0, 0, days); exp.Before(floor) {
		return floor
	}
	return exp
}

// reopenedStatus is the open status an expired assessment returns to when
// its link is renewed.
func (a *Assessment) reopenedStatus() Status {
	switch {
	case !a.SubmittedAt.IsZero() && len(a.Reopened) > 0:
		return StatusClarificationRequested
	case !a.StartedAt.IsZero():
		return StatusInProgress
	}
	return StatusSent
}

// checkEmail returns why addr is not a usable recipient, or "".
func checkEmail(addr string) string {
	p, err := mail.ParseAddress(addr)
	if err != nil || p.Address != addr || len(addr) > 254 {
		return fmt.Sprintf("%q is not an email address.", addr)
	}
	_, domain, _ := strings.Cut(addr, "@")
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return fmt.Sprintf("%q is not an email address: the domain needs a dot, as in example.com.", addr)
	}
	return ""
}

// dateOf keeps only the calendar date of t, as midnight UTC.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func isoDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(questionnaires.DateLayout)
}

func inStatuses(st Status, list []Status) bool {
	for _, x := range list {
		if st == x {
			return true
		}
	}
	return false
}

func humanStatus(st Status) string { return strings.ReplaceAll(string(st), "_", " ") }
