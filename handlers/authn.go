package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/auth"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Cookie names. The session cookie holds a 256-bit secret whose SHA-256 is
// the session's id in the database.
const (
	sessionCookie = "assay_session"
	csrfCookie    = "assay_csrf"
	csrfHeader    = "X-CSRF-Token"
	homePath      = "/app/"
)

func init() {
	register(func(s *Server) {
		// c.RealIP feeds the per-address login throttle and the audit log,
		// so a client must not choose it: X-Forwarded-For is believed only
		// from loopback and private-network peers (a reverse proxy).
		s.e.IPExtractor = echo.ExtractIPFromXFFHeader()
	})
}

// withSession signs the request in from the session cookie. Without a
// usable session, pages redirect to the login form (which comes back here
// afterwards) and JSON callers get 401.
func (s *Server) withSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.signInFromCookie(c); err != nil {
			if !errors.Is(err, apperr.ErrUnauthorized) || wantsJSON(c) {
				return err
			}
			s.clearCookie(c, sessionCookie)
			target := "/login"
			if m := c.Request().Method; m == http.MethodGet || m == http.MethodHead {
				target += "?next=" + url.QueryEscape(c.Request().URL.RequestURI())
			}
			return c.Redirect(http.StatusSeeOther, target)
		}
		return next(c)
	}
}

// signInFromCookie puts the session's user in the context.
func (s *Server) signInFromCookie(c echo.Context) error {
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return apperr.Wrapf(apperr.ErrUnauthorized, "please sign in")
	}
	u, sess, err := s.Auth.Authenticate(c.Request().Context(), ck.Value)
	if err != nil {
		return err
	}
	c.Set(userContextKey, u)
	c.Set(sessionContextKey, sess)
	return nil
}

// withCSRF checks the CSRF token of every unsafe staff form or script call
// against the CSRF cookie (double submit), and puts the token in the
// context for the page's forms and its csrf-token meta tag.
func (s *Server) withCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return csrfMiddleware(formOrHeader, s.Config.TLS())(next)
}

// withBearer signs an API request in from its bearer token. The UI's own
// scripts call the API with the session cookie instead; they must then
// send the CSRF token in the X-CSRF-Token header on unsafe methods, since a
// cookie alone proves nothing about who built the request.
func (s *Server) withBearer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
			tok, ok := auth.ParseBearer(h)
			if !ok {
				return s.unauthorizedAPI(c, "the Authorization header must be \"Bearer <token>\" with an Assay API token")
			}
			u, err := s.Auth.TokenUser(c.Request().Context(), tok)
			if err != nil {
				if errors.Is(err, apperr.ErrUnauthorized) {
					return s.unauthorizedAPI(c, err.Error())
				}
				return err
			}
			c.Set(userContextKey, u)
			return next(c)
		}
		if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
			if err := s.signInFromCookie(c); err != nil {
				return err
			}
			return csrfMiddleware(headerOnly, s.Config.TLS())(next)(c)
		}
		return s.unauthorizedAPI(c, "send an API token: Authorization: Bearer <token> (POST /api/v1/auth/token issues one)")
	}
}

func (s *Server) unauthorizedAPI(c echo.Context, msg string) error {
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="assay"`)
	return apperr.Wrapf(apperr.ErrUnauthorized, "%s", msg)
}

type csrfLookup int

const (
	formOrHeader csrfLookup = iota // staff forms and pages
	headerOnly                     // scripts calling the API with the session cookie
)

type csrfVariant struct {
	lookup csrfLookup
	secure bool
}

// csrfMiddlewares are built once: Echo parses the lookup on construction.
var csrfMiddlewares = sync.OnceValue(func() map[csrfVariant]echo.MiddlewareFunc {
	m := map[csrfVariant]echo.MiddlewareFunc{}
	lookups := map[csrfLookup]string{formOrHeader: "form:_csrf,header:" + csrfHeader, headerOnly: "header:" + csrfHeader}
	for kind, lookup := range lookups {
		for _, secure := range []bool{false, true} {
			m[csrfVariant{kind, secure}] = middleware.CSRFWithConfig(middleware.CSRFConfig{
				TokenLookup:    lookup,
				ContextKey:     csrfContextKey,
				CookieName:     csrfCookie,
				CookiePath:     "/",
				CookieHTTPOnly: true,
				CookieSecure:   secure,
				// Lax, not Strict: a Strict cookie is withheld when someone
				// follows a link from a mail, which would mint a new token
				// and break forms already open in other tabs.
				CookieSameSite: http.SameSiteLaxMode,
				ErrorHandler: func(error, echo.Context) error {
					return apperr.Wrapf(apperr.ErrForbidden, "this form has expired or did not come from Assay; reload the page and try again")
				},
			})
		}
	}
	return m
})

func csrfMiddleware(kind csrfLookup, secure bool) echo.MiddlewareFunc {
	return csrfMiddlewares()[csrfVariant{kind, secure}]
}

// setSessionCookie hands the browser its session secret.
func (s *Server) setSessionCookie(c echo.Context, secret string, sess *auth.Session) {
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: secret, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, Secure: s.Config.TLS(), SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearCookie(c echo.Context, name string) {
	c.SetCookie(&http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.Config.TLS(), SameSite: http.SameSiteLaxMode})
}

// safeNext returns where to go after signing in: a local path only, so the
// login form cannot be used to send people to another site.
func safeNext(next string) string {
	if next == "" || len(next) > 2000 || next[0] != '/' || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n\t\x00") {
		return homePath
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") {
		return homePath
	}
	if u.Path == "/login" || u.Path == "/logout" || strings.HasPrefix(u.Path, "/reset") {
		return homePath
	}
	return next
}
