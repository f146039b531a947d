package portfolio

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/assayhq/assay/vendors"
)

// Store gives the portfolio its two copies. Both are shared and read-only:
// callers must not change what they return. A store keeps them current
// across instances (storage/mongo/portfolio.go polls a change log), so a
// dashboard never needs to read every assessment; and it returns the same
// slice for as long as nothing changed, and a new one after any change
// (copy on write), which is what the Service's cache relies on.
type Store interface {
	Vendors(ctx context.Context) ([]*vendors.Vendor, error)
	Assessments(ctx context.Context) ([]*Assessment, error)
}

// Service answers the dashboard.
//
// It keeps the last dashboard of each view, with the two copies and the
// day it was computed from: while neither copy changed (the store hands
// back the same slices) the same day's dashboard is the same, so a request
// costs the store's change checks and no aggregation. Nothing is cached by
// time, so a change is never hidden: the next request after it sees a new
// copy and recomputes.
type Service struct {
	store Store
	now   func() time.Time

	mu    sync.Mutex
	cache map[View]cached
}

type cached struct {
	// A copy is identified by the address of its first element: a new
	// copy is a new array, and holding the address keeps the old one from
	// being reused.
	vendors     **vendors.Vendor
	nVendors    int
	assessments **Assessment
	nAssessment int
	day         time.Time
	d           *Dashboard
}

// NewService returns the portfolio service; now is the clock (time.Now
// when nil).
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now, cache: map[View]cached{}}
}

// Dashboard computes the portfolio overview as it stands now. Callers must
// not change its lists: they may be shared with other requests.
func (s *Service) Dashboard(ctx context.Context, view View) (*Dashboard, error) {
	vs, err := s.store.Vendors(ctx)
	if err != nil {
		return nil, fmt.Errorf("portfolio vendors: %w", err)
	}
	as, err := s.store.Assessments(ctx)
	if err != nil {
		return nil, fmt.Errorf("portfolio assessments: %w", err)
	}
	now := s.now().UTC()
	key := cached{vendors: first(vs), nVendors: len(vs), assessments: first(as), nAssessment: len(as), day: day(now)}
	s.mu.Lock()
	c, ok := s.cache[view]
	s.mu.Unlock()
	if ok && c.vendors == key.vendors && c.nVendors == key.nVendors &&
		c.assessments == key.assessments && c.nAssessment == key.nAssessment && c.day.Equal(key.day) {
		d := *c.d // the same figures, as of now
		d.At = now
		return &d, nil
	}
	d := Build(Input{Vendors: vs, Assessments: as, Now: now, View: view})
	key.d = &d
	s.mu.Lock()
	s.cache[view] = key
	s.mu.Unlock()
	return &d, nil
}

func first[T any](s []*T) **T {
	if len(s) == 0 {
		return nil
	}
	return &s[0]
}
