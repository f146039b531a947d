package handlers

import (
	"net/http"
	"strconv"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/auth"
	"github.com/labstack/echo/v4"
)

func init() {
	register(func(s *Server) {
		s.staffPage(http.MethodGet, "/app/users", s.usersList, adminsOnly...)
		s.staffPage(http.MethodGet, "/app/users/new", s.userNew, adminsOnly...)
		s.staffPage(http.MethodPost, "/app/users", s.userCreate, adminsOnly...)
		s.staffPage(http.MethodGet, "/app/users/:id", s.userEdit, adminsOnly...)
		s.staffPage(http.MethodPost, "/app/users/:id", s.userUpdate, adminsOnly...)
		s.staffPage(http.MethodPost, "/app/users/:id/disable", s.userDisable, adminsOnly...)
		s.staffPage(http.MethodPost, "/app/users/:id/enable", s.userEnable, adminsOnly...)
		s.staffPage(http.MethodPost, "/app/users/:id/reset-link", s.userResetLink, adminsOnly...)
	})
}

type usersListPage struct {
	Users []auth.User
	Pager map[string]any
}

type userFormPage struct {
	User   *auth.User // nil on the new-user form
	Form   auth.NewUser
	Roles  []auth.Role
	Self   bool
	Fields map[string]string
}

// userFlash are the confirmations a redirect to a user page may ask for.
var userFlash = map[string]string{
	"created":  "The account has been created.",
	"invited":  "The account has been created and a link to choose a password was mailed.",
	"saved":    "Changes saved.",
	"disabled": "The account is disabled and its sessions were signed out.",
	"enabled":  "The account is enabled again.",
	"reset":    "A password reset link was mailed.",
}

const usersPerPage = 50

func (s *Server) usersList(c echo.Context) error {
	page, _ := strconv.Atoi(c.QueryParam("page"))
	if page < 1 {
		page = 1
	}
	users, total, err := s.Auth.Users(c.Request().Context(), auth.UserFilter{Page: page, Per: usersPerPage})
	if err != nil {
		return err
	}
	p := s.page(c, "Users", "users")
	p.Flash = userFlash[c.QueryParam("done")]
	p.Data = usersListPage{Users: users, Pager: pagerOf(page, total, usersPerPage, "/app/users?")}
	return c.Render(http.StatusOK, "users/list", p)
}

// pagerOf is the data of the "pager" partial.
func pagerOf(page int, total int64, per int, base string) map[string]any {
	pages := int((total + int64(per) - 1) / int64(per))
	return map[string]any{"Page": page, "Pages": pages, "Total": total, "Base": base}
}

func (s *Server) userNew(c echo.Context) error {
	p := s.page(c, "New user", "users")
	p.Data = userFormPage{Form: auth.NewUser{Role: auth.RoleViewer}, Roles: auth.Roles}
	return c.Render(http.StatusOK, "users/form", p)
}

func (s *Server) userCreate(c echo.Context) error {
	n := auth.NewUser{Email: c.FormValue("email"), Name: c.FormValue("name"), Role: auth.Role(c.FormValue("role")), Password: c.FormValue("password")}
	u, err := s.Auth.CreateUser(c.Request().Context(), actor(c), n)
	if err != nil && u == nil {
		if apperr.Fields(err) == nil {
			return err
		}
		p := s.page(c, "New user", "users")
		p.Error = "The account was not created: see the fields marked below."
		n.Password = ""
		p.Data = userFormPage{Form: n, Roles: auth.Roles, Fields: fieldMessages(err)}
		status, _, _ := Status(err)
		return c.Render(status, "users/form", p)
	}
	if err != nil {
		// The account exists but its invitation mail failed: say so on its
		// page, where the admin can send the link again.
		s.Log.Error("mailing a new user's password link", "user", u.ID, "err", err)
		p := s.page(c, u.Name, "users")
		p.Error = "The account was created, but the password link could not be queued. Use “Send a reset link” to try again."
		p.Data = userFormPage{User: u, Form: auth.NewUser{Email: u.Email, Name: u.Name, Role: u.Role}, Roles: auth.Roles}
		return c.Render(http.StatusCreated, "users/form", p)
	}
	done := "created"
	if n.Password == "" {
		done = "invited"
	}
	return c.Redirect(http.StatusSeeOther, "/app/users/"+u.ID+"?done="+done)
}

func (s *Server) userEdit(c echo.Context) error {
	u, err := s.Auth.User(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	p := s.page(c, u.Name, "users")
	p.Flash = userFlash[c.QueryParam("done")]
	p.Data = s.userForm(c, u, nil)
	return c.Render(http.StatusOK, "users/form", p)
}

func (s *Server) userForm(c echo.Context, u *auth.User, fields map[string]string) userFormPage {
	return userFormPage{User: u, Form: auth.NewUser{Email: u.Email, Name: u.Name, Role: u.Role}, Roles: auth.Roles,
		Self: currentUser(c).ID == u.ID, Fields: fields}
}

func (s *Server) userUpdate(c echo.Context) error {
	ch := auth.UserChange{Name: c.FormValue("name"), Role: auth.Role(c.FormValue("role"))}
	u, err := s.Auth.UpdateUser(c.Request().Context(), actor(c), c.Param("id"), ch)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/app/users/"+u.ID+"?done=saved")
	}
	if apperr.Fields(err) == nil {
		return err
	}
	orig, gerr := s.Auth.User(c.Request().Context(), c.Param("id"))
	if gerr != nil {
		return gerr
	}
	p := s.page(c, orig.Name, "users")
	p.Error = "Nothing was saved: see the fields marked below."
	data := s.userForm(c, orig, fieldMessages(err))
	data.Form.Name, data.Form.Role = ch.Name, ch.Role
	p.Data = data
	status, _, _ := Status(err)
	return c.Render(status, "users/form", p)
}

func (s *Server) userDisable(c echo.Context) error { return s.userSetDisabled(c, true) }
func (s *Server) userEnable(c echo.Context) error  { return s.userSetDisabled(c, false) }

func (s *Server) userSetDisabled(c echo.Context, disabled bool) error {
	u, err := s.Auth.SetDisabled(c.Request().Context(), actor(c), c.Param("id"), disabled)
	if err != nil {
		return err
	}
	done := "enabled"
	if disabled {
		done = "disabled"
	}
	return c.Redirect(http.StatusSeeOther, "/app/users/"+u.ID+"?done="+done)
}

func (s *Server) userResetLink(c echo.Context) error {
	u, err := s.Auth.SendReset(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/app/users/"+u.ID+"?done=reset")
}
