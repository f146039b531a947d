package handlers

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/storage/blobs"
	"github.com/labstack/echo/v4"
)

func (s *Server) portalReview(c echo.Context) error {
	a, ev, v, err := s.portalLoad(c)
	if err != nil {
		return s.portalFail(c, err)
	}
	v.withMissing(a, ev)
	return s.renderPortal(c, http.StatusOK, "portal/review", "Review and submit", v)
}

// portalSubmit hands the answers over; a refusal shows the review page
// again with the questions still open, as the service named them.
func (s *Server) portalSubmit(c echo.Context) error {
	token := c.Param("token")
	err := s.Assessments.Submit(c.Request().Context(), portalActor(c), token)
	if fields := apperr.Fields(err); len(fields) > 0 {
		a, _, v, lerr := s.portalLoad(c)
		if lerr != nil {
			return s.portalFail(c, lerr)
		}
		v.withMissingFields(a, fields)
		status, _, msg := Status(err)
		p := s.page(c, "Review and submit", "")
		p.Error = "Not submitted yet: " + msg + "."
		p.Data = v
		return c.Render(status, "portal/review", p)
	}
	if err != nil {
		return s.portalFail(c, err)
	}
	return c.Redirect(http.StatusSeeOther, portalBase(token))
}

// portalCSV lets the supplier keep a copy of what they answered: one row
// per visible question, with the files and their SHA-256 so the copy can be
// matched against what was received.
func (s *Server) portalCSV(c echo.Context) error {
	a, ev, _, err := s.portalLoad(c)
	if err != nil {
		return s.portalFail(c, err)
	}
	body, err := portalAnswersCSV(a, ev)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s answers %s.csv", a.VendorName, a.TemplateKey)
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, blobs.ContentDisposition(name))
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", body)
}

func portalAnswersCSV(a *assessments.Assessment, ev []assessments.Evidence) ([]byte, error) {
	answers := a.AnswerValues()
	vis := questionnaires.Visible(a.Template, answers)
	files := map[string][]string{}
	for _, e := range ev {
		files[e.QuestionID] = append(files[e.QuestionID], fmt.Sprintf("%s (%d bytes, sha256 %s)", e.Filename, e.Size, e.SHA256))
	}
	var b bytes.Buffer
	// A byte-order mark makes spreadsheet programs read the file as UTF-8.
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"question_id", "section", "question", "answer", "evidence"})
	for _, sec := range a.Template.Sections {
		for _, q := range sec.Questions {
			if !vis[q.ID] {
				continue
			}
			_ = w.Write([]string{q.ID, portalCell(sec.Title), portalCell(q.Text),
				portalCell(portalDisplay(q, answers[q.ID])), portalCell(strings.Join(files[q.ID], "; "))})
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// portalCell defuses a value a spreadsheet would run as a formula: the
// supplier's own answers must not become commands in their spreadsheet.
func portalCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
