package mongo

import (
	"context"

	"github.com/assayhq/assay/portfolio"
)

// WriteDigest writes a digest as a tracked write does, for tests of a
// writer that lost a race.
func (p *Portfolio) WriteDigest(ctx context.Context, d portfolio.Assessment) error {
	return p.write(ctx, d)
}
