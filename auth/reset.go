package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/audit"
)

var errResetGone = apperr.Wrapf(apperr.ErrGone, "this reset link has expired or was already used; ask for a new one")

// RequestReset mails a one-time reset link to email when it belongs to an
// active account. It answers the same way whether or not it does, so the
// form cannot be used to find out who has an account.
func (s *Service) RequestReset(ctx context.Context, by audit.Actor, email string) error {
	email = NormalizeEmail(email)
	if CheckEmail("email", email) != nil {
		return CheckEmail("email", email)
	}
	u, err := s.users.UserByEmail(ctx, email)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && u.Disabled) {
		note := "no such account; no mail sent"
		if u != nil {
			note = "account disabled; no mail sent"
		}
		return s.record(ctx, by, "user.reset_requested", "user", "", nil, nil, note)
	}
	if err != nil {
		return err
	}
	_, _, err = s.admit(ctx, s.now().UTC(), limit{"reset:" + email, s.cfg.Limits.PerResetEmail})
	if errors.Is(err, apperr.ErrRateLimited) {
		return s.record(ctx, by, "user.reset_requested", "user", u.ID, nil, nil, "too many requests; no mail sent")
	}
	if err != nil {
		return err
	}
	return s.sendReset(ctx, by, u)
}

// SendReset mails a reset link to an account, at an admin's request.
func (s *Service) SendReset(ctx context.Context, by audit.Actor, id string) (*User, error) {
	u, err := s.users.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, apperr.Wrapf(apperr.ErrConflict, "enable the account before sending a reset link")
	}
	return u, s.sendReset(ctx, by, u)
}

func (s *Service) sendReset(ctx context.Context, by audit.Actor, u *User) error {
	secret := newSecret()
	now := s.now().UTC()
	r := &Reset{ID: HashSecret(secret), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.ResetTTL)}
	if err := s.tokens.InsertReset(ctx, r); err != nil {
		return err
	}
	if err := s.mailer.PasswordReset(ctx, u, s.cfg.BaseURL+"/reset/"+secret, s.cfg.ResetTTL); err != nil {
		return fmt.Errorf("password reset mail: %w", err)
	}
	return s.record(ctx, by, "user.reset_requested", "user", u.ID, nil, nil, "reset link mailed")
}

// CheckReset reports whether a reset link can still be used, so the page
// says so before the person types a new password.
func (s *Service) CheckReset(ctx context.Context, secret string) error {
	if !wellFormed(secret) {
		return errResetGone
	}
	r, err := s.tokens.GetReset(ctx, HashSecret(secret))
	if errors.Is(err, apperr.ErrNotFound) {
		return errResetGone
	}
	if err != nil {
		return err
	}
	if r.Used || !s.now().Before(r.ExpiresAt) {
		return errResetGone
	}
	return nil
}

// ResetPassword uses a reset link once: it sets the new password and signs
// the account out everywhere. A password that breaks the rules leaves the
// link usable.
func (s *Service) ResetPassword(ctx context.Context, by audit.Actor, secret, password string) (*User, error) {
	if err := CheckPassword("password", password); err != nil {
		return nil, err
	}
	if !wellFormed(secret) {
		return nil, errResetGone
	}
	r, err := s.tokens.UseReset(ctx, HashSecret(secret), s.now().UTC())
	if errors.Is(err, apperr.ErrGone) || errors.Is(err, apperr.ErrNotFound) {
		return nil, errResetGone
	}
	if err != nil {
		return nil, err
	}
	u, err := s.users.GetUser(ctx, r.UserID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, errResetGone
	}
	if err := s.setPassword(ctx, u, password); err != nil {
		return nil, err
	}
	if err := s.sessions.DeleteUserSessions(ctx, u.ID, ""); err != nil {
		return nil, err
	}
	by.ID, by.Email = u.ID, u.Email
	return u, s.record(ctx, by, "user.password_reset", "user", u.ID, nil, nil, "with an emailed link")
}
