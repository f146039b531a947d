package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/frontend"
	"github.com/labstack/echo/v4"
)

func init() {
	register(func(s *Server) {
		s.staffPage(http.MethodGet, "/app/account", s.account, anyStaff...)
		s.staffPage(http.MethodPost, "/app/account/password", s.accountPassword, anyStaff...)
		s.staffPage(http.MethodPost, "/app/account/tokens", s.accountCreateToken, anyStaff...)
		s.staffPage(http.MethodPost, "/app/account/tokens/:id/revoke", s.accountRevokeToken, anyStaff...)
	})
}

type accountPage struct {
	User      *auth.User
	Tokens    []auth.Token
	Now       time.Time
	NewToken  string // the secret of a token just created, shown once
	TokenName string
	TokenDays int
	Fields    map[string]string
}

// accountFlash are the messages a redirect back to the account page may ask
// for; the query names one, so no text from the URL reaches the page.
var accountFlash = map[string]string{
	"password": "Your password has been changed. Your other sessions were signed out.",
	"revoked":  "The token has been revoked.",
}

func (s *Server) account(c echo.Context) error {
	p := s.page(c, "Your account", "")
	p.Flash = accountFlash[c.QueryParam("done")]
	return s.renderAccount(c, http.StatusOK, p, accountPage{TokenDays: 90})
}

func (s *Server) renderAccount(c echo.Context, status int, p frontend.Page, data accountPage) error {
	u := currentUser(c)
	tokens, err := s.Auth.Tokens(c.Request().Context(), u)
	if err != nil {
		return err
	}
	data.User, data.Tokens, data.Now = u, tokens, time.Now()
	p.Data = data
	return c.Render(status, "account", p)
}

func (s *Server) accountPassword(c echo.Context) error {
	u := currentUser(c)
	current, next := c.FormValue("current"), c.FormValue("password")
	if next != c.FormValue("confirm") {
		return s.accountFailed(c, apperr.Field("confirm", "type the same new password twice"), accountPage{TokenDays: 90})
	}
	if err := s.Auth.ChangePassword(c.Request().Context(), actor(c), u, current, next, sessionID(c)); err != nil {
		return s.accountFailed(c, err, accountPage{TokenDays: 90})
	}
	return c.Redirect(http.StatusSeeOther, "/app/account?done=password")
}

func (s *Server) accountCreateToken(c echo.Context) error {
	name := strings.TrimSpace(c.FormValue("name"))
	days, convErr := strconv.Atoi(strings.TrimSpace(c.FormValue("days")))
	data := accountPage{TokenName: name, TokenDays: days}
	if convErr != nil || days < 1 || days > 366 {
		return s.accountFailed(c, apperr.Field("days", "choose between 1 and 366 days"), data)
	}
	secret, _, err := s.Auth.CreateToken(c.Request().Context(), actor(c), currentUser(c), name, time.Duration(days)*24*time.Hour)
	if err != nil {
		return s.accountFailed(c, err, data)
	}
	p := s.page(c, "Your account", "")
	p.Flash = "Token created. Copy it now: it will not be shown again."
	return s.renderAccount(c, http.StatusCreated, p, accountPage{NewToken: secret, TokenName: name, TokenDays: 90})
}

func (s *Server) accountRevokeToken(c echo.Context) error {
	if err := s.Auth.RevokeToken(c.Request().Context(), actor(c), currentUser(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/app/account?done=revoked")
}

// accountFailed shows the account page again with what went wrong beside
// the fields, keeping what was typed (passwords excepted).
func (s *Server) accountFailed(c echo.Context, err error, data accountPage) error {
	status, _, msg := Status(err)
	if status >= http.StatusInternalServerError || apperr.Fields(err) == nil && status != http.StatusTooManyRequests {
		return err
	}
	p := s.page(c, "Your account", "")
	p.Error = msg
	data.Fields = fieldMessages(err)
	return s.renderAccount(c, status, p, data)
}

// sessionID is the id (hash) of the request's session, or "".
func sessionID(c echo.Context) string {
	if sess := currentSession(c); sess != nil {
		return sess.ID
	}
	return ""
}
