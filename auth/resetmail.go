package auth

import (
	"context"
	"time"

	"github.com/assayhq/assay/frontend"
	"github.com/assayhq/assay/mail"
)

// OutboxMailer sends the reset mail through the outbox, rendered from the
// "password_reset" mail template.
type OutboxMailer struct {
	Outbox   *mail.Outbox
	Renderer *frontend.Renderer
	Company  string
}

// ResetMail is the data of the password_reset template.
type ResetMail struct {
	Company string
	Name    string
	Email   string
	URL     string
	Minutes int // how long the link works
}

// PasswordReset renders and enqueues the mail.
func (m OutboxMailer) PasswordReset(ctx context.Context, u *User, link string, valid time.Duration) error {
	data := ResetMail{Company: m.Company, Name: u.Name, Email: u.Email, URL: link, Minutes: int(valid.Minutes())}
	subject, text, html, err := m.Renderer.Mail("password_reset", data)
	if err != nil {
		return err
	}
	_, err = m.Outbox.Enqueue(ctx, mail.Message{To: []string{u.Email}, Subject: subject, Text: text, HTML: html,
		Kind: "password_reset", Ref: u.ID})
	return err
}
