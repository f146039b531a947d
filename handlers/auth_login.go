package handlers

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/auth"
	"github.com/labstack/echo/v4"
)

func init() {
	register(func(s *Server) {
		s.public(http.MethodGet, "/login", s.loginForm, s.withCSRF)
		s.public(http.MethodPost, "/login", s.login, s.withCSRF)
		s.staffPage(http.MethodPost, "/logout", s.logout, anyStaff...)
	})
}

// loginForm is the decoded sign-in form.
type loginForm struct {
	Email    string
	Password string
	Next     string
}

// decodeLoginForm reads the sign-in form. Whatever arrives, Next comes back
// a local path and the fields within their bounds.
func decodeLoginForm(v url.Values) (loginForm, error) {
	f := loginForm{Email: auth.NormalizeEmail(v.Get("email")), Password: v.Get("password"), Next: safeNext(v.Get("next"))}
	var fields []apperr.FieldError
	if f.Email == "" {
		fields = append(fields, apperr.FieldError{Path: "email", Message: "enter your email address"})
	} else if len(f.Email) > 254 {
		fields = append(fields, apperr.FieldError{Path: "email", Message: "this is longer than any email address"})
		f.Email = ""
	}
	if f.Password == "" {
		fields = append(fields, apperr.FieldError{Path: "password", Message: "enter your password"})
	} else if len(f.Password) > auth.MaxPasswordLength {
		fields = append(fields, apperr.FieldError{Path: "password", Message: "this is longer than any password Assay accepts"})
		f.Password = ""
	}
	if len(fields) > 0 {
		return f, apperr.Invalid("enter your email and password", fields...)
	}
	return f, nil
}

type loginPage struct {
	Email  string
	Next   string
	Fields map[string]string
}

func (s *Server) loginForm(c echo.Context) error {
	next := safeNext(c.QueryParam("next"))
	// Someone already signed in goes straight on.
	if s.signInFromCookie(c) == nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	p := s.page(c, "Sign in", "")
	switch {
	case c.QueryParam("signed_out") != "":
		p.Flash = "You have signed out."
	case c.QueryParam("reset") != "":
		p.Flash = "Your password has been changed. Sign in with the new one."
	}
	p.Data = loginPage{Next: next}
	return c.Render(http.StatusOK, "login", p)
}

func (s *Server) login(c echo.Context) error {
	params, err := c.FormParams()
	if err != nil {
		return apperr.Wrapf(apperr.ErrBadRequest, "the form could not be read")
	}
	f, err := decodeLoginForm(params)
	if err == nil {
		var secret string
		var sess *auth.Session
		_, secret, sess, err = s.Auth.Login(c.Request().Context(), f.Email, f.Password,
			auth.Client{IP: c.RealIP(), UserAgent: c.Request().UserAgent()})
		if err == nil {
			// A new session id at every login: a session cookie planted
			// before it (fixation) never becomes a signed-in one.
			if old, cerr := c.Cookie(sessionCookie); cerr == nil {
				if err := s.Auth.EndSession(c.Request().Context(), old.Value); err != nil {
					return err
				}
			}
			s.setSessionCookie(c, secret, sess)
			// The next page mints a new CSRF token for the signed-in session.
			s.clearCookie(c, csrfCookie)
			return c.Redirect(http.StatusSeeOther, f.Next)
		}
	}
	status, _, msg := Status(err)
	if status >= http.StatusInternalServerError {
		return err
	}
	p := s.page(c, "Sign in", "")
	p.Error = msg
	p.Data = loginPage{Email: f.Email, Next: f.Next, Fields: fieldMessages(err)}
	return c.Render(status, "login", p)
}

func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := s.Auth.Logout(c.Request().Context(), actor(c), ck.Value); err != nil {
			return err
		}
	}
	s.clearCookie(c, sessionCookie)
	s.clearCookie(c, csrfCookie)
	return c.Redirect(http.StatusSeeOther, "/login?signed_out=1")
}

// fieldMessages maps a validation error's fields to their messages, for
// forms that show each beside its input.
func fieldMessages(err error) map[string]string {
	fields := apperr.Fields(err)
	if len(fields) == 0 {
		return nil
	}
	m := make(map[string]string, len(fields))
	for _, f := range fields {
		if _, seen := m[f.Path]; !seen {
			m[f.Path] = strings.TrimSpace(f.Message)
		}
	}
	return m
}
