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
	if err := s.users.SaveUser(ctx, u); err != nil {
		return nil, "", nil, err
	}
	if err := s.record(ctx, staff(u, cl.IP), "login", "user", u.ID, nil, nil, ""); err != nil {
		return nil, "", nil, err
	}
	return u, secret, sess, nil
}

// checkPassword is the throttled password check shared by the login form
// and the token endpoint.
func (s *Service) checkPassword(ctx context.Context, email, password string, cl Client) (*User, error) {
	email = NormalizeEmail(email)
	now := s.now().UTC()
	acctKey, ipKey := "account:"+email, "ip:"+cl.IP
	if err := s.throttled(ctx, now, limit{acctKey, s.cfg.Limits.PerAccount}, limit{ipKey, s.cfg.Limits.PerIP}); err != nil {
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
		if err := s.throttle.Clear(ctx, acctKey); err != nil {
			return nil, err
		}
		return u, nil
	}
	// ok here means the password was right for a disabled account.
	return nil, s.failed(ctx, now, u, email, ok, cl, acctKey, ipKey)
}

// failed counts a failed login, records it, and says whether the limit is
// now reached.
func (s *Service) failed(ctx context.Context, now time.Time, u *User, email string, disabled bool, cl Client, acctKey, ipKey string) error {
	nAcct, untilAcct, err := s.throttle.Hit(ctx, acctKey, now, s.cfg.Limits.Window)
	if err != nil {
		return err
	}
	nIP, untilIP, err := s.throttle.Hit(ctx, ipKey, now, s.cfg.Limits.Window)
	if err != nil {
		return err
	}
	note := "wrong password"
	switch {
	case u == nil:
		note = "no such account"
	case disabled:
		note = "account disabled"
	}
	var limited error
	switch {
	case nAcct >= s.cfg.Limits.PerAccount:
		limited = tooMany(now, untilAcct)
		note += "; account throttled"
	case nIP >= s.cfg.Limits.PerIP:
		limited = tooMany(now, untilIP)
		note += "; address throttled"
	}
	var id string
	if u != nil {
		id = u.ID
	}
	by := audit.Actor{Kind: audit.KindAnonymous, Email: email, IP: cl.IP}
	if err := s.record(ctx, by, "login.failed", "user", id, nil, nil, note); err != nil {
		return err
	}
	if limited != nil {
		return limited
	}
	return ErrBadCredentials
}

type limit struct {
	key string
	max int
}

// throttled refuses an attempt when any key is at its limit.
func (s *Service) throttled(ctx context.Context, now time.Time, limits ...limit) error {
	for _, l := range limits {
		n, until, err := s.throttle.Count(ctx, l.key, now)
		if err != nil {
			return err
		}
		if n >= l.max {
			return tooMany(now, until)
		}
	}
	return nil
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
