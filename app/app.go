// Package app wires Assay together: it starts the embedded servers when no
// external ones are configured, connects the drivers, builds the domain
// services and the HTTP server, and runs the background workers.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/config"
	"github.com/assayhq/assay/demo"
	"github.com/assayhq/assay/frontend"
	"github.com/assayhq/assay/handlers"
	"github.com/assayhq/assay/library"
	"github.com/assayhq/assay/mail"
	"github.com/assayhq/assay/portfolio"
	"github.com/assayhq/assay/reminders"
	"github.com/assayhq/assay/report"
	"github.com/assayhq/assay/storage/blobs"
	"github.com/assayhq/assay/storage/embedded"
	storemongo "github.com/assayhq/assay/storage/mongo"
	"github.com/assayhq/assay/vendors"
	driver "go.mongodb.org/mongo-driver/mongo"
)

// App is a running Assay: its connections, services and workers.
type App struct {
	Config      *config.Config
	Log         *slog.Logger
	DB          *driver.Database
	Blobs       *blobs.Store
	Outbox      *mail.Outbox
	Auth        *auth.Service
	Audit       *audit.Service
	Library     *library.Service
	Vendors     *vendors.Service
	Reminders   *reminders.Scheduler
	Assessments *assessments.Service
	Portfolio   *portfolio.Service
	Reports     *report.Service
	Demo        *demo.Seeder // set with --demo
	Renderer    *frontend.Renderer

	// Where the embedded servers listen, when they run.
	MongoURI   string
	S3Endpoint string

	closers []func() error
	workers []func(ctx context.Context)
	notices []string // printed once at start, such as a generated admin password
}

// Open starts or connects to storage and builds the services. Every failure
// names the server or folder at fault.
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger) (*App, error) {
	a := &App{Config: cfg, Log: log}
	if err := a.open(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) open(ctx context.Context) (err error) {
	if a.Renderer, err = frontend.NewRenderer(); err != nil {
		return fmt.Errorf("templates: %w", err)
	}
	if err := a.openDatabase(ctx); err != nil {
		return err
	}
	if err := a.openBlobs(ctx); err != nil {
		return err
	}
	a.openMail()
	return a.buildServices(ctx)
}

func (a *App) openDatabase(ctx context.Context) error {
	uri := a.Config.MongoURI
	if a.Config.EmbeddedMongo() {
		quiet := slog.New(a.Log.Handler()).With("component", "ferretdb")
		m, err := embedded.StartMongo(ctx, filepath.Join(a.Config.DataDir, "db"), "", embedded.Sync(a.Config.DBSync), ferretDBLogger(quiet))
		if err != nil {
			return err
		}
		a.closers = append(a.closers, m.Close)
		uri = m.URI
		a.MongoURI = m.URI
	}
	db, err := storemongo.Connect(ctx, uri, a.Config.MongoDB)
	if err != nil {
		return err
	}
	a.DB = db
	a.closers = append(a.closers, func() error { return db.Client().Disconnect(context.Background()) })
	return nil
}

func (a *App) openBlobs(ctx context.Context) error {
	cfg := blobs.Config{
		Endpoint: a.Config.S3Endpoint, AccessKey: a.Config.S3AccessKey, SecretKey: a.Config.S3SecretKey,
		Bucket: a.Config.S3Bucket, Region: a.Config.S3Region, UseTLS: a.Config.S3UseTLS,
	}
	if a.Config.EmbeddedS3() {
		s, err := embedded.StartS3(filepath.Join(a.Config.DataDir, "objects"), "")
		if err != nil {
			return err
		}
		a.closers = append(a.closers, s.Close)
		cfg.Endpoint, cfg.Socket, cfg.AccessKey, cfg.SecretKey, cfg.UseTLS = s.Endpoint, s.Socket, s.AccessKey, s.SecretKey, false
		a.S3Endpoint = s.Socket
	}
	store, err := blobs.Open(cfg)
	if err != nil {
		return err
	}
	bctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := store.EnsureBucket(bctx); err != nil {
		return err
	}
	a.Blobs = store
	return nil
}

func (a *App) openMail() {
	var transport mail.Transport
	if a.Config.SMTPHost != "" {
		transport = mail.NewSMTP(mail.SMTPConfig{
			Host: a.Config.SMTPHost, Port: a.Config.SMTPPort, Username: a.Config.SMTPUsername,
			Password: a.Config.SMTPPassword, TLS: a.Config.SMTPTLS,
		})
	}
	a.Outbox = mail.NewOutbox(storemongo.NewOutbox(a.DB), transport, a.Config.MailFrom, a.Log.With("component", "outbox"))
	a.workers = append(a.workers, a.Outbox.Run)
}

// Handlers builds the HTTP server over the services.
func (a *App) Handlers() *handlers.Server {
	return handlers.New(a.deps())
}

// Run starts the background workers; they stop when ctx ends.
func (a *App) Run(ctx context.Context) {
	for _, w := range a.workers {
		go w(ctx)
	}
}

// Close releases everything Open acquired, newest first.
func (a *App) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		if err := a.closers[i](); err != nil {
			errs = append(errs, err)
		}
	}
	a.closers = nil
	return errors.Join(errs...)
}

func (a *App) ready() map[string]handlers.Checker {
	return map[string]handlers.Checker{
		"database": func(ctx context.Context) error { return storemongo.Ping(ctx, a.DB) },
		"storage":  a.Blobs.Ping,
	}
}

func redacted(uri string) string { return storemongo.Redact(uri) }

// ferretDBLogger keeps what of FerretDB's logging an operator needs: its
// warnings and errors, less the dumps of whole wire messages it logs at
// warning level for every command that fails. The driver hands those
// failures to Assay, which reports the ones that matter with their
// context; the dumps were a screenful each, for instance at every
// shutdown, when the driver sends endSessions, which FerretDB v1 lacks.
// A connection FerretDB drops on a protocol error still shows (level
// error).
func ferretDBLogger(l *slog.Logger) *slog.Logger {
	return slog.New(levelHandler{base: l.Handler(), min: slog.LevelWarn, skip: isWireDump})
}

func isWireDump(r slog.Record) bool {
	if r.Level >= slog.LevelError {
		return false
	}
	for _, p := range []string{"Response header: ", "Response message:", "Proxy response header: ", "Proxy response message:"} {
		if strings.HasPrefix(r.Message, p) {
			return true
		}
	}
	return false
}

// filterLevel drops records below min. The attributes and groups a
// derived logger adds are kept aside and handed to l's handler only when a
// record is kept: FerretDB derives a logger with every SQL statement's
// arguments (the whole document) for a debug record this drops, and a
// text handler formats attributes as they are added, which cost 2% of an
// autosave's CPU inside SQLite's write lock.
func filterLevel(l *slog.Logger, min slog.Level) *slog.Logger {
	return slog.New(levelHandler{base: l.Handler(), min: min})
}

type levelHandler struct {
	base    slog.Handler
	min     slog.Level
	skip    func(slog.Record) bool            // further records to drop, if set
	pending []func(slog.Handler) slog.Handler // WithAttrs and WithGroup, in order
}

func (h levelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.base.Enabled(ctx, l)
}

func (h levelHandler) Handle(ctx context.Context, r slog.Record) error {
	if h.skip != nil && h.skip(r) {
		return nil
	}
	out := h.base
	for _, apply := range h.pending {
		out = apply(out)
	}
	return out.Handle(ctx, r)
}

func (h levelHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return h.then(func(x slog.Handler) slog.Handler { return x.WithAttrs(as) })
}

func (h levelHandler) WithGroup(name string) slog.Handler {
	return h.then(func(x slog.Handler) slog.Handler { return x.WithGroup(name) })
}

func (h levelHandler) then(apply func(slog.Handler) slog.Handler) levelHandler {
	return levelHandler{base: h.base, min: h.min, skip: h.skip, pending: append(slices.Clip(h.pending), apply)}
}

// NewLogger builds the process logger from the configuration.
func NewLogger(cfg *config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
