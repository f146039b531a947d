package assessments

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"sort"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/scoring"
)

// errBadLink is the one answer for an unknown and a revoked link, so that
// nobody can tell which links once existed.
var errBadLink = apperr.Wrapf(apperr.ErrNotFound,
	"this questionnaire link does not work: it may have been replaced by a newer link or withdrawn")

// Portal opens the assessment a supplier link points at. Unknown and
// revoked links both take one indexed lookup and give apperr.ErrNotFound; an
// expired link gives apperr.ErrGone.
func (s *Service) Portal(ctx context.Context, token string) (*Assessment, error) {
	a, err := s.d.Store.ByTokenHash(ctx, HashToken(token))
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, errBadLink
	}
	if err != nil {
		return nil, fmt.Errorf("opening link: %w", err)
	}
	if err := s.linkOpens(a); err != nil {
		return nil, err
	}
	return a, nil
}

// linkOpens refuses the link of a revoked or expired assessment.
func (s *Service) linkOpens(a *Assessment) error {
	if a.Status == StatusRevoked {
		return errBadLink
	}
	if a.Status == StatusExpired || s.now().After(a.ExpiresAt) {
		return apperr.Wrapf(apperr.ErrGone,
			"this questionnaire link expired on %s: ask %s for a new link", a.ExpiresAt.Format("2 January 2006"), s.d.Settings.Company)
	}
	return nil
}

// writable opens the assessment of token for a supplier's write.
func (s *Service) writable(ctx context.Context, token string) (*Assessment, error) {
	a, err := s.Portal(ctx, token)
	if err != nil {
		return nil, err
	}
	if err := takesAnswers(a); err != nil {
		return nil, err
	}
	return a, nil
}

// takesAnswers refuses a supplier's write to a submitted or closed
// questionnaire.
func takesAnswers(a *Assessment) error {
	if !a.Status.Open() {
		return apperr.Wrapf(apperr.ErrConflict, "this questionnaire is %s: answers can no longer change", humanStatus(a.Status))
	}
	return nil
}

// Locked reports whether the supplier may no longer change question qid:
// after a submit only the questions a reviewer reopened, and the follow-ups
// whose show_if depends on them, are open.
func (a *Assessment) Locked(qid string) bool {
	if !a.Status.Open() {
		return true
	}
	if a.SubmittedAt.IsZero() {
		return false
	}
	if _, reopened := a.Reopened[qid]; reopened || a.Template == nil {
		return !reopened
	}
	// A reopened answer may change which questions show: the follow-ups it
	// reveals (a certificate's scope once "certified?" turns to yes) are
	// required, so the supplier must be able to answer them to submit again.
	return !a.Template.DependsOn(qid, func(id string) bool { _, ok := a.Reopened[id]; return ok })
}

// SaveResult is the state after a save, for the page to update itself.
type SaveResult struct {
	Progress questionnaires.ProgressCounts
	Visible  []string // visible question ids, in reading order
	Errors   []apperr.FieldError
}

// SaveAnswers stores any subset of answers, each as its own write so that
// two tabs never erase each other's answers. Valid answers are saved even
// when others are not; those are then returned both in the result and as a
// 422 error whose field paths are the question ids. An empty value clears
// the answer.
func (s *Service) SaveAnswers(ctx context.Context, actor audit.Actor, token string, raw map[string]any) (SaveResult, error) {
	return s.save(ctx, actor, token, func(a *Assessment) (*write, error) {
		w := newWrite(a)
		for qid, v := range raw {
			q, ok := a.Template.Question(qid)
			switch {
			case !ok:
				w.fail(qid, "This questionnaire has no such question.")
			case q.Type == questionnaires.TypeFile:
				w.fail(qid, "Answer this question by uploading a file.")
			default:
				norm, err := questionnaires.ValidateAnswer(q, v)
				w.add(q, norm, err)
			}
		}
		return w, nil
	})
}

// SaveForm stores one section as a browser without JavaScript posts it:
// each question's values under "q.<id>" (several for multi_choice). A
// question whose field is absent or empty is cleared, as an unticked set of
// boxes must be; questions the supplier may no longer change are skipped.
func (s *Service) SaveForm(ctx context.Context, actor audit.Actor, token, sectionID string, form url.Values) (SaveResult, error) {
	return s.save(ctx, actor, token, func(a *Assessment) (*write, error) {
		var section *questionnaires.Section
		for i := range a.Template.Sections {
			if a.Template.Sections[i].ID == sectionID {
				section = &a.Template.Sections[i]
			}
		}
		if section == nil {
			return nil, apperr.Wrapf(apperr.ErrNotFound, "this questionnaire has no section %q", sectionID)
		}
		w := newWrite(a)
		for _, q := range section.Questions {
			if q.Type == questionnaires.TypeFile || a.Locked(q.ID) {
				continue
			}
			norm, err := questionnaires.FromForm(q, form["q."+q.ID])
			w.add(q, norm, err)
		}
		return w, nil
	})
}

// withAnswers is a copy of a with the answers of one save applied, as the
// store will hold them if nothing else changes a first.
func (a *Assessment) withAnswers(set map[string]Answer, clear []string) *Assessment {
	next := *a
	next.Answers = make(map[string]Answer, len(a.Answers)+len(set))
	maps.Copy(next.Answers, a.Answers)
	maps.Copy(next.Answers, set)
	for _, qid := range clear {
		delete(next.Answers, qid)
	}
	return &next
}

// write collects the answers of one save.
type write struct {
	a      *Assessment
	set    map[string]Answer
	clear  []string
	locked []string
	errs   []apperr.FieldError
}

func newWrite(a *Assessment) *write { return &write{a: a, set: map[string]Answer{}} }

func (w *write) fail(qid, msg string) {
	w.errs = append(w.errs, apperr.FieldError{Path: qid, Message: msg})
}

// add records the outcome of validating one answer.
func (w *write) add(q questionnaires.Question, norm any, err error) {
	var ae *questionnaires.AnswerError
	switch {
	case w.a.Locked(q.ID):
		w.locked = append(w.locked, q.ID)
	case errors.As(err, &ae):
		w.fail(q.ID, ae.Message)
	case err != nil:
		w.fail(q.ID, err.Error())
	case norm == nil:
		if _, had := w.a.Answers[q.ID]; had {
			w.clear = append(w.clear, q.ID)
		}
	default:
		w.set[q.ID] = AnswerOf(norm, time.Time{}) // stamped when written
	}
}

func (s *Service) save(ctx context.Context, actor audit.Actor, token string, build func(*Assessment) (*write, error)) (SaveResult, error) {
	id, primary, err := s.d.Store.LinkTarget(ctx, HashToken(token))
	if errors.Is(err, apperr.ErrNotFound) {
		return SaveResult{}, errBadLink
	}
	if err != nil {
		return SaveResult{}, fmt.Errorf("opening link: %w", err)
	}
	now := s.now()
	var (
		res     SaveResult
		w       *write
		stored  *Assessment // as read for the write that went through
		refused error       // the last refusal of the answers, not of the store
	)
	// The answers are checked, scored and written against the assessment
	// as the store holds it when it writes (Modify), in one read and one
	// write: on the embedded FerretDB each is a decode of the document.
	err = s.d.Store.Modify(ctx, id, func(a *Assessment) (Change, error) {
		ch, err := s.saveChange(a, primary, now, build, &w, &res)
		refused = err
		if err == nil {
			stored = a
		}
		return ch, err
	})
	if err != nil {
		switch {
		case refused != nil:
		case errors.Is(err, apperr.ErrNotFound):
			err = errBadLink // a link left to an assessment since deleted
		case errors.Is(err, apperr.ErrConflict):
			err = apperr.Wrapf(apperr.ErrConflict, "this questionnaire changed too often while you were answering: please try again")
		}
		return SaveResult{}, err
	}
	if len(w.set) > 0 || len(w.clear) > 0 {
		s.started(ctx, stored, now)
		s.record(ctx, actor, "assessment.answer", "assessment", id, nil,
			map[string]any{"answered": sortedByTemplate(stored.Template, keys(w.set)), "cleared": sortedByTemplate(stored.Template, w.clear)})
	}
	if len(w.errs) > 0 {
		order := questionOrder(stored.Template)
		sort.SliceStable(w.errs, func(i, j int) bool { return order(w.errs[i].Path) < order(w.errs[j].Path) })
		res.Errors = w.errs
		return res, apperr.Invalid("some answers were not saved", w.errs...)
	}
	return res, nil
}

// saveChange checks a save against a as stored, through the link whose
// assessment must carry primary, and returns the change to write: the
// answers with their time, the clarifications they answer, and the live
// score and progress they give. It sets *w and *res.
func (s *Service) saveChange(a *Assessment, primary string, now time.Time, build func(*Assessment) (*write, error), w **write, res *SaveResult) (Change, error) {
	if a.TokenHash != primary {
		return Change{}, errBadLink
	}
	if err := s.linkOpens(a); err != nil {
		return Change{}, err
	}
	if err := takesAnswers(a); err != nil {
		return Change{}, err
	}
	wr, err := build(a)
	if err != nil {
		return Change{}, err
	}
	*w = wr
	if len(wr.locked) > 0 {
		sort.Strings(wr.locked)
		return Change{}, apperr.Wrapf(apperr.ErrConflict,
			"this questionnaire was submitted: only the questions a reviewer reopened can change (not %v)", wr.locked)
	}
	next, ch := a, Change{}
	if len(wr.set) > 0 || len(wr.clear) > 0 {
		ch.At = now
		for qid, ans := range wr.set {
			ans.UpdatedAt = now
			wr.set[qid] = ans
		}
		for _, qid := range append(keys(wr.set), wr.clear...) {
			if c, ok := a.Reopened[qid]; ok && c.AnsweredAt.IsZero() {
				if ch.Reopen == nil {
					ch.Reopen = map[string]Clarification{}
				}
				c.AnsweredAt = now
				ch.Reopen[qid] = c
			}
		}
		ch.Answers, ch.ClearAnswers = wr.set, wr.clear
		next = a.withAnswers(wr.set, wr.clear)
	}
	// With nothing valid to save, the live score is stored again all the
	// same: that heals one a failed write left behind. The files count
	// towards it; they were read with the assessment.
	sc := s.compute(next, a.Files)
	prog := questionnaires.Progress(next.Template, next.AnswerValues(), evidenceCounts(a.Files))
	ch.Score, ch.Progress = cacheable(sc), &prog
	*res = SaveResult{Progress: prog, Visible: visibleIDs(sc)}
	return ch, nil
}

var openStatuses = []Status{StatusSent, StatusInProgress, StatusClarificationRequested}

// started moves a questionnaire being answered to in_progress: from sent on
// the first save, and from clarification_requested on the first change
// after a reviewer's question. Losing the race to another save is fine.
func (s *Service) started(ctx context.Context, a *Assessment, now time.Time) {
	var ch Change
	switch a.Status {
	case StatusSent:
		ch = Change{Status: StatusInProgress, StartedAt: now, At: now}
	case StatusClarificationRequested:
		ch = Change{Status: StatusInProgress, At: now}
	default:
		return
	}
	err := s.d.Store.Update(ctx, a.ID, Expect{Statuses: []Status{a.Status}}, ch)
	if err != nil && !errors.Is(err, apperr.ErrConflict) {
		s.d.Log.Error("marking assessment started", "id", a.ID, "err", err)
	}
}

// refresh recomputes the live score and progress from a fresh read, so the
// cache reflects every concurrent write that came before it.
//
// The score is stored only at the version it was computed from, so a
// slower refresh never overwrites the score of a later change; when a
// write lands in between, it reads again.
func (s *Service) refresh(ctx context.Context, id string) (*Assessment, error) {
	for attempt := 0; ; attempt++ {
		a, err := s.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		a.Progress = questionnaires.Progress(a.Template, a.AnswerValues(), evidenceCounts(a.Files))
		a.Score = cacheable(s.compute(a, a.Files))
		if a.FinalScore != nil {
			return a, nil
		}
		err = s.d.Store.Update(ctx, id, Expect{Version: a.Version}, Change{Score: a.Score, Progress: &a.Progress})
		if errors.Is(err, apperr.ErrConflict) && attempt < 4 {
			continue
		}
		if err != nil && !errors.Is(err, apperr.ErrConflict) {
			return nil, fmt.Errorf("storing live score: %w", err)
		}
		// Still racing after five reads: the writes in between refresh
		// the score themselves.
		return a, nil
	}
}

// cacheable is the live score as stored with the assessment, for lists
// (the review queue's score, grade and residual risk): its headline only.
// The details (questions, controls, findings, 2013 domains) were most of
// a full ISO assessment's document, which every autosave reads and writes
// back whole on the embedded FerretDB; Score recomputes them whenever a
// page needs them, and completion stores the whole final score.
func cacheable(sc scoring.Score) *scoring.Score {
	sc.Questions, sc.Controls, sc.Findings, sc.Domains2013, sc.Overrides, sc.NotAssessed = nil, nil, nil, nil, nil, nil
	return &sc
}

// Submit hands the answers to the reviewers. It is refused with one field
// error per visible required question left open; otherwise the answers
// lock, the supplier gets a receipt and the vendor's owner and the
// reviewers are told.
func (s *Service) Submit(ctx context.Context, actor audit.Actor, token string) error {
	var a *Assessment
	// A save racing the submit changes the version; re-check the required
	// questions against what was actually stored.
	for attempt := 0; ; attempt++ {
		var err error
		if a, err = s.writable(ctx, token); err != nil {
			return err
		}
		missing := questionnaires.MissingRequired(a.Template, a.AnswerValues(), evidenceCounts(a.Files))
		if len(missing) > 0 {
			fields := make([]apperr.FieldError, len(missing))
			for i, qid := range missing {
				q, _ := a.Template.Question(qid)
				fields[i] = apperr.FieldError{Path: qid, Message: "This question is required: " + q.Text}
			}
			return apperr.Invalid(fmt.Sprintf("%d required questions are still open", len(missing)), fields...)
		}
		now := s.now()
		hist := make([]Clarification, len(a.Clarifications))
		copy(hist, a.Clarifications)
		for i, c := range hist {
			if _, open := a.Reopened[c.QuestionID]; open && c.AnsweredAt.IsZero() {
				hist[i].AnsweredAt = now
			}
		}
		ch := Change{Status: StatusSubmitted, SubmittedAt: now, ClearReopen: true, Clarifications: hist, At: now}
		err = s.d.Store.Update(ctx, a.ID, Expect{TokenHash: a.TokenHash, Statuses: openStatuses, Version: a.Version}, ch)
		if err == nil {
			break
		}
		if !errors.Is(err, apperr.ErrConflict) || attempt == 2 {
			return fmt.Errorf("submitting %s: %w", a.ID, err)
		}
	}
	s.record(ctx, actor, "assessment.submit", "assessment", a.ID,
		map[string]any{"status": a.Status}, map[string]any{"status": StatusSubmitted, "reopened_answered": len(a.Reopened)})
	fresh, err := s.refresh(ctx, a.ID)
	if err != nil {
		s.d.Log.Error("score after submit", "id", a.ID, "err", err)
		fresh = a
	}
	s.mailSubmitted(ctx, fresh, len(a.Reopened) > 0)
	return nil
}

// StartFromPrevious fills a reassessment with the supplier's answers to the
// same questionnaire last time, marked Prefilled until confirmed or
// changed, and carries over evidence uploaded within EvidenceCarryMonths.
// Only questions still unanswered are filled, so it never overwrites work.
// It returns the number of answers and files carried over.
func (s *Service) StartFromPrevious(ctx context.Context, actor audit.Actor, token string) (int, error) {
	a, err := s.writable(ctx, token)
	if err != nil {
		return 0, err
	}
	if !a.SubmittedAt.IsZero() {
		return 0, apperr.Wrapf(apperr.ErrConflict, "this questionnaire was already submitted")
	}
	if a.PreviousID == "" {
		return 0, apperr.Wrapf(apperr.ErrNotFound, "there are no earlier answers to start from")
	}
	prev, err := s.Get(ctx, a.PreviousID)
	if err != nil {
		return 0, err
	}
	now := s.now()
	set := map[string]Answer{}
	for qid, ans := range prev.Answers {
		q, ok := a.Template.Question(qid)
		if _, has := a.Answers[qid]; !ok || has || q.Type == questionnaires.TypeFile {
			continue
		}
		norm, err := questionnaires.ValidateAnswer(q, ans.Value())
		if err != nil || norm == nil {
			continue // the question changed since: the old answer no longer fits
		}
		carried := AnswerOf(norm, now)
		carried.Prefilled = true
		set[qid] = carried
	}
	if len(set) > 0 {
		if err := s.d.Store.Update(ctx, a.ID, Expect{TokenHash: a.TokenHash, Statuses: openStatuses}, Change{Answers: set, At: now}); err != nil {
			return 0, fmt.Errorf("carrying answers over: %w", err)
		}
	}
	files, err := s.carryEvidence(ctx, a, prev, now)
	if err != nil {
		return len(set), err
	}
	if len(set)+files > 0 {
		s.started(ctx, a, now)
		s.record(ctx, actor, "assessment.prefill", "assessment", a.ID, nil,
			map[string]any{"from": prev.ID, "answers": len(set), "files": files})
		if _, err := s.refresh(ctx, a.ID); err != nil {
			return len(set) + files, err
		}
	}
	return len(set) + files, nil
}

// ChangedSincePrevious returns the questions whose answer differs from the
// vendor's previous assessment of the same questionnaire, for reviewers of
// a reassessment. Answers carried over and not touched count as unchanged.
func (s *Service) ChangedSincePrevious(ctx context.Context, a *Assessment) (map[string]bool, error) {
	changed := map[string]bool{}
	if a.PreviousID == "" {
		return changed, nil
	}
	prev, err := s.Get(ctx, a.PreviousID)
	if err != nil {
		return nil, err
	}
	for _, q := range a.Template.Questions() {
		cur, hasCur := a.Answers[q.ID]
		old, hasOld := prev.Answers[q.ID]
		if hasCur != hasOld || (hasCur && !reflect.DeepEqual(cur.Value(), old.Value())) {
			changed[q.ID] = true
		}
	}
	return changed, nil
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// questionOrder ranks question ids in reading order, unknown ids last.
func questionOrder(t *questionnaires.Template) func(id string) int {
	qs := t.Questions()
	rank := make(map[string]int, len(qs))
	for i, q := range qs {
		rank[q.ID] = i
	}
	return func(id string) int {
		if i, ok := rank[id]; ok {
			return i
		}
		return len(qs)
	}
}

func sortedByTemplate(t *questionnaires.Template, ids []string) []string {
	order := questionOrder(t)
	out := append([]string{}, ids...)
	sort.SliceStable(out, func(i, j int) bool { return order(out[i]) < order(out[j]) })
	return out
}

// visibleIDs lists the visible questions in reading order; the score
// already decided visibility for every question.
func visibleIDs(sc scoring.Score) []string {
	out := make([]string, 0, len(sc.Questions))
	for _, q := range sc.Questions {
		if q.Visible {
			out = append(out, q.ID)
		}
	}
	return out
}
