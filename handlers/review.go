package handlers

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/vendors"
	"github.com/labstack/echo/v4"
)

// The review workspace: the queue of submitted assessments, the review of
// one assessment, its findings and its completion. Everyone on staff may
// read it; reviewers (and admins) act.
func init() {
	register(func(s *Server) {
		s.staffPage(http.MethodGet, "/app/reviews", s.reviewQueue, anyStaff...)
		s.staffPage(http.MethodGet, "/app/assessments/:id/review", s.reviewPage, anyStaff...)
		s.staffPage(http.MethodGet, "/app/assessments/:id/evidence/:eid", s.reviewEvidence, anyStaff...)
		s.staffPage(http.MethodPost, "/app/assessments/:id/questions/:qid/review", s.reviewQuestion, reviewers...)
		s.staffPage(http.MethodPost, "/app/assessments/:id/questions/:qid/clarification", s.reviewClarify, reviewers...)
		s.staffPage(http.MethodPost, "/app/assessments/:id/questions/:qid/override", s.reviewOverride, reviewers...)
		s.staffPage(http.MethodPost, "/app/assessments/:id/complete", s.reviewComplete, reviewers...)
		s.staffPage(http.MethodGet, "/app/assessments/:id/findings", s.reviewFindings, anyStaff...)
		s.staffPage(http.MethodPost, "/app/assessments/:id/findings/:control", s.reviewDecideFinding, reviewers...)
		s.staffPage(http.MethodPost, "/app/assessments/:id/findings/:control/remediation", s.reviewRemediation, reviewers...)
	})
}

const queuePerPage = 25

// queueRow is one line of the review queue.
type queueRow struct {
	ID, Vendor, Template string
	Version, Tier, Age   int
	Status               string
	Scored               bool
	Overall              float64
	Grade, Residual      string
}

type queuePage struct {
	Items       []queueRow
	Q, Status   string
	Tier        int
	Risk        string
	Tiers       []vendors.Tier
	Risks       []string
	Page, Pages int
	Total       int64
	Base        string
	Filtered    bool
}

// reviewStatuses are the statuses the queue shows: waiting for a reviewer,
// or waiting for the supplier's answer to a reviewer's question.
var reviewStatuses = []assessments.Status{assessments.StatusSubmitted, assessments.StatusClarificationRequested}

func (s *Server) reviewQueue(c echo.Context) error {
	d := queuePage{
		Q:      strings.TrimSpace(c.QueryParam("q")),
		Status: c.QueryParam("status"),
		Page:   max(atoiOr(c.QueryParam("page"), 1), 1),
		Tiers:  vendors.Tiers(),
		Risks:  vendors.RiskLevels(),
	}
	f := assessments.Filter{Q: d.Q, Page: d.Page, Per: queuePerPage, Sort: assessments.SortOldestSubmitted, Statuses: reviewStatuses}
	if st := assessments.Status(d.Status); st == assessments.StatusSubmitted || st == assessments.StatusClarificationRequested {
		f.Statuses = []assessments.Status{st}
	} else {
		d.Status = ""
	}
	tier := atoiOr(c.QueryParam("tier"), 0)
	for _, t := range d.Tiers {
		if t.Value == tier {
			d.Tier, f.Tier = tier, tier
		}
	}
	if r := c.QueryParam("risk"); vendors.RiskRank(r) > 0 {
		d.Risk, f.Residual = r, r
	}
	items, total, err := s.Assessments.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, a := range items {
		row := queueRow{ID: a.ID, Vendor: a.VendorName, Template: a.QuestionnaireTitle(), Version: a.TemplateVersion,
			Tier: a.VendorTier, Age: daysSince(a.SubmittedAt, now), Status: string(a.Status)}
		if a.Score != nil {
			row.Scored, row.Overall, row.Grade, row.Residual = true, a.Score.Overall, a.Score.Grade, string(a.Score.Risk.Residual)
		}
		d.Items = append(d.Items, row)
	}
	d.Total = total
	d.Pages = int(math.Ceil(float64(total) / queuePerPage))
	d.Filtered = d.Q != "" || d.Status != "" || d.Tier != 0 || d.Risk != ""
	q := url.Values{}
	if d.Tier != 0 {
		q.Set("tier", strconv.Itoa(d.Tier))
	}
	for k, v := range map[string]string{"q": d.Q, "status": d.Status, "risk": d.Risk} {
		if v != "" {
			q.Set(k, v)
		}
	}
	d.Base = "/app/reviews?"
	if len(q) > 0 {
		d.Base += q.Encode() + "&"
	}
	p := s.page(c, "Reviews", "reviews")
	p.Data = d
	return c.Render(http.StatusOK, "review/queue", p)
}

// atoiOr parses a query number, falling back to def for anything else: a
// hand-edited URL gets the default view rather than an error page.
func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return def
	}
	return n
}
