package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/scoring"
	"github.com/labstack/echo/v4"
)

// formFailure is a form the domain refused (422), shown again with what
// was typed and each message beside its field.
type formFailure struct {
	Target   string // the question id or finding control; "" for the completion form
	Form     string // review, clarify, override, finding, complete
	Message  string
	Fields   map[string]string // input name → message
	Values   url.Values
	Unplaced bool // some message names no input of the form: show Message
}

// For reports whether the failure belongs to this form of this target.
func (f formFailure) For(target, form string) bool {
	return f.Form != "" && f.Form == form && f.Target == target
}

// Err is the message for one input, "" when it is fine.
func (f formFailure) Err(name string) string { return f.Fields[name] }

// Val is what was typed in one input.
func (f formFailure) Val(name string) string { return f.Values.Get(name) }

// failure turns a validation error into a formFailure whose messages sit
// beside the inputs named by the last part of each field path ("reason",
// "override.reason"); it reports false for any other error.
func failure(err error, target, form string, values url.Values, inputs ...string) (formFailure, bool) {
	var v *apperr.Validation
	if !errors.As(err, &v) {
		return formFailure{}, false
	}
	f := formFailure{Target: target, Form: form, Message: v.Message, Fields: map[string]string{}, Values: values}
	var loose []string
	for _, fe := range v.Fields {
		name := fe.Path[strings.LastIndex(fe.Path, ".")+1:]
		if !slices.Contains(inputs, name) {
			loose = append(loose, fe.Message)
			continue
		}
		if _, seen := f.Fields[name]; !seen {
			f.Fields[name] = fe.Message
		}
	}
	if len(loose) > 0 {
		f.Message = strings.Join(loose, " ")
	}
	f.Unplaced = len(f.Fields) == 0 || len(loose) > 0
	return f, true
}

// afterQuestionAction answers a question's form: back to the question
// (post/redirect/get) when it worked, the page again with the message
// beside the form when the domain refused the input, the error page
// otherwise.
func (s *Server) afterQuestionAction(c echo.Context, err error, form string, values url.Values, inputs ...string) error {
	id, qid := c.Param("id"), c.Param("qid")
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/app/assessments/"+url.PathEscape(id)+"/review?saved="+url.QueryEscape(qid)+"#q-"+qid)
	}
	f, ok := failure(err, qid, form, values, inputs...)
	if !ok {
		return err
	}
	d, lerr := s.loadReview(c, id)
	if lerr != nil {
		return lerr
	}
	d.Failed = f
	if !d.shows(qid) {
		d.Problem = f.Message
	}
	return s.renderReview(c, http.StatusUnprocessableEntity, d)
}

// shows reports whether the page lists question qid, whose forms can then
// show their own errors.
func (d *reviewPage) shows(qid string) bool {
	for _, s := range d.Sections {
		for _, q := range s.Questions {
			if q.ID == qid {
				return true
			}
		}
	}
	return false
}

// reviewQuestion records a verdict on one answer: accept, flag, a comment,
// or acceptance of missing evidence.
func (s *Server) reviewQuestion(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return apperr.Wrapf(apperr.ErrBadRequest, "the form could not be read")
	}
	err = s.changeReview(c, func(r *assessments.QuestionReview) error { return applyReviewAction(r, form) })
	return s.afterQuestionAction(c, err, "review", formValues(c, "comment"), "comment")
}

// applyReviewAction changes the part of a question's review the posted
// button stands for; the rest of the review (an override, waived
// evidence) stays as it was. The comment changes only when the form posts
// one, so the quick Accept and Flag buttons keep it.
func applyReviewAction(r *assessments.QuestionReview, form url.Values) error {
	switch form.Get("action") {
	case "accept":
		r.Status = assessments.ReviewAccepted
	case "flag":
		r.Status = assessments.ReviewFlagged
	case "comment":
	case "accept_evidence":
		r.EvidenceAccepted = true
	default:
		return apperr.Wrapf(apperr.ErrBadRequest, "choose accept, flag, save comment or accept without evidence")
	}
	if form.Has("comment") {
		r.Comment = strings.TrimSpace(form.Get("comment"))
	}
	return nil
}

// changeReview applies change to the question's current review and saves
// the whole review, as the domain stores it.
func (s *Server) changeReview(c echo.Context, change func(r *assessments.QuestionReview) error) error {
	ctx := c.Request().Context()
	id, qid := c.Param("id"), c.Param("qid")
	a, err := s.Assessments.Get(ctx, id)
	if err != nil {
		return err
	}
	r := a.Reviews[qid]
	if r.Override != nil {
		o := *r.Override
		r.Override = &o
	}
	if err := change(&r); err != nil {
		return err
	}
	return s.Assessments.Review(ctx, actor(c), id, qid, r)
}

// reviewClarify asks the supplier about one answer; the question reopens
// for them.
func (s *Server) reviewClarify(c echo.Context) error {
	values := formValues(c, "comment")
	err := s.Assessments.RequestClarification(c.Request().Context(), actor(c), c.Param("id"), c.Param("qid"), values.Get("comment"))
	return s.afterQuestionAction(c, err, "clarify", values, "comment")
}

// reviewOverride replaces a question's score with the reviewer's, for a
// reason the report shows, or removes the override.
func (s *Server) reviewOverride(c echo.Context) error {
	values := formValues(c, "score", "reason", "action")
	if values.Get("action") == "remove" {
		err := s.changeReview(c, func(r *assessments.QuestionReview) error { r.Override = nil; return nil })
		return s.afterQuestionAction(c, err, "override", values, "score", "reason")
	}
	points, err := strconv.Atoi(strings.TrimSpace(values.Get("score")))
	if err != nil {
		msg := "Enter the score as a whole number from 0 to 100."
		return s.afterQuestionAction(c, apperr.Invalid("the review was not saved", apperr.FieldError{Path: "score", Message: msg}),
			"override", values, "score", "reason")
	}
	err = s.changeReview(c, func(r *assessments.QuestionReview) error {
		r.Override = &scoring.Override{Score: points, Reason: values.Get("reason")}
		return nil
	})
	return s.afterQuestionAction(c, err, "override", values, "score", "reason")
}

// reviewComplete records the decision and the final score.
func (s *Server) reviewComplete(c echo.Context) error {
	id := c.Param("id")
	values := formValues(c, "decision", "note")
	t := assessments.Treatment(values.Get("decision"))
	err := s.Assessments.Complete(c.Request().Context(), actor(c), id, t, strings.TrimSpace(values.Get("note")))
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/app/assessments/"+url.PathEscape(id)+"/review?done=completed")
	}
	f, ok := failure(err, "", "complete", values, "decision", "note")
	if !ok {
		return err
	}
	d, lerr := s.loadReview(c, id)
	if lerr != nil {
		return lerr
	}
	d.Failed = f
	return s.renderReview(c, http.StatusUnprocessableEntity, d)
}

// formValues keeps the posted values of names, to show them again.
func formValues(c echo.Context, names ...string) url.Values {
	v := url.Values{}
	for _, n := range names {
		v.Set(n, c.FormValue(n))
	}
	return v
}
