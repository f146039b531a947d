package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/questionnaires"
	"github.com/labstack/echo/v4"
)

// findingInputs are the inputs of a finding's decision form.
var findingInputs = []string{"treatment", "owner", "due_date", "status", "note"}

func (s *Server) reviewFindings(c echo.Context) error {
	d, err := s.loadReview(c, c.Param("id"))
	if err != nil {
		return err
	}
	d.Saved = c.QueryParam("saved")
	return s.renderFindings(c, http.StatusOK, d)
}

// maxOwners bounds the staff offered as owners; anyone else can be typed.
const maxOwners = 200

func (s *Server) renderFindings(c echo.Context, status int, d *reviewPage) error {
	if d.CanDecide {
		users, _, err := s.Auth.Users(c.Request().Context(), auth.UserFilter{Active: true, Per: maxOwners})
		if err != nil {
			return err
		}
		for _, u := range users {
			d.Owners = append(d.Owners, u.Email)
		}
	}
	p := s.page(c, "Findings: "+d.A.VendorName, "reviews")
	if ctl := c.QueryParam("sent"); ctl != "" {
		p.Flash = "The remediation request for " + ctl + " is on its way to " + d.A.ContactEmail + "."
	}
	p.Error = d.Problem
	p.Data = d
	return c.Render(status, "review/findings", p)
}

// reviewDecideFinding records the treatment of one finding.
func (s *Server) reviewDecideFinding(c echo.Context) error {
	id, control := c.Param("id"), c.Param("control")
	values := formValues(c, findingInputs...)
	fd := assessments.FindingDecision{
		Control:   control,
		Treatment: assessments.Treatment(values.Get("treatment")),
		Owner:     strings.TrimSpace(values.Get("owner")),
		Status:    values.Get("status"),
		Note:      strings.TrimSpace(values.Get("note")),
	}
	if raw := strings.TrimSpace(values.Get("due_date")); raw != "" {
		due, perr := time.Parse(questionnaires.DateLayout, raw)
		if perr != nil {
			msg := "Enter the due date as YYYY-MM-DD."
			return s.afterFinding(c, apperr.Invalid(msg, apperr.FieldError{Path: "due_date", Message: msg}), values)
		}
		fd.DueDate = due
	}
	err := s.Assessments.DecideFinding(c.Request().Context(), actor(c), id, fd)
	return s.afterFinding(c, err, values)
}

// reviewRemediation mails the vendor contact the mitigation asked for.
func (s *Server) reviewRemediation(c echo.Context) error {
	id, control := c.Param("id"), c.Param("control")
	if err := s.Assessments.SendRemediation(c.Request().Context(), actor(c), id, control); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/app/assessments/"+url.PathEscape(id)+"/findings?sent="+url.QueryEscape(control)+"#f-"+control)
}

func (s *Server) afterFinding(c echo.Context, err error, values url.Values) error {
	id, control := c.Param("id"), c.Param("control")
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/app/assessments/"+url.PathEscape(id)+"/findings?saved="+url.QueryEscape(control)+"#f-"+control)
	}
	f, ok := failure(err, control, "finding", values, findingInputs...)
	if !ok {
		return err
	}
	d, lerr := s.loadReview(c, id)
	if lerr != nil {
		return lerr
	}
	d.Failed = f
	if !d.hasFinding(control) {
		d.Problem = f.Message
	}
	return s.renderFindings(c, http.StatusUnprocessableEntity, d)
}

// hasFinding reports whether the page lists the finding of control.
func (d *reviewPage) hasFinding(control string) bool {
	for _, f := range d.Findings {
		if f.Control == control {
			return true
		}
	}
	return false
}
