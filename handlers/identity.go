package handlers

import (
	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
	"github.com/labstack/echo/v4"
)

// Context keys set by the authentication middleware.
const (
	userContextKey    = "assay.user"
	sessionContextKey = "assay.session"
	csrfContextKey    = "csrf"
)

// currentUser returns the signed-in staff user, or nil.
func currentUser(c echo.Context) *auth.User {
	u, _ := c.Get(userContextKey).(*auth.User)
	return u
}

// currentSession returns the browser session of the request, or nil when
// the request came with a bearer token or none.
func currentSession(c echo.Context) *auth.Session {
	s, _ := c.Get(sessionContextKey).(*auth.Session)
	return s
}

// actor is who the audit log names for this request: the signed-in user,
// or an anonymous client, with the request's address.
func actor(c echo.Context) audit.Actor {
	a := audit.Actor{Kind: audit.KindAnonymous, IP: c.RealIP()}
	if u := currentUser(c); u != nil {
		a.Kind, a.ID, a.Email = audit.KindStaff, u.ID, u.Email
	}
	return a
}

// requireRole lets the request through only for a signed-in user holding
// one of roles (admins hold all). Which authentication put the user in the
// context (session cookie or bearer token) is decided per route group.
func requireRole(roles ...auth.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := currentUser(c)
			if u == nil {
				return apperr.ErrUnauthorized
			}
			if !u.Can(roles...) {
				return apperr.Wrapf(apperr.ErrForbidden, "your role (%s) may not do this", u.Role)
			}
			return next(c)
		}
	}
}
