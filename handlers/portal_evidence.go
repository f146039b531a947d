package handlers

import (
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/assayhq/assay/apperr"
	"github.com/labstack/echo/v4"
)

// portalMultipartSlack is what a multipart body adds around one file of
// the largest size: boundaries and part headers.
const portalMultipartSlack = 64 << 10

// portalUpload takes the files of one question posted without JavaScript
// (portal.js posts to the JSON API instead, one file per request with its
// progress). Each part streams straight into the service: nothing is held
// whole in memory or written to a temporary file.
func (s *Server) portalUpload(c echo.Context) error {
	ctx, token := c.Request().Context(), c.Param("token")
	qid := c.QueryParam("question_id")
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return apperr.Wrapf(apperr.ErrBadRequest, "the upload could not be read: choose a file and try again")
	}
	n := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return s.portalUploadRefused(c, qid, err)
		}
		// A file input left empty still sends a part, with no name.
		if part.FormName() != "file" || part.FileName() == "" {
			_ = part.Close()
			continue
		}
		_, err = s.Assessments.Upload(ctx, portalActor(c), token, qid, part.FileName(), part)
		_ = part.Close()
		if err != nil {
			return s.portalUploadRefused(c, qid, err)
		}
		n++
	}
	if n == 0 {
		return s.portalUploadRefused(c, qid, apperr.Field(qid, "Choose a file to upload first."))
	}
	return s.portalBackTo(c, qid, "uploaded")
}

// portalUploadRefused shows the section again with the reason beside the
// question, with the status the error maps to; a link that no longer works
// gets its own page.
func (s *Server) portalUploadRefused(c echo.Context, qid string, cause error) error {
	status, _, msg := Status(cause)
	if status == http.StatusNotFound || status == http.StatusGone || status >= 500 {
		return s.portalFail(c, cause)
	}
	a, ev, v, err := s.portalLoad(c)
	if err != nil {
		return s.portalFail(c, err)
	}
	sec := portalSectionOf(a.Template, qid)
	if sec.ID == "" {
		return cause
	}
	if err := v.withSection(a, ev, sec.ID, nil, map[string]string{qid: "Not uploaded: " + msg}); err != nil {
		return err
	}
	p := s.page(c, v.Section.Title, "")
	p.Error = "The file was not uploaded: " + msg
	p.Data = v
	return c.Render(status, "portal/section", p)
}

// portalRemoveEvidence is the Remove button without JavaScript.
func (s *Server) portalRemoveEvidence(c echo.Context) error {
	a, ev, _, err := s.portalLoad(c)
	if err != nil {
		return s.portalFail(c, err)
	}
	eid, qid := c.Param("eid"), ""
	for _, e := range ev {
		if e.ID == eid {
			qid = e.QuestionID
		}
	}
	if qid == "" {
		return apperr.Wrapf(apperr.ErrNotFound, "this file is not part of the questionnaire (it may have been removed already)")
	}
	if err := s.Assessments.RemoveEvidence(c.Request().Context(), portalActor(c), c.Param("token"), eid); err != nil {
		return s.portalFail(c, err)
	}
	if portalSectionOf(a.Template, qid).ID == "" {
		return c.Redirect(http.StatusSeeOther, portalBase(c.Param("token")))
	}
	return s.portalBackTo(c, qid, "removed")
}

// portalBackTo redirects to question qid on its section page.
func (s *Server) portalBackTo(c echo.Context, qid, message string) error {
	a, err := s.Assessments.Portal(c.Request().Context(), c.Param("token"))
	if err != nil {
		return s.portalFail(c, err)
	}
	sec := portalSectionOf(a.Template, qid)
	return c.Redirect(http.StatusSeeOther, portalBase(c.Param("token"))+"/s/"+url.PathEscape(sec.ID)+"?m="+message+"#q-"+url.PathEscape(qid))
}

// portalDownload gives the supplier back a file they uploaded, always as
// an attachment: served inline, an HTML or SVG upload would run on Assay's
// origin.
func (s *Server) portalDownload(c echo.Context) error {
	rc, e, err := s.Assessments.OpenSupplierEvidence(c.Request().Context(), c.Param("token"), c.Param("eid"))
	if err != nil {
		return s.portalFail(c, err)
	}
	defer rc.Close()
	return streamAttachment(c, e, rc)
}
