package handlers

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/scoring"
	"github.com/assayhq/assay/storage/blobs"
	"github.com/labstack/echo/v4"
)

// The staff face of assessments in the JSON API (shared/design/api.md).
func init() {
	register(func(s *Server) {
		const base = "/api/v1/assessments"
		s.staffAPI(http.MethodPost, base, s.apiSendAssessment, procurement...)
		s.staffAPI(http.MethodGet, base, s.apiListAssessments, anyStaff...)
		s.staffAPI(http.MethodGet, base+"/:id", s.apiGetAssessment, anyStaff...)
		s.staffAPI(http.MethodPost, base+"/:id/resend", s.apiResendAssessment, procurement...)
		s.staffAPI(http.MethodPost, base+"/:id/revoke", s.apiRevokeAssessment, procurement...)
		s.staffAPI(http.MethodPost, base+"/:id/due_date", s.apiSetDueDate, procurement...)
		s.staffAPI(http.MethodGet, base+"/:id/answers", s.apiAssessmentAnswers, anyStaff...)
		s.staffAPI(http.MethodGet, base+"/:id/evidence", s.apiAssessmentEvidence, anyStaff...)
		s.staffAPI(http.MethodGet, base+"/:id/evidence/:eid", s.apiDownloadEvidence, anyStaff...)
		s.staffAPI(http.MethodGet, base+"/:id/score", s.apiAssessmentScore, anyStaff...)
		s.staffAPI(http.MethodPost, base+"/:id/clarifications", s.apiRequestClarification, reviewers...)
		s.staffAPI(http.MethodPut, base+"/:id/reviews/:qid", s.apiReviewQuestion, reviewers...)
		s.staffAPI(http.MethodPost, base+"/:id/findings", s.apiDecideFinding, reviewers...)
		s.staffAPI(http.MethodPost, base+"/:id/findings/:control/remediation", s.apiSendRemediation, reviewers...)
		s.staffAPI(http.MethodPost, base+"/:id/complete", s.apiCompleteAssessment, reviewers...)
	})
}

// assessmentJSON is an assessment as the API shows it.
type assessmentJSON struct {
	ID           string                `json:"id"`
	VendorID     string                `json:"vendor_id"`
	VendorName   string                `json:"vendor_name"`
	Template     templateRefJSON       `json:"template"`
	Status       assessments.Status    `json:"status"`
	ContactName  string                `json:"contact_name,omitempty"`
	ContactEmail string                `json:"contact_email"`
	DueDate      string                `json:"due_date"`
	ExpiresAt    time.Time             `json:"expires_at"`
	Progress     progressJSON          `json:"progress"`
	Score        *scoreSummaryJSON     `json:"score,omitempty"`
	Decision     *assessments.Decision `json:"decision,omitempty"`
	PreviousID   string                `json:"previous_id,omitempty"`
	CreatedAt    time.Time             `json:"created_at"`
	SubmittedAt  *time.Time            `json:"submitted_at"`
	CompletedAt  *time.Time            `json:"completed_at,omitempty"`
}

type templateRefJSON struct {
	Key     string `json:"key"`
	Version int    `json:"version"`
	Title   string `json:"title,omitempty"`
}

type progressJSON struct {
	Answered int `json:"answered"`
	Required int `json:"required"`
	Total    int `json:"total"`
}

type scoreSummaryJSON struct {
	Overall  float64       `json:"overall"`
	Grade    string        `json:"grade"`
	Residual scoring.Level `json:"residual"`
}

func progressOf(p questionnaires.ProgressCounts) progressJSON {
	return progressJSON{Answered: p.Answered, Required: p.Required, Total: p.Total}
}

// optionalTime is null in JSON for a time that has not happened.
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func apiDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(questionnaires.DateLayout)
}

func assessmentView(a *assessments.Assessment) assessmentJSON {
	out := assessmentJSON{
		ID: a.ID, VendorID: a.VendorID, VendorName: a.VendorName,
		Template: templateRefJSON{Key: a.TemplateKey, Version: a.TemplateVersion},
		Status:   a.Status, ContactName: a.ContactName, ContactEmail: a.ContactEmail,
		DueDate: apiDate(a.DueDate), ExpiresAt: a.ExpiresAt.UTC(), Progress: progressOf(a.Progress),
		Decision: a.Decision, PreviousID: a.PreviousID, CreatedAt: a.CreatedAt.UTC(),
		SubmittedAt: optionalTime(a.SubmittedAt), CompletedAt: optionalTime(a.CompletedAt),
	}
	// Lists come without the template snapshot; the title sent is kept on
	// the assessment itself. The key is no title, so it is left out.
	if t := a.QuestionnaireTitle(); t != a.TemplateKey {
		out.Template.Title = t
	}
	sc := a.FinalScore
	if sc == nil {
		sc = a.Score
	}
	if sc != nil {
		out.Score = &scoreSummaryJSON{Overall: sc.Overall, Grade: sc.Grade, Residual: sc.Risk.Residual}
	}
	return out
}

// apiDateParam reads a YYYY-MM-DD date of a request body.
func apiDateParam(path, v string) (time.Time, error) {
	if strings.TrimSpace(v) == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(questionnaires.DateLayout, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, apperr.Field(path, "Give the date as YYYY-MM-DD.")
	}
	return t, nil
}

func (s *Server) apiSendAssessment(c echo.Context) error {
	var in struct {
		VendorID     string `json:"vendor_id"`
		TemplateKey  string `json:"template_key"`
		ContactName  string `json:"contact_name"`
		ContactEmail string `json:"contact_email"`
		DueDate      string `json:"due_date"`
		Message      string `json:"message"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	due, err := apiDateParam("due_date", in.DueDate)
	if err != nil {
		return err
	}
	a, err := s.Assessments.Send(c.Request().Context(), actor(c), assessments.SendRequest{
		VendorID: in.VendorID, TemplateKey: in.TemplateKey, ContactName: in.ContactName,
		ContactEmail: in.ContactEmail, DueDate: due, Message: in.Message,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, assessmentView(a))
}

func (s *Server) apiListAssessments(c echo.Context) error {
	q := c.QueryParams()
	f := assessments.Filter{VendorID: q.Get("vendor_id"), Q: q.Get("q"), Sort: q.Get("sort")}
	for _, st := range strings.Split(q.Get("status"), ",") {
		if st = strings.TrimSpace(st); st != "" {
			f.Statuses = append(f.Statuses, assessments.Status(st))
		}
	}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.Per, _ = strconv.Atoi(q.Get("per_page"))
	items, total, err := s.Assessments.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := make([]assessmentJSON, len(items))
	for i := range items {
		out[i] = assessmentView(&items[i])
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out, "total": total})
}

func (s *Server) apiGetAssessment(c echo.Context) error {
	a, err := s.Assessments.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, assessmentView(a))
}

// apiAfterChange answers a state change with the assessment as it is now.
func (s *Server) apiAfterChange(c echo.Context, status int, err error) error {
	if err != nil {
		return err
	}
	a, err := s.Assessments.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(status, assessmentView(a))
}

func (s *Server) apiResendAssessment(c echo.Context) error {
	return s.apiAfterChange(c, http.StatusOK, s.Assessments.Resend(c.Request().Context(), actor(c), c.Param("id")))
}

func (s *Server) apiRevokeAssessment(c echo.Context) error {
	return s.apiAfterChange(c, http.StatusOK, s.Assessments.Revoke(c.Request().Context(), actor(c), c.Param("id")))
}

func (s *Server) apiSetDueDate(c echo.Context) error {
	var in struct {
		DueDate string `json:"due_date"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	due, err := apiDateParam("due_date", in.DueDate)
	if err != nil {
		return err
	}
	return s.apiAfterChange(c, http.StatusOK, s.Assessments.SetDueDate(c.Request().Context(), actor(c), c.Param("id"), due))
}

// evidenceJSON is one file as the API lists it.
type evidenceJSON struct {
	ID          string    `json:"id"`
	QuestionID  string    `json:"question_id"`
	Filename    string    `json:"filename"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	ContentType string    `json:"content_type"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

func evidenceView(e assessments.Evidence) evidenceJSON {
	return evidenceJSON{ID: e.ID, QuestionID: e.QuestionID, Filename: e.Filename, Size: e.Size,
		SHA256: e.SHA256, ContentType: e.ContentType, UploadedAt: e.UploadedAt.UTC()}
}

func evidenceViews(ev []assessments.Evidence) []evidenceJSON {
	out := make([]evidenceJSON, len(ev))
	for i, e := range ev {
		out[i] = evidenceView(e)
	}
	return out
}

func (s *Server) apiAssessmentAnswers(c echo.Context) error {
	ctx := c.Request().Context()
	a, err := s.Assessments.Get(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	ev := a.Files
	answers := map[string]any{}
	for qid, v := range a.AnswerValues() {
		answers[qid] = v
	}
	return c.JSON(http.StatusOK, map[string]any{"answers": answers, "evidence": evidenceViews(ev)})
}

func (s *Server) apiAssessmentEvidence(c echo.Context) error {
	ev, err := s.Assessments.Evidence(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, evidenceViews(ev))
}

// apiDownloadEvidence streams a file as an attachment of no particular
// type: a supplier's upload must never render on Assay's origin.
func (s *Server) apiDownloadEvidence(c echo.Context) error {
	rc, e, err := s.Assessments.OpenEvidence(c.Request().Context(), actor(c), c.Param("id"), c.Param("eid"))
	if err != nil {
		return err
	}
	defer rc.Close()
	return streamAttachment(c, e, rc)
}

func (s *Server) apiAssessmentScore(c echo.Context) error {
	sc, err := s.Assessments.Score(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sc)
}

func (s *Server) apiRequestClarification(c echo.Context) error {
	var in struct {
		QuestionID string `json:"question_id"`
		Comment    string `json:"comment"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	err := s.Assessments.RequestClarification(c.Request().Context(), actor(c), c.Param("id"), in.QuestionID, in.Comment)
	return s.apiAfterChange(c, http.StatusCreated, err)
}

func (s *Server) apiReviewQuestion(c echo.Context) error {
	var in struct {
		Status   string `json:"status"`
		Comment  string `json:"comment"`
		Override *struct {
			Score  int    `json:"score"`
			Reason string `json:"reason"`
		} `json:"override"`
		EvidenceAccepted bool `json:"evidence_accepted"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	r := assessments.QuestionReview{Status: in.Status, Comment: in.Comment, EvidenceAccepted: in.EvidenceAccepted}
	if in.Override != nil {
		r.Override = &scoring.Override{Score: in.Override.Score, Reason: in.Override.Reason}
	}
	ctx := c.Request().Context()
	if err := s.Assessments.Review(ctx, actor(c), c.Param("id"), c.Param("qid"), r); err != nil {
		return err
	}
	sc, err := s.Assessments.Score(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sc)
}

func (s *Server) apiDecideFinding(c echo.Context) error {
	var in struct {
		Control   string `json:"control"`
		Treatment string `json:"treatment"`
		Owner     string `json:"owner"`
		DueDate   string `json:"due_date"`
		Status    string `json:"status"`
		Note      string `json:"note"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	due, err := apiDateParam("due_date", in.DueDate)
	if err != nil {
		return err
	}
	err = s.Assessments.DecideFinding(c.Request().Context(), actor(c), c.Param("id"), assessments.FindingDecision{
		Control: in.Control, Treatment: assessments.Treatment(in.Treatment), Owner: in.Owner, DueDate: due, Status: in.Status, Note: in.Note,
	})
	if err != nil {
		return err
	}
	a, err := s.Assessments.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"findings": a.Findings})
}

func (s *Server) apiSendRemediation(c echo.Context) error {
	err := s.Assessments.SendRemediation(c.Request().Context(), actor(c), c.Param("id"), c.Param("control"))
	return s.apiAfterChange(c, http.StatusOK, err)
}

func (s *Server) apiCompleteAssessment(c echo.Context) error {
	var in struct {
		Decision string `json:"decision"`
		Note     string `json:"note"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	err := s.Assessments.Complete(c.Request().Context(), actor(c), c.Param("id"), assessments.Treatment(in.Decision), in.Note)
	return s.apiAfterChange(c, http.StatusOK, err)
}

// streamAttachment sends an evidence file for saving, never for display.
func streamAttachment(c echo.Context, e *assessments.Evidence, body io.Reader) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, blobs.ContentDisposition(e.Filename))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set(echo.HeaderContentLength, strconv.FormatInt(e.Size, 10))
	return c.Stream(http.StatusOK, "application/octet-stream", body)
}
