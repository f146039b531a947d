package app

import (
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/demo"
)

// seedDemo schedules the demo portfolio (--demo) as a background worker:
// seeding takes a minute or two, longer than start-up may, and the server
// can answer meanwhile. ad are the assessments service's dependencies,
// which the seeder runs on its own clock to date the history.
func (a *App) seedDemo(ad assessments.Deps) {
	a.Demo = demo.New(demo.Deps{
		Vendors: a.Vendors, Users: a.Auth, Outbox: a.Outbox, Log: a.Log.With("component", "demo"),
		Assessments: func(now func() time.Time, m assessments.Mailer) *assessments.Service {
			d := ad
			d.Now, d.Mail = now, m
			return assessments.NewService(d)
		},
	})
	a.workers = append(a.workers, a.Demo.Run)
	a.notices = append(a.notices, "  demo:         seeding a demo portfolio of 30 vendors in the background (a minute or two) if the database has none")
}
