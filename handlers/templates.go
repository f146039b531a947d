package handlers

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/library"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/storage/blobs"
	"github.com/labstack/echo/v4"
)

// maxTemplateBytes bounds a template upload: the full ISO 27001 template is
// under 100 KB, so 2 MiB leaves room for any real questionnaire.
const maxTemplateBytes = 2 << 20

func init() {
	register(func(s *Server) {
		s.staffPage(http.MethodGet, "/app/templates", s.templatesList, anyStaff...)
		s.staffPage(http.MethodGet, "/app/templates/new", s.templateNew, adminsOnly...)
		s.staffPage(http.MethodPost, "/app/templates", s.templateUpload, adminsOnly...)
		s.allowBody("/app/templates", maxTemplateBytes)
		s.staffPage(http.MethodGet, "/app/templates/:key", s.templateShow, anyStaff...)
		// One route for the preview (/3) and the download (/3.yaml): Echo
		// cannot put a parameter and a suffix in one path segment.
		s.staffPage(http.MethodGet, "/app/templates/:key/:version", s.templateVersion, anyStaff...)
	})
}

type templatesListPage struct {
	Templates []library.Summary
	CanUpload bool
}

type templateShowPage struct {
	Latest    library.Summary
	Versions  []library.Summary
	CanUpload bool
}

type templatePreviewPage struct {
	library.Summary
	Description string
	Latest      int // the key's latest version, to say when this one is older
	Preview     library.Preview
}

// templateUploadPage is the upload form, and after a failed upload the
// submitted source with each problem beside its line.
type templateUploadPage struct {
	Source   string
	Lines    []sourceLine
	Problems []library.Problem
}

type sourceLine struct {
	N        int
	Text     string
	Problems []library.Problem
}

var templateFlash = map[string]string{
	"published": "The template is published. New assessments use this version; those already sent keep theirs.",
	"unchanged": "The upload is identical to the latest version, so no new version was published.",
}

func canUploadTemplates(c echo.Context) bool {
	return currentUser(c).Can(adminsOnly...)
}

func (s *Server) templatesList(c echo.Context) error {
	list, err := s.Library.List(c.Request().Context())
	if err != nil {
		return err
	}
	p := s.page(c, "Questionnaire templates", "templates")
	p.Data = templatesListPage{Templates: list, CanUpload: canUploadTemplates(c)}
	return c.Render(http.StatusOK, "templates/list", p)
}

func (s *Server) templateShow(c echo.Context) error {
	versions, err := s.Library.Versions(c.Request().Context(), c.Param("key"))
	if err != nil {
		return err
	}
	p := s.page(c, versions[0].Title, "templates")
	p.Data = templateShowPage{Latest: versions[0], Versions: versions, CanUpload: canUploadTemplates(c)}
	return c.Render(http.StatusOK, "templates/show", p)
}

func (s *Server) templateVersion(c echo.Context) error {
	param, download := strings.CutSuffix(c.Param("version"), ".yaml")
	version, err := strconv.Atoi(param)
	if err != nil || version < 1 {
		return apperr.Wrapf(apperr.ErrNotFound, "there is no version %q of the questionnaire template %q", c.Param("version"), c.Param("key"))
	}
	ctx := c.Request().Context()
	pub, err := s.Library.Get(ctx, c.Param("key"), version)
	if err != nil {
		return err
	}
	if download {
		return s.templateDownload(c, pub)
	}
	latest, err := s.Library.Versions(ctx, pub.Key)
	if err != nil {
		return err
	}
	p := s.page(c, fmt.Sprintf("%s (version %d)", pub.Title, pub.Version), "templates")
	p.Flash = templateFlash[c.QueryParam("done")]
	p.Data = templatePreviewPage{
		Summary: pub.Summary, Description: pub.Template.Description,
		Latest: latest[0].Version, Preview: library.NewPreview(pub.Template),
	}
	return c.Render(http.StatusOK, "templates/preview", p)
}

func (s *Server) templateDownload(c echo.Context, pub *library.Published) error {
	data, err := questionnaires.MarshalYAML(pub.Template)
	if err != nil {
		return fmt.Errorf("template %s version %d as YAML: %w", pub.Key, pub.Version, err)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, blobs.ContentDisposition(fmt.Sprintf("%s-v%d.yaml", pub.Key, pub.Version)))
	return c.Blob(http.StatusOK, "application/yaml; charset=utf-8", data)
}

func (s *Server) templateNew(c echo.Context) error {
	p := s.page(c, "Upload a questionnaire template", "templates")
	p.Data = templateUploadPage{}
	return c.Render(http.StatusOK, "templates/upload", p)
}

// templateUpload publishes a file chosen in the form, or else the pasted
// source. A template with problems comes back with its source and each
// problem beside its line, and nothing is published.
func (s *Server) templateUpload(c echo.Context) error {
	source, format, err := uploadedTemplate(c)
	if err != nil {
		return err
	}
	if strings.TrimSpace(source) == "" {
		p := s.page(c, "Upload a questionnaire template", "templates")
		p.Error = "Choose a template file or paste one, then upload it."
		p.Data = templateUploadPage{}
		return c.Render(http.StatusUnprocessableEntity, "templates/upload", p)
	}
	t, created, err := s.Library.Upload(c.Request().Context(), actor(c), []byte(source), format)
	var invalid *library.InvalidError
	if errors.As(err, &invalid) {
		p := s.page(c, "Upload a questionnaire template", "templates")
		p.Error = fmt.Sprintf("Nothing was published: %s. Each is shown below beside its line; fix them and upload again.", problemCount(len(invalid.Problems)))
		p.Data = templateUploadPage{Source: source, Lines: sourceLines(source, invalid.Problems), Problems: invalid.Problems}
		return c.Render(http.StatusUnprocessableEntity, "templates/upload", p)
	}
	if err != nil {
		return err
	}
	done := "published"
	if !created {
		done = "unchanged"
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/app/templates/%s/%d?done=%s", t.Key, t.Version, done))
}

// uploadedTemplate reads the chosen file, or the pasted text when no file
// was chosen, and the format its file name announces ("" detects).
func uploadedTemplate(c echo.Context) (source, format string, err error) {
	fh, err := c.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) || (err == nil && fh.Size == 0) {
		return c.FormValue("source"), "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("reading the uploaded template: %w", err)
	}
	f, err := fh.Open()
	if err != nil {
		return "", "", fmt.Errorf("reading the uploaded template: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return "", "", fmt.Errorf("reading the uploaded template: %w", err)
	}
	switch strings.ToLower(path.Ext(fh.Filename)) {
	case ".json":
		format = questionnaires.FormatJSON
	case ".yaml", ".yml":
		format = questionnaires.FormatYAML
	}
	return string(data), format, nil
}

func problemCount(n int) string {
	if n == 1 {
		return "the template has 1 problem"
	}
	return fmt.Sprintf("the template has %d problems", n)
}

// sourceLines numbers the submitted source and attaches each problem to its
// line; problems without a line are listed above the source only.
func sourceLines(source string, problems []library.Problem) []sourceLine {
	texts := strings.Split(strings.TrimSuffix(source, "\n"), "\n")
	lines := make([]sourceLine, len(texts))
	for i, text := range texts {
		lines[i] = sourceLine{N: i + 1, Text: strings.TrimSuffix(text, "\r")}
	}
	for _, p := range problems {
		if p.Line >= 1 && p.Line <= len(lines) {
			lines[p.Line-1].Problems = append(lines[p.Line-1].Problems, p)
		}
	}
	return lines
}
