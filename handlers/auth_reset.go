package handlers

import (
	"net/http"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/frontend"
	"github.com/labstack/echo/v4"
)

func init() {
	register(func(s *Server) {
		s.public(http.MethodGet, "/reset", s.resetRequestForm, s.withCSRF)
		s.public(http.MethodPost, "/reset", s.resetRequest, s.withCSRF)
		s.public(http.MethodGet, "/reset/:token", s.resetForm, s.withCSRF)
		s.public(http.MethodPost, "/reset/:token", s.reset, s.withCSRF)
	})
}

type resetPage struct {
	Email  string
	Sent   bool
	Token  string
	Gone   bool
	Fields map[string]string
}

func (s *Server) resetRequestForm(c echo.Context) error {
	p := s.page(c, "Reset your password", "")
	p.Data = resetPage{}
	return c.Render(http.StatusOK, "reset_request", p)
}

// resetRequest answers the same whether or not the address has an account.
func (s *Server) resetRequest(c echo.Context) error {
	email := c.FormValue("email")
	p := s.page(c, "Reset your password", "")
	if err := s.Auth.RequestReset(c.Request().Context(), actor(c), email); err != nil {
		status, _, msg := Status(err)
		if status >= http.StatusInternalServerError {
			return err
		}
		p.Error = msg
		p.Data = resetPage{Email: email, Fields: fieldMessages(err)}
		return c.Render(status, "reset_request", p)
	}
	p.Data = resetPage{Email: email, Sent: true}
	return c.Render(http.StatusOK, "reset_request", p)
}

func (s *Server) resetForm(c echo.Context) error {
	p := s.page(c, "Choose a new password", "")
	if err := s.Auth.CheckReset(c.Request().Context(), c.Param("token")); err != nil {
		return s.resetGone(c, p, err)
	}
	p.Data = resetPage{Token: c.Param("token")}
	return c.Render(http.StatusOK, "reset", p)
}

func (s *Server) reset(c echo.Context) error {
	p := s.page(c, "Choose a new password", "")
	token := c.Param("token")
	password := c.FormValue("password")
	if password != c.FormValue("confirm") {
		p.Error = "the two passwords differ"
		p.Data = resetPage{Token: token, Fields: map[string]string{"confirm": "type the same password twice"}}
		return c.Render(http.StatusUnprocessableEntity, "reset", p)
	}
	_, err := s.Auth.ResetPassword(c.Request().Context(), actor(c), token, password)
	if err == nil {
		s.clearCookie(c, sessionCookie)
		return c.Redirect(http.StatusSeeOther, "/login?reset=1")
	}
	if apperr.Fields(err) != nil {
		p.Error = "the password was not changed"
		p.Data = resetPage{Token: token, Fields: fieldMessages(err)}
		return c.Render(http.StatusUnprocessableEntity, "reset", p)
	}
	return s.resetGone(c, p, err)
}

// resetGone shows why a link cannot be used, with the way to a new one.
func (s *Server) resetGone(c echo.Context, p frontend.Page, err error) error {
	status, _, msg := Status(err)
	if status >= http.StatusInternalServerError {
		return err
	}
	p.Error = msg
	p.Data = resetPage{Gone: true}
	return c.Render(status, "reset", p)
}
