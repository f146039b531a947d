package demo

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/scoring"
	"github.com/assayhq/assay/vendors"
)

const (
	day = 24 * time.Hour
	// A questionnaire's life in the demo, from the day it is sent.
	answeredAfter  = 3 * day
	submittedAfter = 9 * day
	reviewedAfter  = 12 * day
	decidedAfter   = 15 * day
	completedAfter = 16 * day
	dueAfter       = 21 * day
)

// stage is how far one assessment of the demo goes.
type stage int

const (
	toSent stage = iota
	toInProgress
	toSubmitted
	toClarification
	toCompleted
)

// timeline plays a vendor's past assessments, each completed about one
// review interval before the next, then its current one in p.State.
func (r *run) timeline(ctx context.Context, v *vendors.Vendor, p plan, owner *auth.User) error {
	maturity := 0.45 + 0.1*float64(4-p.Tier) + 0.3*r.rng.Float64() // larger, more critical suppliers are more mature
	interval := r.svc.NextReview(p.Tier, r.now).Sub(r.now)
	var start time.Time
	st := toCompleted
	switch p.State {
	case StateCompleted:
		start = r.now.Add(-completedAfter - time.Duration(4+r.rng.IntN(50))*day)
	case StateDue: // completed so long ago that the next review is 5–25 days away
		start = r.now.Add(time.Duration(5+r.rng.IntN(20))*day - interval - completedAfter)
	case StateLate: // … or 10–40 days past
		start = r.now.Add(-time.Duration(10+r.rng.IntN(30))*day - interval - completedAfter)
	case StateSubmitted:
		st, start = toSubmitted, r.now.Add(-submittedAfter-time.Duration(2+r.rng.IntN(12))*day)
	case StateClarification:
		st, start = toClarification, r.now.Add(-reviewedAfter-time.Duration(1+r.rng.IntN(4))*day)
	case StateInProgress:
		st, start = toInProgress, r.now.Add(-answeredAfter-time.Duration(1+r.rng.IntN(8))*day)
	case StateOverdue: // partly answered, due 2–4 weeks ago
		st, start = toInProgress, r.now.Add(-dueAfter-time.Duration(14+r.rng.IntN(14))*day)
	case StateSent:
		st, start = toSent, r.now.Add(-time.Duration(1+r.rng.IntN(6))*day)
	case StateOverdueSent: // never opened, due 1–3 weeks ago
		st, start = toSent, r.now.Add(-dueAfter-time.Duration(7+r.rng.IntN(14))*day)
	default:
		return fmt.Errorf("unknown demo state %q", p.State)
	}
	// The history, oldest first, each a little less mature than the next.
	for j := p.History; j >= 1; j-- {
		at := start.Add(-time.Duration(j)*interval - time.Duration(r.rng.IntN(20))*day)
		if err := r.cycle(ctx, v, p, owner, at, maturity-0.09*float64(j), toCompleted, true); err != nil {
			return err
		}
	}
	return r.cycle(ctx, v, p, owner, start, maturity, st, false)
}

// cycle sends one questionnaire at start and takes it as far as st: the
// supplier answers and uploads, a reviewer reviews, asks, decides findings
// and completes. past marks a history assessment.
func (r *run) cycle(ctx context.Context, v *vendors.Vendor, p plan, owner *auth.User, start time.Time, maturity float64, st stage, past bool) error {
	maturity = min(max(maturity, 0.2), 0.97)
	reviewers := r.people["reviewer"]
	reviewer := actorOf(reviewers[r.rng.IntN(len(reviewers))])
	supplier := audit.Actor{Kind: audit.KindSupplier, IP: fmt.Sprintf("198.51.100.%d", 1+r.rng.IntN(250))}
	r.clock = start
	a, err := r.svc.Send(ctx, actorOf(owner), assessments.SendRequest{
		VendorID: v.ID, TemplateKey: templateFor(p.Tier), ContactName: p.Contact, ContactEmail: contactEmail(p),
		DueDate: start.Add(dueAfter), Message: "As part of our annual supplier review, please complete this questionnaire.",
	})
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	r.assessments++
	token := r.tokens[a.ID]
	if st == toSent {
		return nil
	}
	if token == "" {
		return fmt.Errorf("no invitation link for assessment %s", a.ID)
	}
	r.clock = start.Add(answeredAfter)
	share := 1.0
	if st == toInProgress {
		share = 0.3 + 0.4*r.rng.Float64()
	}
	set := answer(r.rng, a.Template, p.Name, maturity, share, r.clock)
	if _, err := r.svc.SaveAnswers(ctx, supplier, token, set.Answers); err != nil {
		return fmt.Errorf("answers: %w", err)
	}
	if err := r.upload(ctx, supplier, token, a, p, set.Files); err != nil {
		return err
	}
	if st == toInProgress {
		return nil
	}
	r.clock = start.Add(submittedAfter)
	if err := r.svc.Submit(ctx, supplier, token); err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	if st == toSubmitted {
		return nil
	}
	r.clock = start.Add(reviewedAfter)
	weak, err := r.review(ctx, a, reviewer)
	if err != nil {
		return err
	}
	if st == toClarification || (!past && weak != "" && r.rng.IntN(3) == 0) {
		if weak == "" {
			return fmt.Errorf("assessment %s has no answer to ask about", a.ID)
		}
		if err := r.svc.RequestClarification(ctx, reviewer, a.ID, weak, "Could you tell us more, and what you plan to change here?"); err != nil {
			return fmt.Errorf("clarification: %w", err)
		}
		if st == toClarification {
			return nil
		}
		// The supplier explains and improves the answer, and submits again.
		r.clock = r.clock.Add(day)
		q, _ := a.Template.Question(weak)
		set.Answers[weak] = value(r.rng, q, p.Name, 1, r.clock)
		more := followUps(r.rng, a.Template, set, p.Name, r.clock)
		more.Answers[weak] = set.Answers[weak]
		if _, err := r.svc.SaveAnswers(ctx, supplier, token, more.Answers); err != nil {
			return fmt.Errorf("clarified answer: %w", err)
		}
		if err := r.upload(ctx, supplier, token, a, p, more.Files); err != nil {
			return err
		}
		if err := r.svc.Submit(ctx, supplier, token); err != nil {
			return fmt.Errorf("submit after clarification: %w", err)
		}
	}
	r.clock = start.Add(decidedAfter)
	sc, err := r.svc.Score(ctx, a.ID)
	if err != nil {
		return err
	}
	if err := r.decide(ctx, a.ID, sc, reviewer, owner, past); err != nil {
		return err
	}
	r.clock = start.Add(completedAfter)
	if err := r.svc.Complete(ctx, reviewer, a.ID, treatmentOf(sc.Risk.Residual), noteOf(sc)); err != nil {
		return fmt.Errorf("complete: %w", err)
	}
	return nil
}

// review accepts a few answers, overrides one now and then with a reason,
// waives a missing file, and returns a weakly answered question, if any,
// to ask about.
func (r *run) review(ctx context.Context, a *assessments.Assessment, reviewer audit.Actor) (string, error) {
	sc, err := r.svc.Score(ctx, a.ID)
	if err != nil {
		return "", err
	}
	var weak, capped []string
	accepted := 0
	for _, q := range sc.Questions {
		switch {
		case q.Score == nil:
		case q.Capped:
			capped = append(capped, q.ID)
		case *q.Score < 50 && q.Answered:
			weak = append(weak, q.ID)
		case accepted < 3 && r.rng.IntN(4) == 0:
			accepted++
			if err := r.svc.Review(ctx, reviewer, a.ID, q.ID, assessments.QuestionReview{Status: "accepted"}); err != nil {
				return "", fmt.Errorf("review: %w", err)
			}
		}
	}
	if len(capped) > 0 && r.rng.IntN(2) == 0 {
		if err := r.svc.Review(ctx, reviewer, a.ID, capped[0], assessments.QuestionReview{EvidenceAccepted: true,
			Comment: "Seen in the call: the certificate is current."}); err != nil {
			return "", fmt.Errorf("evidence waiver: %w", err)
		}
	}
	if len(weak) > 1 && r.rng.IntN(3) == 0 {
		if err := r.svc.Review(ctx, reviewer, a.ID, weak[1], assessments.QuestionReview{Status: "flagged",
			Override: &scoring.Override{Score: 50, Reason: "Partly in place: the SOC 2 report covers this for production only."}}); err != nil {
			return "", fmt.Errorf("override: %w", err)
		}
	}
	// Prefer a question that opens no others, so the clarification stays on
	// the one answer asked about.
	gates := a.Template.Gates()
	for _, id := range weak {
		if !gates[id] {
			return id, nil
		}
	}
	return "", nil
}

// decided is how many findings of one assessment get a treatment; the
// rest stay undecided (open), as a review in progress leaves them. Each
// decision is one write of the assessment, and the full questionnaire can
// raise forty findings.
const decided = 8

// decide records a treatment for the first findings of the current
// assessment: mitigation of the serious ones with an owner and a due date,
// acceptance of the minor ones. Past assessments are left as they were
// completed: only a vendor's latest findings count.
func (r *run) decide(ctx context.Context, id string, sc *scoring.Score, reviewer audit.Actor, owner *auth.User, past bool) error {
	if past {
		return nil
	}
	sentRemediation := false
	for i, f := range sc.Findings[:min(len(sc.Findings), decided)] {
		d := assessments.FindingDecision{Control: f.Control, Owner: owner.Email, Status: assessments.FindingOpen}
		switch f.Severity {
		case scoring.LevelCritical, scoring.LevelHigh:
			d.Treatment, d.DueDate = assessments.TreatMitigate, r.clock.AddDate(0, 2, 0)
			d.Note = "Agreed with the vendor on the call; evidence of the fix to follow."
			if i%4 == 3 {
				d.Treatment, d.Note = assessments.TreatTransfer, "Covered by the contract's liability and the vendor's cyber insurance."
			}
		case scoring.LevelMedium:
			d.Treatment, d.DueDate = assessments.TreatMitigate, r.clock.AddDate(0, 4, 0)
		default:
			d.Treatment, d.Status, d.Note = assessments.TreatAccept, assessments.FindingDone, "Within risk appetite."
		}
		if d.Treatment == assessments.TreatMitigate && r.rng.IntN(3) == 0 {
			d.Status = assessments.FindingInProgress
		}
		if err := r.svc.DecideFinding(ctx, reviewer, id, d); err != nil {
			return fmt.Errorf("finding %s: %w", f.Control, err)
		}
		if !sentRemediation && d.Treatment == assessments.TreatMitigate {
			sentRemediation = true
			if err := r.svc.SendRemediation(ctx, reviewer, id, f.Control); err != nil {
				return fmt.Errorf("remediation %s: %w", f.Control, err)
			}
		}
	}
	return nil
}

// treatmentOf is the decision a reviewer would take on a residual risk.
func treatmentOf(l scoring.Level) assessments.Treatment {
	switch l {
	case scoring.LevelLow:
		return assessments.TreatAccept
	case scoring.LevelMedium:
		return assessments.TreatAccept
	}
	return assessments.TreatMitigate
}

func noteOf(sc *scoring.Score) string {
	if len(sc.Findings) == 0 {
		return "No findings: approved for use."
	}
	return fmt.Sprintf("Approved with %d findings tracked to closure.", len(sc.Findings))
}

// upload sends the supplier's evidence for the questions qids.
func (r *run) upload(ctx context.Context, supplier audit.Actor, token string, a *assessments.Assessment, p plan, qids []string) error {
	for _, qid := range qids {
		q, _ := a.Template.Question(qid)
		name, data, err := evidenceFile(r.rng, q, p.Name, r.clock)
		if err != nil {
			return err
		}
		if _, err := r.svc.Upload(ctx, supplier, token, qid, name, bytes.NewReader(data)); err != nil {
			return fmt.Errorf("evidence %s: %w", name, err)
		}
	}
	return nil
}
