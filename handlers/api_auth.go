package handlers

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/auth"
	"github.com/labstack/echo/v4"
)

func init() {
	register(func(s *Server) {
		s.public(http.MethodPost, "/api/v1/auth/token", s.apiIssueToken)
	})
}

type tokenRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type tokenResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// apiIssueToken trades an email and password for a bearer token, throttled
// like the login form.
func (s *Server) apiIssueToken(c echo.Context) error {
	var req tokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var fields []apperr.FieldError
	if req.Email == "" {
		fields = append(fields, apperr.FieldError{Path: "email", Message: "required"})
	}
	if req.Password == "" {
		fields = append(fields, apperr.FieldError{Path: "password", Message: "required"})
	}
	if len(fields) > 0 {
		return apperr.Invalid("email and password are required", fields...)
	}
	secret, tok, err := s.Auth.IssueToken(c.Request().Context(), req.Email, req.Password,
		auth.Client{IP: c.RealIP(), UserAgent: c.Request().UserAgent()})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, tokenResponse{Token: secret, ExpiresAt: tok.ExpiresAt.UTC()})
}

// decodeJSON reads a JSON request body into v: 415 for another media type,
// 400 for malformed JSON.
func decodeJSON(c echo.Context, v any) error {
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationJSON {
		return apperr.Wrapf(apperr.ErrUnsupportedMedia, "send the body as application/json")
	}
	dec := json.NewDecoder(c.Request().Body)
	if err := dec.Decode(v); err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return err
		}
		if errors.Is(err, io.EOF) {
			return apperr.Wrapf(apperr.ErrBadRequest, "the request body is empty")
		}
		return apperr.Wrapf(apperr.ErrBadRequest, "the body is not valid JSON: %v", err)
	}
	return nil
}
