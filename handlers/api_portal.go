package handlers

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/questionnaires"
	"github.com/labstack/echo/v4"
)

// The supplier's face of the JSON API: the token from the emailed link is
// the only credential. Every route shares the per-address limit of the
// HTML portal (portalLimit), an in-memory limiter per instance: behind a
// load balancer each instance counts on its own, which still bounds a
// flood to instances × the limit.
func init() {
	register(func(s *Server) {
		const base = "/api/v1/portal/:token"
		limit := s.portalLimit()
		s.public(http.MethodGet, base, s.apiPortal, limit)
		s.public(http.MethodPut, base+"/answers", s.apiPortalAnswers, limit)
		s.public(http.MethodPost, base+"/evidence", s.apiPortalUpload, limit)
		s.public(http.MethodGet, base+"/evidence/:eid", s.apiPortalDownload, limit)
		s.public(http.MethodDelete, base+"/evidence/:eid", s.apiPortalRemoveEvidence, limit)
		s.public(http.MethodPost, base+"/submit", s.apiPortalSubmit, limit)
		s.public(http.MethodPost, base+"/prefill", s.apiPortalPrefill, limit)
		// The multipart framing around one file stays well under 1 MiB.
		s.allowBody(base+"/evidence", s.Config.MaxUploadBytes()+1<<20)
	})
}

type portalAPIJSON struct {
	Assessment portalAssessmentJSON `json:"assessment"`
	Sections   []portalSectionJSON  `json:"sections"`
	Progress   progressJSON         `json:"progress"`
}

type portalAssessmentJSON struct {
	Vendor      string             `json:"vendor"`
	RequestedBy string             `json:"requested_by"`
	DueDate     string             `json:"due_date"`
	Status      assessments.Status `json:"status"`
	Template    templateRefJSON    `json:"template"`
	ExpiresAt   time.Time          `json:"expires_at"`
	SubmittedAt *time.Time         `json:"submitted_at"`
	// CanPrefill says an earlier assessment's answers may be carried over.
	CanPrefill bool `json:"can_prefill"`
}

type portalSectionJSON struct {
	ID        string               `json:"id"`
	Title     string               `json:"title"`
	Questions []portalQuestionJSON `json:"questions"`
}

type portalQuestionJSON struct {
	ID       string                      `json:"id"`
	Text     string                      `json:"text"`
	Help     string                      `json:"help,omitempty"`
	Type     questionnaires.QuestionType `json:"type"`
	Options  []portalOptionJSON          `json:"options,omitempty"`
	Required bool                        `json:"required"`
	Visible  bool                        `json:"visible"`
	Answer   any                         `json:"answer"`
	Evidence []evidenceJSON              `json:"evidence"`
	// Locked is true once submitted, except for questions reopened for
	// clarification, which carry the reviewer's comment.
	Locked        bool                       `json:"locked"`
	Clarification *assessments.Clarification `json:"clarification,omitempty"`
	Prefilled     bool                       `json:"prefilled,omitempty"`
}

type portalOptionJSON struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

func portalAPIView(company string, a *assessments.Assessment, ev []assessments.Evidence) portalAPIJSON {
	answers := a.AnswerValues()
	files := map[string][]evidenceJSON{}
	counts := map[string]int{}
	for _, e := range ev {
		files[e.QuestionID] = append(files[e.QuestionID], evidenceView(e))
		counts[e.QuestionID]++
	}
	visible := questionnaires.Visible(a.Template, answers)
	out := portalAPIJSON{
		Assessment: portalAssessmentJSON{
			Vendor: a.VendorName, RequestedBy: company, DueDate: apiDate(a.DueDate), Status: a.Status,
			Template:  templateRefJSON{Key: a.TemplateKey, Version: a.TemplateVersion, Title: a.Template.Title},
			ExpiresAt: a.ExpiresAt.UTC(), SubmittedAt: optionalTime(a.SubmittedAt),
			CanPrefill: a.PreviousID != "" && a.SubmittedAt.IsZero() && a.Status.Open(),
		},
		Sections: make([]portalSectionJSON, 0, len(a.Template.Sections)),
		Progress: progressOf(questionnaires.Progress(a.Template, answers, counts)),
	}
	for _, sec := range a.Template.Sections {
		sj := portalSectionJSON{ID: sec.ID, Title: sec.Title, Questions: make([]portalQuestionJSON, 0, len(sec.Questions))}
		for _, q := range sec.Questions {
			qj := portalQuestionJSON{
				ID: q.ID, Text: q.Text, Help: q.Help, Type: q.Type, Required: q.Required, Visible: visible[q.ID],
				Answer: answers[q.ID], Evidence: files[q.ID], Locked: a.Locked(q.ID), Prefilled: a.Answers[q.ID].Prefilled,
			}
			if qj.Evidence == nil {
				qj.Evidence = []evidenceJSON{}
			}
			for _, o := range q.EffectiveOptions() {
				qj.Options = append(qj.Options, portalOptionJSON{Value: o.Value, Label: o.Label})
			}
			if c, ok := a.Reopened[q.ID]; ok {
				qj.Clarification = &c
			}
			sj.Questions = append(sj.Questions, qj)
		}
		out.Sections = append(out.Sections, sj)
	}
	return out
}

func (s *Server) apiPortal(c echo.Context) error {
	ctx := c.Request().Context()
	a, err := s.Assessments.Portal(ctx, c.Param("token"))
	if err != nil {
		return err
	}
	ev := a.Files
	return c.JSON(http.StatusOK, portalAPIView(s.Config.CompanyName, a, ev))
}

// apiPortalAnswers saves any subset of answers. Invalid ones answer 422
// with a field per question while the valid ones are saved.
func (s *Server) apiPortalAnswers(c echo.Context) error {
	var in struct {
		Answers map[string]any `json:"answers"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Answers == nil {
		return apperr.Field("answers", `Send the answers as {"answers": {question id: value}}.`)
	}
	res, err := s.Assessments.SaveAnswers(c.Request().Context(), portalActor(c), c.Param("token"), in.Answers)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"progress": progressOf(res.Progress), "visible": res.Visible})
}

// apiPortalUpload streams the file part of a multipart body straight to the
// service: nothing is buffered whole, in memory or on disk. The question id
// comes from a question_id part before the file, or from the query.
func (s *Server) apiPortalUpload(c echo.Context) error {
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return apperr.Wrapf(apperr.ErrBadRequest, "send the file as multipart/form-data with the parts question_id and file")
	}
	qid := c.QueryParam("question_id")
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return apperr.Field("file", "Attach a file.")
		}
		if err != nil {
			var maxErr *http.MaxBytesError
			if errors.As(err, &maxErr) {
				return err
			}
			return apperr.Wrapf(apperr.ErrBadRequest, "the multipart body could not be read: %v", err)
		}
		switch part.FormName() {
		case "question_id":
			b, err := io.ReadAll(io.LimitReader(part, 256))
			if err != nil {
				return apperr.Wrapf(apperr.ErrBadRequest, "the question_id part could not be read")
			}
			qid = strings.TrimSpace(string(b))
		case "file":
			if qid == "" {
				return apperr.Field("question_id", "Send question_id before the file.")
			}
			e, err := s.Assessments.Upload(c.Request().Context(), portalActor(c), c.Param("token"), qid, part.FileName(), part)
			if err != nil {
				return err
			}
			return c.JSON(http.StatusCreated, evidenceView(*e))
		}
		part.Close()
	}
}

func (s *Server) apiPortalDownload(c echo.Context) error {
	rc, e, err := s.Assessments.OpenSupplierEvidence(c.Request().Context(), c.Param("token"), c.Param("eid"))
	if err != nil {
		return err
	}
	defer rc.Close()
	return streamAttachment(c, e, rc)
}

func (s *Server) apiPortalRemoveEvidence(c echo.Context) error {
	if err := s.Assessments.RemoveEvidence(c.Request().Context(), portalActor(c), c.Param("token"), c.Param("eid")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiPortalSubmit(c echo.Context) error {
	if err := s.Assessments.Submit(c.Request().Context(), portalActor(c), c.Param("token")); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"status": assessments.StatusSubmitted})
}

func (s *Server) apiPortalPrefill(c echo.Context) error {
	n, err := s.Assessments.StartFromPrevious(c.Request().Context(), portalActor(c), c.Param("token"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"carried": n})
}
