package portfolio

import (
	"context"
	"fmt"
	"time"

	"github.com/assayhq/assay/vendors"
)

// Store gives the portfolio its two copies. Both are shared and read-only:
// callers must not change what they return. A store keeps them current
// across instances (storage/mongo/portfolio.go polls a change log), so a
// dashboard never needs to read every assessment.
type Store interface {
	Vendors(ctx context.Context) ([]*vendors.Vendor, error)
	Assessments(ctx context.Context) ([]*Assessment, error)
}

// Service answers the dashboard.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService returns the portfolio service; now is the clock (time.Now
// when nil).
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// Dashboard computes the portfolio overview as it stands now.
func (s *Service) Dashboard(ctx context.Context, view View) (*Dashboard, error) {
	vs, err := s.store.Vendors(ctx)
	if err != nil {
		return nil, fmt.Errorf("portfolio vendors: %w", err)
	}
	as, err := s.store.Assessments(ctx)
	if err != nil {
		return nil, fmt.Errorf("portfolio assessments: %w", err)
	}
	d := Build(Input{Vendors: vs, Assessments: as, Now: s.now().UTC(), View: view})
	return &d, nil
}
