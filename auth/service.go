package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/assayhq/assay/audit"
)

// Config is what the service takes from the application's configuration.
type Config struct {
	SessionIdle     time.Duration
	SessionAbsolute time.Duration
	BaseURL         string        // for links in mails
	TokenTTL        time.Duration // API token lifetime when none is asked for; 90 days
	ResetTTL        time.Duration // password reset link lifetime; 1 hour
	Limits          Limits
}

// Limits bound failed logins. Counting per account stops guessing one
// password; counting per address stops trying one password on many
// accounts.
type Limits struct {
	PerAccount int           // failures per account per window; 5
	PerIP      int           // failures per client address per window; 20
	Window     time.Duration // 15 minutes
	// PerResetEmail bounds reset mails to one address per window, so the
	// form cannot be used to flood someone's mailbox.
	PerResetEmail int // 5
}

// Service signs staff in and out, and manages accounts, sessions, API
// tokens and password resets. Every change is recorded in the audit log.
type Service struct {
	cfg      Config
	users    UserStore
	sessions SessionStore
	tokens   TokenStore
	throttle Throttle
	audit    audit.Recorder
	mailer   Mailer
	now      func() time.Time
}

// NewService fills unset durations and limits with the defaults above.
func NewService(cfg Config, st Stores, rec audit.Recorder, m Mailer) *Service {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	defInt := func(n *int, v int) {
		if *n <= 0 {
			*n = v
		}
	}
	def(&cfg.SessionIdle, 30*time.Minute)
	def(&cfg.SessionAbsolute, 12*time.Hour)
	def(&cfg.TokenTTL, 90*24*time.Hour)
	def(&cfg.ResetTTL, time.Hour)
	def(&cfg.Limits.Window, 15*time.Minute)
	defInt(&cfg.Limits.PerAccount, 5)
	defInt(&cfg.Limits.PerIP, 20)
	defInt(&cfg.Limits.PerResetEmail, 5)
	return &Service{cfg: cfg, users: st.Users, sessions: st.Sessions, tokens: st.Tokens, throttle: st.Throttle,
		audit: rec, mailer: m, now: time.Now}
}

// SetClock injects time, for tests of expiry.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Config returns the effective configuration (defaults applied).
func (s *Service) Config() Config { return s.cfg }

func (s *Service) record(ctx context.Context, by audit.Actor, action, objType, objID string, before, after map[string]any, note string) error {
	err := s.audit.Record(ctx, audit.Entry{
		Actor: by, Action: action, ObjectType: objType, ObjectID: objID, Before: before, After: after, Note: note,
	})
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// staff is the audit actor of a signed-in user.
func staff(u *User, ip string) audit.Actor {
	return audit.Actor{Kind: audit.KindStaff, ID: u.ID, Email: u.Email, IP: ip}
}

// Sweep deletes expired sessions, reset links and login attempts. There
// are no TTL indexes on FerretDB, so a worker calls it periodically.
func (s *Service) Sweep(ctx context.Context) error {
	now := s.now().UTC()
	if _, err := s.sessions.DeleteExpiredSessions(ctx, now); err != nil {
		return err
	}
	if _, err := s.tokens.DeleteExpiredResets(ctx, now); err != nil {
		return err
	}
	_, err := s.throttle.Sweep(ctx, now.Add(-s.cfg.Limits.Window))
	return err
}

// RunSweeper sweeps every interval until ctx ends.
func (s *Service) RunSweeper(ctx context.Context, interval time.Duration, onErr func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			onErr(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
