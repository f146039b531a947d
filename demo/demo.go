// Package demo seeds a realistic portfolio into an empty Assay, so that a
// newcomer (`assay serve --demo`, `make demo`) sees every page populated:
// about 30 fictional vendors across the four tiers, with assessments sent,
// in progress, overdue, submitted, under clarification and completed,
// evidence files, findings with treatments, and two to four years of
// history for the older vendors.
//
// Everything goes through the domain services, as staff and suppliers would
// have done it; the history is dated in the past by running the
// assessments service on a clock the seeder moves. Answers are drawn from a
// fixed seed, so every demo is the same.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/mail"
	"github.com/assayhq/assay/vendors"
)

// Users creates and finds the demo's staff accounts (*auth.Service).
type Users interface {
	UserByEmail(ctx context.Context, email string) (*auth.User, error)
	CreateUser(ctx context.Context, by audit.Actor, n auth.NewUser) (*auth.User, error)
}

// Deps is what the seeder writes through.
type Deps struct {
	Vendors *vendors.Service
	Users   Users
	// Assessments returns the assessments service of the app, running on
	// clock now and sending its mail to m.
	Assessments func(now func() time.Time, m assessments.Mailer) *assessments.Service
	// Outbox receives the mail of the assessments of the last weeks
	// (invitations, receipts, remediation requests), so the outbox page
	// shows them with working supplier links; older mail is dropped.
	Outbox assessments.Mailer
	Now    func() time.Time
	Log    *slog.Logger
}

// Summary tells what a seeding did.
type Summary struct {
	Skipped     bool // the database already had vendors
	Vendors     int
	Assessments int
	Took        time.Duration
}

// Seeder seeds once and reports when it is done.
type Seeder struct {
	d    Deps
	done chan struct{}
	once sync.Once

	mu      sync.Mutex
	summary Summary
	err     error
}

// New returns a seeder.
func New(d Deps) *Seeder {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Seeder{d: d, done: make(chan struct{})}
}

// Run seeds, logs the outcome and closes Done; it is the app's background
// worker, so that the server answers while the demo fills in.
func (s *Seeder) Run(ctx context.Context) {
	sum, err := s.Seed(ctx)
	switch {
	case err != nil:
		// Vendors now exist, so a restart would not seed again.
		s.d.Log.Error("seeding the demo portfolio failed part way; to retry, start --demo on an empty database", "err", err)
	case sum.Skipped:
		s.d.Log.Info("demo portfolio not seeded: the database already has vendors")
	default:
		s.d.Log.Info("demo portfolio ready", "vendors", sum.Vendors, "assessments", sum.Assessments, "took", sum.Took.Round(time.Second))
	}
}

// Done is closed when Seed has returned.
func (s *Seeder) Done() <-chan struct{} { return s.done }

// Result is what Seed returned.
func (s *Seeder) Result() (Summary, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.summary, s.err
}

// Seed fills an empty database with the demo portfolio; a database with
// any vendor is left alone.
func (s *Seeder) Seed(ctx context.Context) (sum Summary, err error) {
	defer func() {
		s.mu.Lock()
		s.summary, s.err = sum, err
		s.mu.Unlock()
		s.once.Do(func() { close(s.done) })
	}()
	start := s.d.Now()
	_, total, err := s.d.Vendors.List(ctx, vendors.Filter{Status: vendors.StatusAll, Per: 1})
	if err != nil {
		return sum, fmt.Errorf("demo: %w", err)
	}
	if total > 0 {
		return Summary{Skipped: true}, nil
	}
	people, err := s.staff(ctx)
	if err != nil {
		return sum, err
	}
	r := &run{
		d: s.d, rng: mrand.New(mrand.NewPCG(2026, 11)), people: people,
		now: s.d.Now().UTC().Truncate(time.Hour), tokens: map[string]string{},
	}
	r.clock = r.now
	r.svc = s.d.Assessments(func() time.Time { return r.clock }, r)
	for i, p := range portfolio {
		if err := r.vendor(ctx, i, p); err != nil {
			return sum, fmt.Errorf("demo vendor %q: %w", p.Name, err)
		}
		sum.Vendors++
	}
	sum.Assessments, sum.Took = r.assessments, s.d.Now().Sub(start)
	return sum, nil
}

// staff finds or creates the demo's staff accounts.
func (s *Seeder) staff(ctx context.Context) (map[string][]*auth.User, error) {
	out := map[string][]*auth.User{}
	for _, st := range staff {
		u, err := s.d.Users.UserByEmail(ctx, st.Email)
		if errors.Is(err, apperr.ErrNotFound) {
			u, err = s.d.Users.CreateUser(ctx, audit.System, auth.NewUser{Email: st.Email, Name: st.Name, Role: auth.Role(st.Role), Password: password()})
		}
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", st.Email, err)
		}
		out[st.Role] = append(out[st.Role], u)
	}
	return out, nil
}

// password is a random one nobody is told: demo staff are names on
// records, and an admin can set a password for any of them.
func password() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// run is one seeding: its random source, its clock and what it sent.
type run struct {
	d           Deps
	rng         *mrand.Rand
	svc         *assessments.Service
	people      map[string][]*auth.User
	now         time.Time // the real time the history leads up to
	clock       time.Time // the time the assessments service sees
	tokens      map[string]string
	assessments int
}

// supplierLink finds the token in an invitation's text.
var supplierLink = regexp.MustCompile(`/q/([A-Za-z0-9_-]{16,})`)

// Enqueue is the assessments service's mailer: it keeps each invitation's
// token, which the seeder needs to answer as the supplier, and passes the
// mail of the last six weeks on to the outbox.
func (r *run) Enqueue(ctx context.Context, m mail.Message) (*mail.Message, error) {
	if m.Kind == assessments.MailInvitation {
		if found := supplierLink.FindStringSubmatch(m.Text); found != nil {
			r.tokens[m.Ref] = found[1]
		}
	}
	if r.clock.After(r.now.AddDate(0, 0, -42)) {
		return r.d.Outbox.Enqueue(ctx, m)
	}
	return &m, nil
}

func actorOf(u *auth.User) audit.Actor {
	return audit.Actor{Kind: audit.KindStaff, ID: u.ID, Email: u.Email}
}

func contactEmail(p plan) string {
	first := strings.ToLower(strings.Fields(p.Contact)[0])
	return first + "@" + p.Website
}

// vendor registers one demo vendor and plays its history.
func (r *run) vendor(ctx context.Context, i int, p plan) error {
	owners := r.people["procurement"]
	owner := owners[i%len(owners)]
	v, err := r.d.Vendors.Create(ctx, actorOf(owner), vendors.Input{
		Name: p.Name, Website: "https://" + p.Website, Services: p.Services, Tier: p.Tier, Tags: p.Tags,
		OwnerEmail: owner.Email, Contacts: []vendors.Contact{{Name: p.Contact, Email: contactEmail(p)}},
	})
	if err != nil {
		return err
	}
	if p.State != StateNone {
		if err := r.timeline(ctx, v, p, owner); err != nil {
			return err
		}
	}
	if p.Archived {
		return r.d.Vendors.Archive(ctx, actorOf(owner), v.ID)
	}
	return nil
}
