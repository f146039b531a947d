package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/audit"
)

// touchEvery limits idle-deadline writes to one a minute per session rather
// than one per request; the idle timeout is minutes long, so a minute of
// slack costs nothing.
const touchEvery = time.Minute

// errNoSession is what every unusable cookie becomes: the browser is sent
// to the login page whatever the reason.
var errNoSession = apperr.Wrapf(apperr.ErrUnauthorized, "please sign in")

func (s *Service) newSession(ctx context.Context, u *User, cl Client) (string, *Session, error) {
	secret := newSecret()
	now := s.now().UTC()
	ua := cl.UserAgent
	if len(ua) > 300 {
		ua = ua[:300]
	}
	sess := &Session{
		ID: HashSecret(secret), UserID: u.ID, CreatedAt: now, LastSeen: now,
		IdleUntil: now.Add(s.cfg.SessionIdle), ExpiresAt: now.Add(s.cfg.SessionAbsolute),
		IP: cl.IP, UserAgent: ua,
	}
	if err := s.sessions.InsertSession(ctx, sess); err != nil {
		return "", nil, err
	}
	return secret, sess, nil
}

// Authenticate returns the user and session behind a session cookie, and
// moves the session's idle deadline. Expired sessions are deleted.
func (s *Service) Authenticate(ctx context.Context, secret string) (*User, *Session, error) {
	if !ValidSessionID(secret) {
		return nil, nil, errNoSession
	}
	sess, err := s.sessions.GetSession(ctx, HashSecret(secret))
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, nil, errNoSession
	}
	if err != nil {
		return nil, nil, err
	}
	now := s.now().UTC()
	if sess.Expired(now) {
		if err := s.sessions.DeleteSession(ctx, sess.ID); err != nil {
			return nil, nil, err
		}
		return nil, nil, errNoSession
	}
	u, err := s.users.GetUser(ctx, sess.UserID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, nil, errNoSession
	}
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		return nil, nil, errNoSession
	}
	if now.Sub(sess.LastSeen) >= touchEvery {
		idle := now.Add(s.cfg.SessionIdle)
		if idle.After(sess.ExpiresAt) {
			idle = sess.ExpiresAt
		}
		if err := s.sessions.TouchSession(ctx, sess.ID, now, idle); err != nil {
			return nil, nil, err
		}
		sess.LastSeen, sess.IdleUntil = now, idle
	}
	return u, sess, nil
}

// Logout ends the session behind secret. Ending a session that is already
// gone is not an error: the browser wanted to be signed out, and is.
func (s *Service) Logout(ctx context.Context, by audit.Actor, secret string) error {
	if !ValidSessionID(secret) {
		return nil
	}
	id := HashSecret(secret)
	sess, err := s.sessions.GetSession(ctx, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.sessions.DeleteSession(ctx, id); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return s.record(ctx, by, "logout", "user", sess.UserID, nil, nil, "")
}

// EndSession deletes a session without recording a logout: a login that
// replaces the browser's previous session uses it.
func (s *Service) EndSession(ctx context.Context, secret string) error {
	if !ValidSessionID(secret) {
		return nil
	}
	return s.sessions.DeleteSession(ctx, HashSecret(secret))
}
