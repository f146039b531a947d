package app

import (
	"context"

	"github.com/assayhq/assay/handlers"
	storemongo "github.com/assayhq/assay/storage/mongo"
)

// buildServices constructs the domain services and creates the indexes
// their stores need. Each domain adds its store and service here.
func (a *App) buildServices(ctx context.Context) error {
	indexes := append([]storemongo.Index{}, storemongo.OutboxIndexes...)
	return storemongo.EnsureIndexes(ctx, a.DB, indexes)
}

// deps hands the services to the HTTP layer.
func (a *App) deps() handlers.Deps {
	return handlers.Deps{
		Config:   a.Config,
		Log:      a.Log,
		Renderer: a.Renderer,
		Ready:    a.ready(),
	}
}
