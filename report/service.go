package report

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/scoring"
	"github.com/assayhq/assay/vendors"
)

// Source reads an assessment, its score and its evidence
// (*assessments.Service).
type Source interface {
	Get(ctx context.Context, id string) (*assessments.Assessment, error)
	Score(ctx context.Context, id string) (*scoring.Score, error)
	Evidence(ctx context.Context, id string) ([]assessments.Evidence, error)
}

// VendorSource reads a vendor (*vendors.Service).
type VendorSource interface {
	Get(ctx context.Context, id string) (*vendors.Vendor, error)
}

// Service builds reports.
type Service struct {
	src     Source
	vendors VendorSource
	company string
	now     func() time.Time
}

// NewService returns the report service; company names the organisation
// that assessed, now is the clock (time.Now when nil).
func NewService(src Source, v VendorSource, company string, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{src: src, vendors: v, company: company, now: now}
}

// Build makes the report of assessment id.
func (s *Service) Build(ctx context.Context, id string) (*Report, error) {
	a, err := s.src.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	sc, err := s.src.Score(ctx, id)
	if err != nil {
		return nil, err
	}
	ev, err := s.src.Evidence(ctx, id)
	if err != nil {
		return nil, err
	}
	v, err := s.vendors.Get(ctx, a.VendorID)
	if errors.Is(err, apperr.ErrNotFound) {
		v = nil // the report still names the vendor as the assessment recorded it
	} else if err != nil {
		return nil, fmt.Errorf("report of %s: %w", id, err)
	}
	return Build(Input{Company: s.company, Now: s.now(), Assessment: a, Score: sc, Evidence: ev, Vendor: v}), nil
}
