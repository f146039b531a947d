package mongo

import (
	"context"
	"time"

	"github.com/assayhq/assay/portfolio"
)

// WriteDigest writes a digest as a tracked write does, for tests of a
// writer that lost a race.
func (p *Portfolio) WriteDigest(ctx context.Context, d portfolio.Assessment) error {
	return p.write(ctx, d)
}

// SweepChangeLogs runs the change logs' sweep as Run does at now.
func (p *Portfolio) SweepChangeLogs(ctx context.Context, now time.Time) error {
	return p.sweep(ctx, now)
}
