// Package apptest runs a whole Assay for tests: the real app, services and
// HTTP handlers over a fresh database on the embedded FerretDB, a fresh
// bucket on a real MinIO and (optionally) a real mailpit SMTP server, served
// by httptest on loopback. One line per test:
//
//	env := apptest.New(t, apptest.Options{})
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/assayhq/assay/app"
	"github.com/assayhq/assay/config"
	"github.com/assayhq/assay/handlers"
	"github.com/assayhq/assay/testenv"
)

// Options adjusts the environment.
type Options struct {
	// SMTP sends mail through the shared mailpit instead of keeping it in
	// the outbox, and runs the outbox worker.
	SMTP bool
	// Mailpit, when set, is used instead of the shared one (fault tests).
	Mailpit *testenv.Mailpit
	// Configure edits the configuration before the app opens.
	Configure func(*config.Config)
	// NoWorkers leaves background workers stopped; tests then drive them.
	NoWorkers bool
}

// Env is a running Assay.
type Env struct {
	T       testing.TB
	App     *app.App
	Server  *handlers.Server
	HTTP    *httptest.Server
	URL     string
	Mailpit *testenv.Mailpit
	Config  *config.Config
}

// New starts an Assay for this test; it stops when the test ends.
func New(t testing.TB, o Options) *Env {
	t.Helper()
	minio := testenv.SharedMinIO(t)
	bc := minio.Config(t)
	env := map[string]string{
		"ASSAY_MONGO_URI":        testenv.MongoURI(t),
		"ASSAY_MONGO_DB":         testenv.DBName(t),
		"ASSAY_S3_ENDPOINT":      bc.Endpoint,
		"ASSAY_S3_ACCESS_KEY":    bc.AccessKey,
		"ASSAY_S3_SECRET_KEY":    bc.SecretKey,
		"ASSAY_S3_BUCKET":        bc.Bucket,
		"ASSAY_ADMIN_EMAIL":      "admin@example.test",
		"ASSAY_ADMIN_PASSWORD":   "correct horse battery staple",
		"ASSAY_COMPANY":          "Example Corp",
		"ASSAY_LOG_LEVEL":        "warn",
		"ASSAY_MAIL_FROM":        "Assay <assay@example.test>",
		"ASSAY_SESSION_IDLE":     "30m",
		"ASSAY_SESSION_ABSOLUTE": "12h",
	}
	e := &Env{T: t}
	if o.SMTP || o.Mailpit != nil {
		mp := o.Mailpit
		if mp == nil {
			mp = testenv.MailpitBox(t).Mailpit
		}
		e.Mailpit = mp
		env["ASSAY_SMTP_HOST"] = mp.SMTPHost
		env["ASSAY_SMTP_PORT"] = strconv.Itoa(mp.SMTPPort)
		env["ASSAY_SMTP_TLS"] = "none"
	}
	// The base URL must be known before the app renders links, and the
	// listener's port before that: start the listener first.
	srv := httptest.NewUnstartedServer(nil)
	e.URL = "http://" + srv.Listener.Addr().String()
	env["ASSAY_BASE_URL"] = e.URL
	cfg, err := config.Load("test", nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if o.Configure != nil {
		o.Configure(cfg)
	}
	e.Config = cfg
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("ASSAY_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	e.App = a
	e.Server = a.Handlers()
	srv.Config.Handler = e.Server.Handler()
	srv.Start()
	e.HTTP = srv
	workCtx, stop := context.WithCancel(context.Background())
	if !o.NoWorkers {
		a.Run(workCtx)
	}
	t.Cleanup(func() {
		stop()
		srv.Close()
		_ = a.DB.Drop(context.Background())
		_ = a.Close()
	})
	return e
}

// Client returns an HTTP client with its own cookie jar that does not
// follow redirects, so tests see each response.
func (e *Env) Client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar:           jar,
		Timeout:       60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
