package handlers

import (
	"net/http"
	"strconv"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/scoring"
	"github.com/assayhq/assay/storage/blobs"
	"github.com/labstack/echo/v4"
)

// reviewPage is the data of the review and findings pages.
type reviewPage struct {
	A             *assessments.Assessment
	TemplateTitle string
	Score         *scoring.Score
	Final         bool // the score is the one recorded at completion
	Sections      []reviewSection
	Themes        []themeScore
	Supplier      []controlLine
	Findings      []findingView
	// CanAct is true for a reviewer while the assessment is under review;
	// CanComplete only once the supplier has answered every clarification;
	// CanDecide also after completion, as mitigations progress.
	CanAct, CanComplete, CanDecide bool
	ReadOnly                       string // why the page is read-only, when it is
	Treatments                     []treatmentOption
	FindingStatuses                []string
	Owners                         []string // staff emails offered as finding owners
	Saved                          string   // the question or finding just changed
	Failed                         formFailure
	// Problem is a refusal no form on the page can show beside its
	// fields, such as an action on a question the page does not list.
	Problem string
}

// treatmentOption is one of the four ISO/IEC 27001 risk treatments as the
// forms offer it.
type treatmentOption struct{ Value, Label, Hint string }

var treatments = []treatmentOption{
	{string(assessments.TreatAccept), "Accept", "the risk is within appetite; nothing more is asked."},
	{string(assessments.TreatMitigate), "Mitigate", "the vendor must reduce the risk, with an owner and a due date."},
	{string(assessments.TreatTransfer), "Transfer", "the risk is shared through contract terms or insurance."},
	{string(assessments.TreatAvoid), "Avoid", "the vendor is not used for this service or data."},
}

var findingStatuses = []string{assessments.FindingOpen, assessments.FindingInProgress, assessments.FindingDone}

// loadReview gathers everything the review and findings pages show.
func (s *Server) loadReview(c echo.Context, id string) (*reviewPage, error) {
	ctx := c.Request().Context()
	a, err := s.Assessments.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	ev := a.Files
	sc := s.Assessments.ScoreOf(a, ev)
	changed, err := s.Assessments.ChangedSincePrevious(ctx, a)
	if err != nil {
		return nil, err
	}
	d := &reviewPage{
		A: a, Score: sc, Final: a.FinalScore != nil,
		Sections:        reviewSections(a, sc, ev, changed),
		Themes:          panelThemes(sc),
		Supplier:        panelSupplierControls(sc),
		Findings:        findingViews(a, sc),
		Treatments:      treatments,
		FindingStatuses: findingStatuses,
		TemplateTitle:   a.QuestionnaireTitle(),
	}
	reviewer := currentUser(c).Can(auth.RoleReviewer)
	completed := a.Status == assessments.StatusCompleted
	underReview := a.UnderReview()
	d.CanAct = reviewer && underReview
	d.CanComplete = reviewer && a.Status == assessments.StatusSubmitted
	d.CanDecide = reviewer && (underReview || completed)
	switch {
	case !reviewer:
		d.ReadOnly = "You can read this review; reviewers and admins act on it."
	case completed:
		d.ReadOnly = "This review is completed and read-only: answers, scores and the decision stay as they were decided."
	case !underReview:
		d.ReadOnly = "The supplier has not submitted this questionnaire yet: review actions open once it is submitted."
	}
	return d, nil
}

func (s *Server) reviewPage(c echo.Context) error {
	d, err := s.loadReview(c, c.Param("id"))
	if err != nil {
		return err
	}
	d.Saved = c.QueryParam("saved")
	return s.renderReview(c, http.StatusOK, d)
}

func (s *Server) renderReview(c echo.Context, status int, d *reviewPage) error {
	p := s.page(c, "Review: "+d.A.VendorName, "reviews")
	if c.QueryParam("done") == "completed" && d.A.Decision != nil {
		p.Flash = "The review is completed and " + d.A.VendorName + "'s current risk is updated."
	}
	p.Error = d.Problem
	p.Data = d
	return c.Render(status, "review/assessment", p)
}

// reviewEvidence streams an evidence file as a download. Files come from
// outside: served inline on Assay's origin, an HTML or SVG file could run
// script as the reviewer, so it is always an attachment of an opaque type,
// in a sandbox should a browser render it anyway.
func (s *Server) reviewEvidence(c echo.Context) error {
	rc, ev, err := s.Assessments.OpenEvidence(c.Request().Context(), actor(c), c.Param("id"), c.Param("eid"))
	if err != nil {
		return err
	}
	defer rc.Close()
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, blobs.ContentDisposition(ev.Filename))
	h.Set(echo.HeaderContentLength, strconv.FormatInt(ev.Size, 10))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	return c.Stream(http.StatusOK, "application/octet-stream", rc)
}
