package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/frontend"
	"github.com/labstack/echo/v4"
)

// errorBody is the API's error shape (shared/design/api.md).
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string              `json:"code"`
	Message string              `json:"message"`
	Fields  []apperr.FieldError `json:"fields,omitempty"`
}

var kinds = []struct {
	err    error
	status int
	code   string
}{
	{apperr.ErrBadRequest, http.StatusBadRequest, "bad_request"},
	{apperr.ErrUnauthorized, http.StatusUnauthorized, "unauthorized"},
	{apperr.ErrForbidden, http.StatusForbidden, "forbidden"},
	{apperr.ErrNotFound, http.StatusNotFound, "not_found"},
	{apperr.ErrConflict, http.StatusConflict, "conflict"},
	{apperr.ErrGone, http.StatusGone, "expired"},
	{apperr.ErrTooLarge, http.StatusRequestEntityTooLarge, "too_large"},
	{apperr.ErrUnsupportedMedia, http.StatusUnsupportedMediaType, "unsupported_media_type"},
	{apperr.ErrRateLimited, http.StatusTooManyRequests, "rate_limited"},
	{apperr.ErrUnavailable, http.StatusServiceUnavailable, "unavailable"},
}

// Status maps an error to its HTTP status, API code and the message safe to
// show. Unknown errors are 500 with a generic message: their text may hold
// internals.
func Status(err error) (int, string, string) {
	var v *apperr.Validation
	if errors.As(err, &v) {
		return http.StatusUnprocessableEntity, "invalid", v.Message
	}
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the request is larger than the %s this page accepts", humanLimit(maxErr.Limit))
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok {
			msg = m
		}
		return he.Code, strings.ToLower(strings.ReplaceAll(http.StatusText(he.Code), " ", "_")), msg
	}
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			return k.status, k.code, err.Error()
		}
	}
	return http.StatusInternalServerError, "internal", "something went wrong on our side; it has been logged"
}

func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, code, msg := Status(err)
	if status >= 500 {
		s.Log.Error("request failed", "route", c.Path(), "err", err)
	}
	if wantsJSON(c) {
		body := errorBody{Error: errorDetail{Code: code, Message: msg, Fields: apperr.Fields(err)}}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		_ = c.JSON(status, body)
		return
	}
	page := s.page(c, http.StatusText(status), "")
	page.Data = map[string]any{"Message": msg, "Fields": apperr.Fields(err)}
	if rerr := c.Render(status, "error", page); rerr != nil {
		s.Log.Error("rendering error page", "err", rerr)
		_ = c.String(status, msg)
	}
}

func wantsJSON(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/readyz" ||
		strings.Contains(c.Request().Header.Get(echo.HeaderAccept), echo.MIMEApplicationJSON)
}

// page builds the layout data of a page; the signed-in user and the CSRF
// token, when the request has them, come from the context.
func (s *Server) page(c echo.Context, title, nav string) frontend.Page {
	p := frontend.Page{Title: title, Nav: nav, Company: s.Config.CompanyName}
	if u := currentUser(c); u != nil {
		p.User = u
	}
	if tok, ok := c.Get(csrfContextKey).(string); ok {
		p.CSRF = tok
	}
	return p
}

func humanLimit(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
