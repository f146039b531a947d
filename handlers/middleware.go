package handlers

import (
	"net/http"
	"strings"

	"github.com/assayhq/assay/apperr"
	"github.com/labstack/echo/v4"
)

// defaultBodyLimit covers every form and JSON body; uploads declare their
// own limit with allowBody.
const defaultBodyLimit = 1 << 20

// contentSecurityPolicy allows no inline script or style and no third-party
// origin: everything Assay shows comes from its own binary.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// Supplier links carry their token in the path, so no page of Assay
		// ever sends a Referer.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		if s.Config.TLS() {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if !strings.HasPrefix(c.Request().URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

// allowBody raises the body limit of one route (its Echo path pattern).
func (s *Server) allowBody(route string, limit int64) { s.bodyLimits[route] = limit }

// bodyLimit refuses bodies over the route's limit with 413: at once when the
// client declares the length, and while reading otherwise.
func (s *Server) bodyLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		limit := int64(defaultBodyLimit)
		if l, ok := s.bodyLimits[c.Path()]; ok {
			limit = l
		}
		req := c.Request()
		if req.ContentLength > limit {
			return apperr.Wrapf(apperr.ErrTooLarge, "the request is larger than the %s this page accepts", humanLimit(limit))
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
		return next(c)
	}
}
