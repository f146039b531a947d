package auth

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/mail"
	"strings"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/audit"
)

// ErrBadCredentials is the one answer to a wrong email, a wrong password or
// a disabled account, so the form never tells which.
var ErrBadCredentials = apperr.Wrapf(apperr.ErrUnauthorized, "wrong email or password")

// Client is who is signing in, for throttling and the audit log.
type Client struct {
	IP        string
	UserAgent string
}

// NormalizeEmail is the stored form of an email address.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// CheckEmail returns a field error unless email is a bare address.
func CheckEmail(field, email string) error {
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 {
		return apperr.Field(field, "enter an email address such as name@example.com")
	}
	return nil
}

// Login checks a password and opens a session. It returns the session's
// secret for the cookie. Failures count against the account and the
// client's address; past the limit every attempt is refused until the
// window ends, even with the right password.
func (s *Service) Login(ctx context.Context, email, password string, cl Client) (*User, string, *Session, error) {
	u, err := s.checkPassword(ctx, email, password, cl)
	if err != nil {
		return nil, "", nil, err
	}
	secret, sess, err := s.newSession(ctx, u, cl)
	if err != nil {
		return nil, "", nil, err
	}
	u.LastLoginAt = sess.CreatedAt
	if err := s.users.UpdateUser(ctx, u.ID, UserUpdate{LastLoginAt: &sess.CreatedAt}); err != nil {
		return nil, "", nil, err
	}
	if err := s.record(ctx, staff(u, cl.IP), "login", "user", u.ID, nil, nil, ""); err != nil {
		return nil, "", nil, err
	}
	return u, secret, sess, nil
}

// checkPassword is the throttled password check shared by the login form
// and the token endpoint. Each attempt is counted before the password is
// checked, so a burst of parallel guesses gets no more tries than a slow
// one; a right password forgets the attempt.
func (s *Service) checkPassword(ctx context.Context, email, password string, cl Client) (*User, error) {
	email = NormalizeEmail(email)
	now := s.now().UTC()
	acct, ip := limit{"account:" + email, s.cfg.Limits.PerAccount}, limit{"ip:" + cl.IP, s.cfg.Limits.PerIP}
	ids, counts, err := s.admit(ctx, now, acct, ip)
	if err != nil {
		return nil, err
	}
	u, err := s.users.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	var ok bool
	if u == nil {
		VerifyPassword(decoyHash(), password)
	} else {
		ok = VerifyPassword(u.PasswordHash, password)
	}
	if ok && !u.Disabled {
		if err := s.throttle.Clear(ctx, acct.key); err != nil {
			return nil, err
		}
		if err := s.throttle.Remove(ctx, ids[1]); err != nil {
			return nil, err
		}
		return u, nil
	}
	note := "wrong password"
	switch {
	case u == nil:
		note = "no such account"
	case ok:
		note = "account disabled"
	}
	// The failure that reaches a limit already says so, so the person
	// learns it now rather than on the next try.
	var limited error
	switch {
	case counts[0] >= acct.max:
		limited, note = s.tooMany(ctx, now, acct), note+"; account throttled"
	case counts[1] >= ip.max:
		limited, note = s.tooMany(ctx, now, ip), note+"; address throttled"
	}
	var id string
	if u != nil {
		id = u.ID
	}
	by := audit.Actor{Kind: audit.KindAnonymous, Email: email, IP: cl.IP}
	if err := s.record(ctx, by, "login.failed", "user", id, nil, nil, note); err != nil {
		return nil, err
	}
	if limited != nil {
		return nil, limited
	}
	return nil, ErrBadCredentials
}

type limit struct {
	key string
	max int
}

// admit counts an attempt under each key and returns the attempts' ids and
// the counts. Past a limit it refuses, and forgets the attempt: refused
// attempts never lengthen a lock-out.
func (s *Service) admit(ctx context.Context, now time.Time, limits ...limit) ([]string, []int, error) {
	ids, counts := make([]string, len(limits)), make([]int, len(limits))
	for i, l := range limits {
		id, n, err := s.throttle.Add(ctx, l.key, now, s.cfg.Limits.Window)
		if err != nil {
			return nil, nil, err
		}
		ids[i], counts[i] = id, n
	}
	for i, l := range limits {
		if counts[i] > l.max {
			for _, id := range ids {
				if err := s.throttle.Remove(ctx, id); err != nil {
					return nil, nil, err
				}
			}
			return nil, nil, s.tooMany(ctx, now, limits[i])
		}
	}
	return ids, counts, nil
}

// tooMany says how long until l admits attempts again.
func (s *Service) tooMany(ctx context.Context, now time.Time, l limit) error {
	at, err := s.throttle.RetryAt(ctx, l.key, now, s.cfg.Limits.Window, l.max)
	if err != nil {
		return err
	}
	return tooMany(now, at)
}

func tooMany(now, until time.Time) error {
	mins := int(math.Ceil(until.Sub(now).Minutes()))
	if mins < 1 {
		mins = 1
	}
	unit := "minutes"
	if mins == 1 {
		unit = "minute"
	}
	return apperr.Wrapf(apperr.ErrRateLimited, "Too many failed attempts; try again in %d %s", mins, unit)
}

// IssueToken checks a password, throttled like the login form, and returns
// a new API token of the default lifetime: POST /api/v1/auth/token.
func (s *Service) IssueToken(ctx context.Context, email, password string, cl Client) (string, *Token, error) {
	u, err := s.checkPassword(ctx, email, password, cl)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("API %s", s.now().UTC().Format("2006-01-02 15:04"))
	return s.CreateToken(ctx, staff(u, cl.IP), u, name, 0)
}
