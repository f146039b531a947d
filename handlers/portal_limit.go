package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/questionnaires"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Supplier links are credentials too long to guess, so the per-address
// limit on token routes is against floods (a scraper, a runaway script)
// rather than guessing. It sits far above what one person causes: autosave
// sends at most one request per question every 600 ms while typing.
const (
	portalPerSecond = 10  // requests per second, sustained, per client address
	portalBurst     = 100 // requests at once, such as a page with several uploads
	// portalRateIdle is how long an address that went quiet is remembered.
	portalRateIdle = 3 * time.Minute
)

// portalLimit returns the server's per-address limiter of token routes:
// one for the HTML portal (/q/…) and its JSON face (/api/v1/portal/…), so
// both count against the same budget of one address. Routes are declared
// while the server is built, before it serves, so no lock is needed.
func (s *Server) portalLimit() echo.MiddlewareFunc {
	if s.portalLimiter != nil {
		return s.portalLimiter
	}
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: portalPerSecond, Burst: portalBurst, ExpiresIn: portalRateIdle,
	})
	m := middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: store,
		// RealIP follows the server's IPExtractor, which believes
		// X-Forwarded-For only from a proxy on a private network.
		IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", strconv.Itoa(portalBurst/portalPerSecond))
			return apperr.Wrapf(apperr.ErrRateLimited, "too many requests from your address: please wait a few seconds and try again")
		},
	})
	s.portalLimiter = m
	return m
}

// visibilityJSURL is the versioned address of the browser twin of
// questionnaires.Visible, which lives beside its Go twin rather than in
// frontend/static so that one test keeps the two in step.
var visibilityJSURL = sync.OnceValue(func() string {
	sum := sha256.Sum256(questionnaires.VisibilityJS)
	return "/assets/visibility.js?v=" + hex.EncodeToString(sum[:])[:10]
})

func serveVisibilityJS(c echo.Context) error {
	h := c.Response().Header()
	// The URL carries a content hash, so a browser may keep the file.
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", questionnaires.VisibilityJS)
}
