package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/questionnaires"
	"github.com/labstack/echo/v4"
)

// The supplier portal (/q/{token}) is the HTML face of the assessments
// service for whoever holds an emailed link: no account, the token is the
// key. Every page also works without JavaScript; portal.js only saves
// sooner and shows follow-up questions without a reload.
func init() {
	register(func(s *Server) {
		limit := s.portalLimit()
		s.public(http.MethodGet, "/q/:token", s.portalStart, limit)
		s.public(http.MethodPost, "/q/:token", s.portalSaveClarifications, limit)
		s.public(http.MethodPost, "/q/:token/prefill", s.portalPrefill, limit)
		s.public(http.MethodGet, "/q/:token/s/:section", s.portalSectionPage, limit)
		s.public(http.MethodPost, "/q/:token/s/:section", s.portalSaveSection, limit)
		s.public(http.MethodGet, "/q/:token/review", s.portalReview, limit)
		s.public(http.MethodPost, "/q/:token/submit", s.portalSubmit, limit)
		s.public(http.MethodGet, "/q/:token/answers.csv", s.portalCSV, limit)
		s.public(http.MethodPost, "/q/:token/evidence", s.portalUpload, limit)
		s.allowBody("/q/:token/evidence", s.Config.MaxUploadBytes()+portalMultipartSlack)
		s.public(http.MethodGet, "/q/:token/evidence/:eid", s.portalDownload, limit)
		s.public(http.MethodPost, "/q/:token/evidence/:eid/delete", s.portalRemoveEvidence, limit)
		s.public(http.MethodGet, "/assets/visibility.js", serveVisibilityJS)
	})
}

// portalActor is the audit actor of a supplier request: the link holder,
// known only by address.
func portalActor(c echo.Context) audit.Actor {
	return audit.Actor{Kind: audit.KindSupplier, IP: c.RealIP()}
}

// portalBase is the path every link of a supplier page starts with.
func portalBase(token string) string { return "/q/" + url.PathEscape(token) }

// portalLoad opens the link's assessment with its files and builds the
// parts every page shares.
func (s *Server) portalLoad(c echo.Context) (*assessments.Assessment, []assessments.Evidence, *portalView, error) {
	ctx := c.Request().Context()
	token := c.Param("token")
	a, err := s.Assessments.Portal(ctx, token)
	if err != nil {
		return nil, nil, nil, err
	}
	ev := a.Files
	v, err := newPortalView(portalInput{token: token, company: s.Config.CompanyName, a: a, evidence: ev, maxBytes: s.Config.MaxUploadBytes()})
	if err != nil {
		return nil, nil, nil, err
	}
	return a, ev, v, nil
}

// portalFail shows an expired link its own page, which tells the supplier
// how to get a new one; every other error goes to the common handler.
func (s *Server) portalFail(c echo.Context, err error) error {
	if !errors.Is(err, apperr.ErrGone) || wantsJSON(c) {
		return err
	}
	status, _, _ := Status(err)
	return c.Render(status, "portal/expired", s.page(c, "Link expired", ""))
}

// renderPortal renders a supplier page with the flash message the
// redirect that led here asked for.
func (s *Server) renderPortal(c echo.Context, status int, name, title string, v *portalView) error {
	p := s.page(c, title, "")
	p.Flash = portalFlash(c.QueryParams())
	p.Data = v
	return c.Render(status, name, p)
}

// portalFlash turns the m parameter of a redirect into its message; only
// these fixed texts are ever shown, never text from the URL.
func portalFlash(q url.Values) string {
	switch q.Get("m") {
	case "saved":
		return "Your answers were saved."
	case "more":
		return "Your answers opened further questions in this section: please answer them too."
	case "uploaded":
		return "Your file was uploaded."
	case "removed":
		return "The file was removed."
	case "prefilled":
		n, _ := strconv.Atoi(q.Get("n"))
		if n == 0 {
			return "There was nothing to carry over from your last assessment."
		}
		return strconv.Itoa(n) + " answers and files were carried over from your last assessment: please confirm or change each one."
	}
	return ""
}

func (s *Server) portalStart(c echo.Context) error {
	a, ev, v, err := s.portalLoad(c)
	if err != nil {
		return s.portalFail(c, err)
	}
	if v.Clarify {
		// After a reviewer's question the link opens on just the reopened
		// questions, editable here; the rest stays readable by section.
		v.withReopened(a, ev, nil, nil)
		return s.renderPortal(c, http.StatusOK, "portal/section", "Questions to answer again", v)
	}
	return s.renderPortal(c, http.StatusOK, "portal/start", a.Template.Title, v)
}

// portalSaveClarifications saves the reopened questions posted from the
// start page without JavaScript, one section at a time as the service
// saves them.
func (s *Server) portalSaveClarifications(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return apperr.Wrapf(apperr.ErrBadRequest, "the form could not be read")
	}
	ctx, token := c.Request().Context(), c.Param("token")
	a, err := s.Assessments.Portal(ctx, token)
	if err != nil {
		return s.portalFail(c, err)
	}
	var fields []apperr.FieldError
	for _, sec := range a.Template.Sections {
		if !portalReopenedIn(a, sec) {
			continue
		}
		_, err := s.Assessments.SaveForm(ctx, portalActor(c), token, sec.ID, form)
		if f := apperr.Fields(err); len(f) > 0 {
			fields = append(fields, f...)
		} else if err != nil {
			return s.portalFail(c, err)
		}
	}
	if len(fields) > 0 {
		return s.portalRefused(c, "", form, apperr.Invalid("some answers were not saved", fields...))
	}
	return c.Redirect(http.StatusSeeOther, portalBase(token)+"/review?m=saved")
}

func portalReopenedIn(a *assessments.Assessment, sec questionnaires.Section) bool {
	for _, q := range sec.Questions {
		if _, ok := a.Reopened[q.ID]; ok {
			return true
		}
	}
	return false
}

func (s *Server) portalPrefill(c echo.Context) error {
	token := c.Param("token")
	n, err := s.Assessments.StartFromPrevious(c.Request().Context(), portalActor(c), token)
	if err != nil {
		return s.portalFail(c, err)
	}
	return c.Redirect(http.StatusSeeOther, portalBase(token)+"?m=prefilled&n="+strconv.Itoa(n))
}

func (s *Server) portalSectionPage(c echo.Context) error {
	a, ev, v, err := s.portalLoad(c)
	if err != nil {
		return s.portalFail(c, err)
	}
	if err := v.withSection(a, ev, c.Param("section"), nil, nil); err != nil {
		return err
	}
	return s.renderPortal(c, http.StatusOK, "portal/section", v.Section.Title, v)
}

// portalSaveSection is "Save and continue" without JavaScript: the whole
// section in one post, then the next section, or this one again when the
// answers opened follow-up questions here or some were refused.
func (s *Server) portalSaveSection(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return apperr.Wrapf(apperr.ErrBadRequest, "the form could not be read")
	}
	ctx, token, section := c.Request().Context(), c.Param("token"), c.Param("section")
	before, err := s.Assessments.Portal(ctx, token)
	if err != nil {
		return s.portalFail(c, err)
	}
	res, err := s.Assessments.SaveForm(ctx, portalActor(c), token, section, form)
	if len(apperr.Fields(err)) > 0 {
		return s.portalRefused(c, section, form, err)
	}
	if err != nil {
		return s.portalFail(c, err)
	}
	base := portalBase(token)
	here := base + "/s/" + url.PathEscape(section)
	if q := form.Get("confirm"); q != "" {
		return c.Redirect(http.StatusSeeOther, here+"?m=saved#q-"+url.PathEscape(q))
	}
	if q := portalAppeared(before, section, res.Visible); q != "" {
		return c.Redirect(http.StatusSeeOther, here+"?m=more#q-"+url.PathEscape(q))
	}
	if next := portalNextSection(before.Template, section, res.Visible); next != "" {
		return c.Redirect(http.StatusSeeOther, base+"/s/"+url.PathEscape(next)+"?m=saved")
	}
	return c.Redirect(http.StatusSeeOther, base+"/review?m=saved")
}

// portalRefused shows the page of a refused no-JS save again with each
// message beside its field and the refused values as typed; the valid
// answers of the same post are saved. An empty section is the start page
// of clarification mode.
func (s *Server) portalRefused(c echo.Context, section string, form url.Values, cause error) error {
	a, ev, v, err := s.portalLoad(c)
	if err != nil {
		return s.portalFail(c, err)
	}
	fields := portalFieldMap(apperr.Fields(cause))
	title := "Questions to answer again"
	if section == "" {
		v.withReopened(a, ev, form, fields)
	} else {
		if err := v.withSection(a, ev, section, form, fields); err != nil {
			return err
		}
		title = v.Section.Title
	}
	status, _, _ := Status(cause)
	p := s.page(c, title, "")
	p.Error = "Some answers were not saved: see the message beside each. Your other answers were saved."
	p.Data = v
	return c.Render(status, "portal/section", p)
}

// portalAppeared returns the first question of section that the save made
// visible, so that a browser without live show/hide comes back to it.
func portalAppeared(before *assessments.Assessment, section string, visible []string) string {
	was := questionnaires.Visible(before.Template, before.AnswerValues())
	now := make(map[string]bool, len(visible))
	for _, id := range visible {
		now[id] = true
	}
	for _, sec := range before.Template.Sections {
		if sec.ID != section {
			continue
		}
		for _, q := range sec.Questions {
			if now[q.ID] && !was[q.ID] {
				return q.ID
			}
		}
	}
	return ""
}

// portalNextSection returns the section after section with a visible
// question, or "" after the last.
func portalNextSection(t *questionnaires.Template, section string, visible []string) string {
	now := make(map[string]bool, len(visible))
	for _, id := range visible {
		now[id] = true
	}
	passed := false
	for _, sec := range t.Sections {
		if passed {
			for _, q := range sec.Questions {
				if now[q.ID] {
					return sec.ID
				}
			}
		}
		if sec.ID == section {
			passed = true
		}
	}
	return ""
}
