package audit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// Store keeps the trail. It has no update or delete: the application can
// only append to the audit log and read it.
type Store interface {
	Insert(ctx context.Context, e *Entry) error
	// List returns a page of entries, newest first, and the total matching.
	List(ctx context.Context, f Filter) ([]Entry, int64, error)
	// Each calls fn for every matching entry, newest first, without
	// holding them all in memory.
	Each(ctx context.Context, f Filter, fn func(*Entry) error) error
}

// Filter selects entries; zero fields match all.
type Filter struct {
	// Action matches exactly, or, ending in ".", the action and every
	// action under it ("login." matches login and login.failed).
	Action     string
	ActorEmail string
	ObjectType string
	ObjectID   string
	From, To   time.Time // To is exclusive
	Page, Per  int
}

// Service records and reads the trail; it is the Recorder every domain
// service is given.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService returns the audit service over store.
func NewService(store Store) *Service { return &Service{store: store, now: time.Now} }

// SetClock injects time, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// maxNote bounds free text so that one entry stays small.
const maxNote = 500

// Record appends e, stamping its id and time.
func (s *Service) Record(ctx context.Context, e Entry) error {
	if e.Action == "" || e.ObjectType == "" {
		return fmt.Errorf("audit entry without action or object type: %+v", e)
	}
	if e.At.IsZero() {
		e.At = s.now()
	}
	e.At = e.At.UTC().Truncate(time.Millisecond)
	if e.ID == "" {
		e.ID = newID(e.At)
	}
	if len(e.Note) > maxNote {
		e.Note = e.Note[:maxNote]
	}
	if err := s.store.Insert(ctx, &e); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// List returns a page of entries, newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Entry, int64, error) {
	return s.store.List(ctx, f)
}

// Each walks every matching entry, for exports.
func (s *Service) Each(ctx context.Context, f Filter, fn func(*Entry) error) error {
	return s.store.Each(ctx, f, fn)
}

// newID sorts by time: the hex of the time, then random bits.
func newID(at time.Time) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%016x%s", at.UnixNano(), hex.EncodeToString(b[:]))
}
