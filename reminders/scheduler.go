package reminders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/mail"
)

// Assessments is what the scheduler reads and renders through;
// *assessments.Service satisfies it. List leaves the template out, which a
// reminder names: Get reads the whole assessment. ReminderMessage makes
// the link the reminder carries; withdraw deletes it again.
type Assessments interface {
	List(ctx context.Context, f assessments.Filter) ([]assessments.Assessment, int64, error)
	Get(ctx context.Context, id string) (*assessments.Assessment, error)
	ReminderMessage(ctx context.Context, a *assessments.Assessment, kind string) (m mail.Message, withdraw func(context.Context) error, err error)
}

// Mailer queues mail; *mail.Outbox satisfies it and refuses a dedupe key it
// already holds with mail.ErrDuplicate.
type Mailer interface {
	Enqueue(ctx context.Context, m mail.Message) (*mail.Message, error)
}

// Store ends links past their expiry.
type Store interface {
	// Expire moves assessment id from an open status to expired if its
	// link expired before now, and reports whether it did.
	Expire(ctx context.Context, id string, now time.Time) (bool, error)
}

// Vendors keeps the register's overdue flags; *vendors.Service satisfies it.
type Vendors interface {
	MarkOverdue(ctx context.Context, ids []string) error
}

// Deps is what the scheduler needs.
type Deps struct {
	Assessments  Assessments
	Mail         Mailer
	Store        Store
	Vendors      Vendors
	Audit        audit.Recorder
	ReminderDays int              // days before the due date of the first reminder; 0 for none
	Clock        func() time.Time // injected so tests walk through weeks without sleeping
	Log          *slog.Logger
}

// Scheduler sends reminders.
type Scheduler struct {
	d Deps
	// done holds the dedupe keys this instance saw queued, by itself or
	// another instance, so that later runs skip them without reading and
	// rendering the assessment again.
	mu   sync.Mutex
	done map[string]bool
}

// New returns a scheduler.
func New(d Deps) *Scheduler {
	if d.Clock == nil {
		d.Clock = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Scheduler{d: d, done: map[string]bool{}}
}

// Report is what one run did.
type Report struct {
	Queued  int // reminders queued by this run
	Expired int // links this run expired
	Overdue int // vendors flagged overdue
}

var openStatuses = []assessments.Status{assessments.StatusSent, assessments.StatusInProgress, assessments.StatusClarificationRequested}

const pageSize = 200

// RunOnce looks at every open assessment once. A failure with one
// assessment is logged and the others still get their reminder; the first
// error is returned.
func (s *Scheduler) RunOnce(ctx context.Context) (Report, error) {
	now := s.d.Clock().UTC()
	today := day(now)
	var rep Report
	var errs []error
	overdue := map[string]bool{}
	current := map[string]bool{} // the slot keys of this run, to forget older ones
	for page := 1; ; page++ {
		list, total, err := s.d.Assessments.List(ctx, assessments.Filter{Statuses: openStatuses, Sort: assessments.SortDue, Page: page, Per: pageSize})
		if err != nil {
			return rep, fmt.Errorf("open assessments: %w", err)
		}
		for i := range list {
			a := &list[i]
			if now.After(a.ExpiresAt) {
				expired, err := s.expire(ctx, a, now)
				if err != nil {
					errs = append(errs, err)
				} else if expired {
					rep.Expired++
				}
				continue
			}
			if day(a.DueDate).Before(today) {
				overdue[a.VendorID] = true
			}
			queued, err := s.remind(ctx, a, today, current)
			if err != nil {
				errs = append(errs, err)
			} else if queued {
				rep.Queued++
			}
		}
		if len(list) == 0 || int64(page*pageSize) >= total {
			break
		}
	}
	s.mu.Lock()
	for k := range s.done {
		if !current[k] {
			delete(s.done, k)
		}
	}
	s.mu.Unlock()
	ids := make([]string, 0, len(overdue))
	for id := range overdue {
		ids = append(ids, id)
	}
	rep.Overdue = len(ids)
	if err := s.d.Vendors.MarkOverdue(ctx, ids); err != nil {
		errs = append(errs, fmt.Errorf("overdue vendors: %w", err))
	}
	// A run cut short by shutdown fails wherever it was; that is no error
	// to report.
	for _, err := range errs {
		if ctx.Err() == nil {
			s.d.Log.Error("reminders", "err", err)
		}
	}
	return rep, errors.Join(errs...)
}

// remind queues a's latest reminder unless some instance already did.
func (s *Scheduler) remind(ctx context.Context, a *assessments.Assessment, today time.Time, current map[string]bool) (bool, error) {
	sent := a.LinkSentAt
	if sent.IsZero() {
		sent = a.CreatedAt
	}
	slot, ok := Latest(a.DueDate, sent, today, s.d.ReminderDays)
	if !ok {
		return false, nil
	}
	key := slot.Key(a.ID)
	current[key] = true
	s.mu.Lock()
	seen := s.done[key]
	s.mu.Unlock()
	if seen {
		return false, nil
	}
	whole, err := s.d.Assessments.Get(ctx, a.ID)
	if err != nil {
		return false, fmt.Errorf("reminder for %s: %w", a.ID, err)
	}
	m, withdraw, err := s.d.Assessments.ReminderMessage(ctx, whole, slot.Kind)
	if err != nil {
		return false, fmt.Errorf("reminder for %s: %w", a.ID, err)
	}
	m.DedupeKey = key
	_, err = s.d.Mail.Enqueue(ctx, m)
	if err != nil {
		// The message is not queued, so no one will ever hold its link's
		// token: delete the link rather than leave one more live.
		if werr := withdraw(context.WithoutCancel(ctx)); werr != nil {
			s.d.Log.Warn("withdrawing an unsent reminder's link", "assessment", a.ID, "err", werr)
		}
		if !errors.Is(err, mail.ErrDuplicate) {
			return false, fmt.Errorf("reminder for %s: %w", a.ID, err)
		}
	}
	s.mu.Lock()
	s.done[key] = true
	s.mu.Unlock()
	if err != nil {
		return false, nil // another instance, or an earlier run, queued it
	}
	s.record(ctx, "assessment.remind", a.ID, nil, map[string]any{"kind": slot.Kind, "slot": slot.Day.Format(time.DateOnly), "to": a.ContactEmail})
	return true, nil
}

func (s *Scheduler) expire(ctx context.Context, a *assessments.Assessment, now time.Time) (bool, error) {
	ok, err := s.d.Store.Expire(ctx, a.ID, now)
	if err != nil {
		return false, fmt.Errorf("expiring %s: %w", a.ID, err)
	}
	if ok {
		s.record(ctx, "assessment.expire", a.ID, map[string]any{"status": a.Status}, map[string]any{"status": assessments.StatusExpired})
	}
	return ok, nil
}

func (s *Scheduler) record(ctx context.Context, action, id string, before, after map[string]any) {
	err := s.d.Audit.Record(ctx, audit.Entry{At: s.d.Clock().UTC(), Actor: audit.System, Action: action,
		ObjectType: "assessment", ObjectID: id, Before: before, After: after})
	if err != nil {
		s.d.Log.Error("audit", "action", action, "assessment", id, "err", err)
	}
}

// Run runs the scheduler every interval until ctx ends.
func (s *Scheduler) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.RunOnce(ctx); err != nil && ctx.Err() == nil {
			s.d.Log.Warn("reminder run", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
