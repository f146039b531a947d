package scoring

import (
	"reflect"
	"strings"

	"github.com/assayhq/assay/questionnaires"
)

type kind uint8

const (
	kindNotScored kind = iota // text, long_text, number, date, or choices without scores
	kindFile                  // answered by evidence uploads
	kindSingle                // yes_no, yes_no_na, single_choice
	kindMulti                 // multi_choice
)

// question is a template question resolved for scoring.
type question struct {
	id               string
	kind             kind
	weight           int
	options          []option
	controls         []int32 // indexes into Scorer.controls, deduplicated
	evidenceRequired bool
	conditional      bool // has show_if
}

type option struct {
	value  string
	score  int
	scored bool
}

func newQuestion(q questionnaires.Question) question {
	out := question{
		id:               q.ID,
		weight:           min(max(q.EffectiveWeight(), 1), 5), // the validator enforces 1–5; clamping keeps a bad snapshot from skewing means
		evidenceRequired: q.Evidence != nil && q.Evidence.Required,
		conditional:      q.ShowIf != nil,
	}
	switch q.Type {
	case questionnaires.TypeYesNo, questionnaires.TypeYesNoNA, questionnaires.TypeSingleChoice:
		out.kind = kindSingle
	case questionnaires.TypeMultiChoice:
		out.kind = kindMulti
	case questionnaires.TypeFile:
		out.kind = kindFile
	}
	if out.kind == kindSingle || out.kind == kindMulti {
		anyScored := false
		for _, o := range q.EffectiveOptions() {
			opt := option{value: o.Value}
			if o.Score != nil {
				opt.score = min(max(*o.Score, 0), 100)
				opt.scored = true
				anyScored = true
			}
			out.options = append(out.options, opt)
		}
		// A choice question with no scored option collects information (for
		// example "which cloud provider?"): it has nothing to score.
		if !anyScored {
			out.kind = kindNotScored
			out.options = nil
		}
	}
	return out
}

func (q *question) scored() bool { return q.kind == kindSingle || q.kind == kindMulti }

// choice is what a scored question's answer amounts to.
type choice struct {
	answered   bool // at least one value matched an option
	applicable bool // at least one matched option is scored
	raw        int  // the answer's score, 0–100
}

// evaluate scores an answer to a scored question. Values that match no
// option are ignored, as the portal's validation would have refused them.
// multi_choice adds the scores of the selected options and caps the sum at
// 100, so a checklist earns credit for each practice ticked and ticking an
// extra option never lowers the score.
func (q *question) evaluate(a any) choice {
	var c choice
	switch v := a.(type) {
	case nil:
	case string:
		q.pick(v, &c)
	case []string:
		for _, s := range v {
			q.pick(s, &c)
		}
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				q.pick(s, &c)
			}
		}
	default:
		// Lists decoded from BSON arrive as named slice types
		// (primitive.A); reflection is fine on this rare path.
		rv := reflect.ValueOf(a)
		if rv.Kind() == reflect.Slice {
			for i := range rv.Len() {
				if s, ok := rv.Index(i).Interface().(string); ok {
					q.pick(s, &c)
				}
			}
		}
	}
	c.raw = min(c.raw, 100)
	return c
}

func (q *question) pick(value string, c *choice) {
	if q.kind == kindSingle && c.answered {
		return // a single-choice question takes the first valid value only
	}
	o := q.option(value)
	if o == nil {
		// Stored answers are normalized, so trimming is only a fallback
		// for values that did not come through the portal.
		o = q.option(strings.TrimSpace(value))
	}
	if o == nil {
		return
	}
	c.answered = true
	if o.scored {
		c.applicable = true
		c.raw += o.score
	}
}

func (q *question) option(value string) *option {
	for i := range q.options {
		if q.options[i].value == value {
			return &q.options[i]
		}
	}
	return nil
}

// hasValue reports whether an answer to an unscored question is present,
// treating blank strings and empty lists as no answer like the portal does.
func hasValue(a any) bool {
	switch v := a.(type) {
	case nil:
		return false
	case string:
		return strings.TrimSpace(v) != ""
	case []string:
		return len(v) > 0
	case []any:
		return len(v) > 0
	}
	return true
}

// tally counts what the coverage shares are made of.
type tally struct {
	scorable, answered int // visible scorable questions in scope; those answered
	evWanted, evGiven  int // evidence requests; those met
}

// scoreQuestion scores a visible question from its answer and evidence,
// filling its detail line; raw is where the answer's score is kept for
// d.Raw. Question scores are whole numbers, so every sum made of them is
// exact. counts is false when the question is not part of the score.
func scoreQuestion(q *question, in Input, d *QuestionScore, raw []float64, t *tally) (score int, counts bool) {
	wantsEvidence := q.kind == kindFile || q.evidenceRequired
	if wantsEvidence {
		d.EvidenceRequired = true
		d.EvidenceFiles = max(in.Evidence[q.id], 0)
		d.EvidenceAccepted = in.AcceptedEvidence[q.id]
	}
	evidenceOK := d.EvidenceFiles > 0 || d.EvidenceAccepted

	switch q.kind {
	case kindFile:
		d.Answered = d.EvidenceFiles > 0
		d.Reason = ReasonNotScored
	case kindNotScored:
		d.Answered = hasValue(in.Answers[q.id])
		d.Reason = ReasonNotScored
	default:
		c := q.evaluate(in.Answers[q.id])
		d.Answered = c.answered
		switch {
		case c.answered && !c.applicable:
			// Out of scope like a hidden question: not in the score, not
			// in coverage, and no claim so nothing to prove.
			d.Reason = ReasonNotApplicable
			wantsEvidence = false
		case !c.answered:
			d.Reason = ReasonUnanswered
			counts = true
			t.scorable++
		default:
			d.Reason = ReasonAnswered
			counts = true
			t.scorable++
			t.answered++
			score = c.raw
			raw[0] = float64(c.raw)
			d.Raw = &raw[0]
			if q.evidenceRequired && !evidenceOK && score > EvidenceCap {
				score = EvidenceCap
				d.Capped = true
				d.Reason = ReasonEvidenceMissing
			}
		}
	}
	if wantsEvidence {
		t.evWanted++
		if evidenceOK {
			t.evGiven++
		}
	}
	return score, counts
}
