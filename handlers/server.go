// Package handlers is Assay's HTTP face: Echo routes for the staff UI
// (/app), the supplier portal (/q) and the JSON API (/api/v1). Handlers are
// thin: parse, authorize, call the domain, render. Errors flow to one
// handler (errors.go) that maps them to status codes.
package handlers

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/config"
	"github.com/assayhq/assay/frontend"
	"github.com/assayhq/assay/library"
	"github.com/assayhq/assay/mail"
	"github.com/assayhq/assay/portfolio"
	"github.com/assayhq/assay/report"
	"github.com/assayhq/assay/vendors"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Checker reports whether a dependency is ready, for /readyz.
type Checker func(ctx context.Context) error

// Deps is what the handlers need from the application. Domain services are
// added here as fields, one per domain.
type Deps struct {
	Config      *config.Config
	Log         *slog.Logger
	Renderer    *frontend.Renderer
	Ready       map[string]Checker // name → check, e.g. "database", "storage"
	Auth        *auth.Service
	Audit       *audit.Service
	Library     *library.Service
	Assessments *assessments.Service
	Vendors     *vendors.Service
	Outbox      *mail.Outbox
	Portfolio   *portfolio.Service
	Reports     *report.Service
}

// Server holds the Echo instance and the dependencies every handler uses.
type Server struct {
	Deps
	e             *echo.Echo
	bodyLimits    map[string]int64 // route → largest body, for routes above the default
	routeTable    []Route
	portalLimiter echo.MiddlewareFunc // per-address limit of supplier token routes, see portalLimit
}

// New builds the HTTP server with every route.
func New(d Deps) *Server {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	s := &Server{Deps: d, e: e, bodyLimits: map[string]int64{}}
	e.HTTPErrorHandler = s.handleError
	e.Renderer = pageRenderer{d.Renderer}
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: s.logPanic}))
	e.Use(middleware.RequestID())
	e.Use(s.requestLog)
	e.Use(s.securityHeaders)
	e.Use(s.bodyLimit)
	s.routes()
	return s
}

// Handler returns the root http.Handler.
func (s *Server) Handler() http.Handler { return s.e }

// Echo exposes the router, for tests that list routes.
func (s *Server) Echo() *echo.Echo { return s.e }

func (s *Server) routes() {
	e := s.e
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	static := http.StripPrefix("/static/", http.FileServer(http.FS(frontend.Static())))
	e.GET("/static/*", echo.WrapHandler(cacheForever(static)))
	e.GET("/favicon.ico", func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, frontend.Asset("favicon.svg"))
	})
	for _, register := range registrars {
		register(s)
	}
}

// registrars are the route sets of each domain; each domain's file adds
// its own in an init function so that route files stay independent.
var registrars []func(*Server)

func register(f func(*Server)) { registrars = append(registrars, f) }

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 5*time.Second)
	defer cancel()
	checks := map[string]string{}
	status := http.StatusOK
	for name, check := range s.Ready {
		if err := check(ctx); err != nil {
			checks[name] = err.Error()
			status = http.StatusServiceUnavailable
		} else {
			checks[name] = "ok"
		}
	}
	state := "ready"
	if status != http.StatusOK {
		state = "not ready"
	}
	return c.JSON(status, map[string]any{"status": state, "checks": checks})
}

func cacheForever(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("v") != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		h.ServeHTTP(w, r)
	})
}

func (s *Server) requestLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		req, res := c.Request(), c.Response()
		level := slog.LevelInfo
		if res.Status >= 500 {
			level = slog.LevelError
		}
		// The supplier token is a credential: log the route, not the path.
		s.Log.LogAttrs(req.Context(), level, "request",
			slog.String("method", req.Method), slog.String("route", c.Path()),
			slog.Int("status", res.Status), slog.Duration("took", time.Since(start)),
			slog.Int64("bytes", res.Size), slog.String("id", res.Header().Get(echo.HeaderXRequestID)))
		return nil
	}
}

func (s *Server) logPanic(c echo.Context, err error, stack []byte) error {
	s.Log.Error("panic", "err", err, "route", c.Path(), "stack", string(stack))
	return err
}

type pageRenderer struct{ r *frontend.Renderer }

func (p pageRenderer) Render(w io.Writer, name string, data any, _ echo.Context) error {
	return p.r.Render(w, name, data)
}
