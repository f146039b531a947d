package main

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"time"

	"github.com/assayhq/assay/questionnaires"
)

// plan is how one simulated supplier fills in a questionnaire: an answer
// to every question that ends up visible, in reading order, and the
// questions that get a file.
type plan struct {
	answers []planned
	files   []string // question ids, in reading order
}

type planned struct {
	qid   string
	value any // as sent in JSON
}

// planFor answers t as supplier seed would: choices drawn from the seed,
// texts that name the supplier, so that every supplier's answers differ
// and a mixed-up write would show. Conditions refer only to earlier
// questions, so answering in reading order settles each one's visibility
// before it is reached. The files go to every visible required file
// question, then to other questions that take evidence, nfiles at least;
// when the drawn answers hide every question that takes files, the
// supplier answers yes throughout instead.
func planFor(t *questionnaires.Template, seed uint64, nfiles int) plan {
	p := planAnswers(t, seed, nfiles, false)
	if len(p.files) < nfiles {
		p = planAnswers(t, seed, nfiles, true)
	}
	return p
}

func planAnswers(t *questionnaires.Template, seed uint64, nfiles int, allYes bool) plan {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	given := questionnaires.Answers{}
	var p plan
	var optional []string
	for _, sec := range t.Sections {
		for _, q := range sec.Questions {
			if !questionnaires.Visible(t, given)[q.ID] {
				continue
			}
			if q.Type == questionnaires.TypeFile {
				if q.Required {
					p.files = append(p.files, q.ID)
				} else {
					optional = append(optional, q.ID)
				}
				continue
			}
			if q.Evidence != nil {
				optional = append(optional, q.ID)
			}
			v := answerFor(q, rng, seed)
			if allYes && (q.Type == questionnaires.TypeYesNo || q.Type == questionnaires.TypeYesNoNA) {
				v = questionnaires.AnswerYes
			}
			given[q.ID] = v
			p.answers = append(p.answers, planned{q.ID, v})
		}
	}
	// A questionnaire with fewer questions that take files than nfiles
	// gets several files on one question, as suppliers often send.
	candidates := append(append([]string{}, optional...), p.files...)
	for i := 0; len(p.files) < nfiles && len(candidates) > 0; i++ {
		p.files = append(p.files, candidates[i%len(candidates)])
	}
	return p
}

// answerFor returns a valid answer to q. Yes/no questions lean to yes, as
// most suppliers' answers do, which also opens the follow-up questions.
func answerFor(q questionnaires.Question, rng *rand.Rand, seed uint64) any {
	opts := q.EffectiveOptions()
	switch q.Type {
	case questionnaires.TypeYesNo, questionnaires.TypeYesNoNA:
		if rng.IntN(4) > 0 {
			return questionnaires.AnswerYes
		}
		return opts[rng.IntN(len(opts))].Value
	case questionnaires.TypeSingleChoice:
		return opts[rng.IntN(len(opts))].Value
	case questionnaires.TypeMultiChoice:
		var out []string
		for _, o := range opts {
			if rng.IntN(2) == 0 {
				out = append(out, o.Value)
			}
		}
		if len(out) == 0 {
			out = []string{opts[0].Value}
		}
		return out
	case questionnaires.TypeNumber:
		return float64(rng.IntN(1000))
	case questionnaires.TypeDate:
		return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(700)).Format(questionnaires.DateLayout)
	case questionnaires.TypeLongText:
		return fmt.Sprintf("Supplier %d on %s:\nwe do this, and keep the records for audit. (%d)", seed, q.ID, rng.IntN(1e6))
	default:
		return fmt.Sprintf("Supplier %d, %s %d", seed, q.ID, rng.IntN(1e6))
	}
}

// sameAnswer compares an answer as stored with the value sent; the stored
// form is the normalised one (lists of choices in the template's order).
func sameAnswer(q questionnaires.Question, sent, stored any) bool {
	want, err := questionnaires.ValidateAnswer(q, sent)
	if err != nil {
		return false
	}
	if w, ok := want.([]string); ok {
		s, ok := stored.([]string)
		return ok && slices.Equal(w, s)
	}
	return reflect.DeepEqual(want, stored)
}
