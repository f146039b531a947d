package app

import (
	"context"
	"fmt"
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/handlers"
	"github.com/assayhq/assay/library"
	"github.com/assayhq/assay/portfolio"
	"github.com/assayhq/assay/reminders"
	"github.com/assayhq/assay/report"
	storemongo "github.com/assayhq/assay/storage/mongo"
	"github.com/assayhq/assay/vendors"
)

// buildServices constructs the domain services and creates the indexes
// their stores need. Each domain adds its store and service here.
func (a *App) buildServices(ctx context.Context) error {
	indexes := append([]storemongo.Index{}, storemongo.OutboxIndexes...)
	a.Audit = audit.NewService(storemongo.NewAudit(a.DB))
	indexes = append(indexes, storemongo.AuditIndexes...)
	a.Auth = auth.NewService(auth.Config{SessionIdle: a.Config.SessionIdle, SessionAbsolute: a.Config.SessionAbsolute, BaseURL: a.Config.BaseURL},
		storemongo.AuthStores(a.DB), a.Audit, auth.OutboxMailer{Outbox: a.Outbox, Renderer: a.Renderer, Company: a.Config.CompanyName})
	indexes = append(indexes, storemongo.AuthIndexes()...)
	a.workers = append(a.workers, func(ctx context.Context) {
		a.Auth.RunSweeper(ctx, 5*time.Minute, func(err error) { a.Log.Warn("sweeping sessions", "err", err) })
	})
	a.Library = library.New(library.Deps{Store: storemongo.NewTemplates(a.DB), Audit: a.Audit, Log: a.Log.With("component", "library")})
	indexes = append(indexes, storemongo.TemplateIndexes...)
	vendorStore := storemongo.NewVendors(a.DB)
	a.Vendors = vendors.NewService(vendors.Deps{Store: vendorStore, Staff: storemongo.NewStaffDirectory(a.DB), Templates: a.Library, Audit: a.Audit, Log: a.Log.With("component", "vendors")})
	indexes = append(indexes, storemongo.VendorIndexes...)
	// The portfolio's digests are written by every assessment write (see
	// storage/mongo/portfolio.go), so its store wraps the assessments' one.
	digests := storemongo.NewPortfolio(a.DB, vendorStore, storemongo.NewAssessments(a.DB), a.Log.With("component", "portfolio"))
	ad := a.assessmentDeps()
	ad.Store = digests.Track(ad.Store)
	a.Assessments = assessments.NewService(ad)
	a.Portfolio = portfolio.NewService(digests, nil)
	a.Reports = report.NewService(a.Assessments, a.Vendors, a.Config.CompanyName, nil)
	a.workers = append(a.workers, func(ctx context.Context) { digests.Run(ctx, 2*time.Second) })
	indexes = append(indexes, storemongo.PortfolioIndexes...)
	a.Reminders = reminders.New(reminders.Deps{Assessments: a.Assessments, Mail: a.Outbox, Store: digests.TrackExpiry(storemongo.NewReminders(a.DB)), Vendors: a.Vendors, Audit: a.Audit, ReminderDays: a.Config.ReminderDays, Log: a.Log.With("component", "reminders")})
	a.workers = append(a.workers, func(ctx context.Context) {
		if a.Demo != nil {
			// The demo writes years of history on its own clock; on real
			// time the reminders would expire its old links mid-way.
			select {
			case <-a.Demo.Done():
			case <-ctx.Done():
				return
			}
		}
		a.Reminders.Run(ctx, time.Minute)
	})
	if a.Config.Demo {
		a.seedDemo(ad)
	}
	indexes = append(indexes, storemongo.AssessmentIndexes...)
	if err := storemongo.EnsureIndexes(ctx, a.DB, indexes); err != nil {
		return err
	}
	// Before anything reads evidence: this version keeps it inside the
	// assessments. Every instance must run this version or a later one.
	if n, err := storemongo.NewEvidence(a.DB).MoveLegacy(ctx); err != nil {
		return err
	} else if n > 0 {
		a.Log.Info("moved evidence records into their assessments", "assessments", n)
	}
	if err := a.syncLibrary(ctx); err != nil {
		return err
	}
	return a.bootstrapAdmin(ctx)
}

// bootstrapAdmin creates the first admin on first start; a generated
// password is printed once, at start-up, and never stored in clear.
func (a *App) bootstrapAdmin(ctx context.Context) error {
	created, generated, err := a.Auth.Bootstrap(ctx, a.Config.AdminEmail, a.Config.AdminPassword)
	if err != nil {
		return fmt.Errorf("creating the bootstrap admin %s: %w", a.Config.AdminEmail, err)
	}
	if created && generated != "" {
		a.notices = append(a.notices, fmt.Sprintf("  first admin:  %s  password: %s  (shown once: change it under Account)", a.Config.AdminEmail, generated))
	} else if created {
		a.notices = append(a.notices, fmt.Sprintf("  first admin:  %s  (password from ASSAY_ADMIN_PASSWORD)", a.Config.AdminEmail))
	}
	return nil
}

// syncLibrary publishes the built-in templates a release added or changed;
// it needs the unique index that stops two instances doing it twice.
func (a *App) syncLibrary(ctx context.Context) error {
	published, err := a.Library.SyncBuiltins(ctx)
	if err != nil {
		return fmt.Errorf("built-in questionnaire templates: %w", err)
	}
	for _, p := range published {
		a.Log.Info("published built-in template", "key", p.Key, "version", p.Version)
	}
	return nil
}

// Notices returns the start-up lines worth printing once, such as a
// generated admin password, for commands other than serve.
func (a *App) Notices() []string { return a.notices }

// deps hands the services to the HTTP layer.
func (a *App) deps() handlers.Deps {
	return handlers.Deps{
		Config:      a.Config,
		Log:         a.Log,
		Renderer:    a.Renderer,
		Ready:       a.ready(),
		Auth:        a.Auth,
		Audit:       a.Audit,
		Library:     a.Library,
		Assessments: a.Assessments,
		Vendors:     a.Vendors,
		Outbox:      a.Outbox,
		Portfolio:   a.Portfolio,
		Reports:     a.Reports,
	}
}
