package handlers

import (
	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/auth"
	"github.com/labstack/echo/v4"
)

// Context keys set by the authentication middleware.
const (
	userContextKey = "assay.user"
	csrfContextKey = "csrf"
)

// currentUser returns the signed-in staff user, or nil.
func currentUser(c echo.Context) *auth.User {
	u, _ := c.Get(userContextKey).(*auth.User)
	return u
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
