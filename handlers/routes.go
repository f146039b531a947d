package handlers

import (
	"github.com/assayhq/assay/auth"
	"github.com/labstack/echo/v4"
)

// Route records who may call a route; the role-matrix test walks them all.
type Route struct {
	Method string
	Path   string
	Kind   string // "page" (staff HTML, session + CSRF), "api" (staff JSON, bearer), "public"
	Roles  []auth.Role
}

// Routes lists every staff and public route declared through the helpers
// below.
func (s *Server) Routes() []Route { return s.routeTable }

// staffPage declares a staff HTML route: session cookie, CSRF on unsafe
// methods, and one of roles (admins pass every check).
func (s *Server) staffPage(method, path string, h echo.HandlerFunc, roles ...auth.Role) {
	s.routeTable = append(s.routeTable, Route{method, path, "page", roles})
	s.e.Add(method, path, h, s.withSession, s.withCSRF, requireRole(roles...))
}

// staffAPI declares a staff JSON route under /api/v1: bearer token (or a
// session, for the UI's own scripts) and one of roles.
func (s *Server) staffAPI(method, path string, h echo.HandlerFunc, roles ...auth.Role) {
	s.routeTable = append(s.routeTable, Route{method, path, "api", roles})
	s.e.Add(method, path, h, s.withBearer, requireRole(roles...))
}

// public declares a route anyone may call: login, the supplier portal,
// whose token is checked by its handler.
func (s *Server) public(method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	s.routeTable = append(s.routeTable, Route{method, path, "public", nil})
	s.e.Add(method, path, h, m...)
}

// Role sets used across route files.
var (
	anyStaff    = []auth.Role{auth.RoleAdmin, auth.RoleProcurement, auth.RoleReviewer, auth.RoleViewer}
	procurement = []auth.Role{auth.RoleProcurement}
	reviewers   = []auth.Role{auth.RoleReviewer}
	adminsOnly  = []auth.Role{auth.RoleAdmin}
)
