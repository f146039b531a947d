package handlers

import (
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/library"
	"github.com/assayhq/assay/questionnaires"
	"github.com/labstack/echo/v4"
)

func init() {
	register(func(s *Server) {
		s.staffAPI(http.MethodGet, "/api/v1/templates", s.apiTemplatesList, anyStaff...)
		s.staffAPI(http.MethodPost, "/api/v1/templates", s.apiTemplatePublish, adminsOnly...)
		s.allowBody("/api/v1/templates", maxTemplateBytes)
	})
}

// templateJSON is a template in the API (shared/design/api.md).
type templateJSON struct {
	Key           string   `json:"key"`
	Version       int      `json:"version"`
	Title         string   `json:"title"`
	QuestionCount int      `json:"question_count"`
	Controls      []string `json:"controls"`
}

type publishedTemplateJSON struct {
	templateJSON
	Created bool `json:"created"` // false when the upload matched the latest version
}

func toTemplateJSON(s library.Summary) templateJSON {
	controls := s.Controls
	if controls == nil {
		controls = []string{}
	}
	return templateJSON{Key: s.Key, Version: s.Version, Title: s.Title, QuestionCount: s.QuestionCount, Controls: controls}
}

// templateMediaTypes are the bodies POST /api/v1/templates reads.
var templateMediaTypes = map[string]string{
	"application/yaml":   questionnaires.FormatYAML,
	"application/x-yaml": questionnaires.FormatYAML,
	"text/yaml":          questionnaires.FormatYAML,
	"application/json":   questionnaires.FormatJSON,
}

func (s *Server) apiTemplatesList(c echo.Context) error {
	list, err := s.Library.List(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]templateJSON, len(list))
	for i, sum := range list {
		out[i] = toTemplateJSON(sum)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiTemplatePublish(c echo.Context) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	mt, _, _ := mime.ParseMediaType(ct)
	format, ok := templateMediaTypes[mt]
	if !ok {
		return apperr.Wrapf(apperr.ErrUnsupportedMedia, "send the template as application/yaml or application/json, not %q", ct)
	}
	data, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return fmt.Errorf("reading the template: %w", err)
	}
	t, created, err := s.Library.Upload(c.Request().Context(), actor(c), data, format)
	if err != nil {
		return err
	}
	// 201 either way, as the API contract says; created tells whether a
	// new version exists or the upload matched the latest one.
	return c.JSON(http.StatusCreated, publishedTemplateJSON{templateJSON: toTemplateJSON(library.Summarize(t)), Created: created})
}
