package demo

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/assayhq/assay/questionnaires"
	"github.com/go-pdf/fpdf"
)

// answerSet is what a supplier answers in one sitting: the answers, and
// the questions it uploads a file for.
type answerSet struct {
	Answers map[string]any
	Files   []string
}

// answer chooses plausible answers to t for a supplier whose practices are
// in place with probability maturity, answering the share (0–1] of the
// questions it sees, in reading order. Only visible questions are answered,
// as in the portal; a file question, or one asking for evidence, gets a
// file when the practice is in place.
func answer(rng *rand.Rand, t *questionnaires.Template, vendor string, maturity, share float64, at time.Time) answerSet {
	set := answerSet{Answers: map[string]any{}}
	values := questionnaires.Answers{}
	qs := t.Questions()
	limit := max(1, int(share*float64(len(qs))))
	for i, q := range qs {
		if i >= limit {
			break
		}
		if !questionnaires.Visible(t, values)[q.ID] {
			continue
		}
		if !q.Required && rng.Float64() < 0.1 {
			continue // optional questions are sometimes skipped
		}
		v := value(rng, q, vendor, maturity, at)
		if v != nil {
			set.Answers[q.ID] = v
			values[q.ID] = v
		}
		wantsFile := q.Type == questionnaires.TypeFile || (q.Evidence != nil && v != nil && v != questionnaires.AnswerNo)
		// A required file question must have one for the questionnaire to
		// be submitted.
		if wantsFile && (q.Required && q.Type == questionnaires.TypeFile || rng.Float64() < maturity) {
			set.Files = append(set.Files, q.ID)
		}
	}
	return set
}

// followUps answers the required questions that a changed answer reveals:
// given holds every answer and file so far, with the change. A supplier
// turning a "no" into a "yes" is then asked the questions behind it (the
// certificate's scope and date, say), and cannot submit without them.
func followUps(rng *rand.Rand, t *questionnaires.Template, given answerSet, vendor string, at time.Time) answerSet {
	set := answerSet{Answers: map[string]any{}}
	values := questionnaires.Answers{}
	for id, v := range given.Answers {
		values[id] = v
	}
	for _, q := range t.Questions() {
		_, answered := values[q.ID]
		if answered || !q.Required || slices.Contains(given.Files, q.ID) || !questionnaires.Visible(t, values)[q.ID] {
			continue
		}
		if q.Type == questionnaires.TypeFile {
			set.Files = append(set.Files, q.ID)
			continue
		}
		if v := value(rng, q, vendor, 1, at); v != nil {
			set.Answers[q.ID] = v
			values[q.ID] = v
		}
	}
	return set
}

// value is one answer of the question's type.
func value(rng *rand.Rand, q questionnaires.Question, vendor string, maturity float64, at time.Time) any {
	opts := q.EffectiveOptions()
	switch q.Type {
	case questionnaires.TypeYesNo, questionnaires.TypeYesNoNA, questionnaires.TypeSingleChoice:
		return choose(rng, opts, maturity)
	case questionnaires.TypeMultiChoice:
		var picked []string
		for _, o := range opts {
			if o.Score != nil && *o.Score > 0 && rng.Float64() < maturity || o.Score == nil && rng.Float64() < 0.3 {
				picked = append(picked, o.Value)
			}
		}
		if len(picked) == 0 && len(opts) > 0 {
			picked = []string{opts[rng.IntN(len(opts))].Value}
		}
		return picked
	case questionnaires.TypeText:
		if strings.Contains(q.ID, "name") {
			return vendor + " Ltd"
		}
		return texts[rng.IntN(len(texts))]
	case questionnaires.TypeLongText:
		a, b := rng.IntN(len(paragraphs)), rng.IntN(len(paragraphs))
		if a == b {
			return paragraphs[a]
		}
		return paragraphs[a] + " " + paragraphs[b]
	case questionnaires.TypeNumber:
		return float64(1 + rng.IntN(60))
	case questionnaires.TypeDate:
		return at.AddDate(0, 0, -rng.IntN(300)).Format(questionnaires.DateLayout)
	}
	return nil // file questions are answered by uploads
}

// choose picks the best-scoring option with probability maturity, else one
// of the others; "not applicable" now and then; an unscored question (it
// only collects information) gets any option.
func choose(rng *rand.Rand, opts []questionnaires.Option, maturity float64) any {
	if len(opts) == 0 {
		return nil
	}
	var scored, unscored []questionnaires.Option
	for _, o := range opts {
		if o.Score != nil {
			scored = append(scored, o)
		} else {
			unscored = append(unscored, o)
		}
	}
	if len(scored) == 0 {
		return opts[rng.IntN(len(opts))].Value
	}
	if len(unscored) > 0 && rng.Float64() < 0.05 {
		return unscored[0].Value
	}
	slices.SortStableFunc(scored, func(a, b questionnaires.Option) int { return *b.Score - *a.Score })
	if rng.Float64() < maturity || len(scored) == 1 {
		return scored[0].Value
	}
	return scored[1+rng.IntN(len(scored)-1)].Value
}

var texts = []string{
	"Described in our information security policy, section 4.",
	"Our Head of Security, reporting to the CTO.",
	"Reviewed every year by our external auditor.",
	"AWS eu-west-1 (Ireland) and eu-central-1 (Frankfurt).",
	"security@ our company domain, monitored around the clock.",
}

var paragraphs = []string{
	"We follow a documented process owned by the security team and reviewed every year.",
	"Access is granted on request, approved by the data owner and removed on leaving.",
	"Changes are peer reviewed, tested in staging and released through the pipeline.",
	"Incidents are triaged within one hour and customers are told within 24 hours of confirmation.",
	"Our suppliers sign data processing agreements and are reviewed before onboarding.",
	"Backups run nightly, are encrypted and are restored in a test every quarter.",
}

// evidenceFile makes a small document to upload for question q: a one-page
// PDF naming the vendor, the question and the date, or for a few a plain
// text policy extract, so the evidence list shows both kinds.
func evidenceFile(rng *rand.Rand, q questionnaires.Question, vendor string, at time.Time) (name string, data []byte, err error) {
	slug := strings.ReplaceAll(q.ID, ".", "-")
	if rng.IntN(5) == 0 {
		text := fmt.Sprintf("%s\nPolicy extract for: %s\nApproved %s by the management board.\n\n%s\n",
			vendor, q.Text, at.Format("2 January 2006"), strings.Join(paragraphs[:3], "\n"))
		return slug + "-policy.txt", []byte(text), nil
	}
	f := fpdf.New("P", "mm", "A4", "")
	tr := f.UnicodeTranslatorFromDescriptor("")
	f.SetCreationDate(at)
	f.SetModificationDate(at)
	f.AddPage()
	f.SetFont("Helvetica", "B", 16)
	f.CellFormat(0, 10, tr(vendor), "", 1, "L", false, 0, "")
	f.SetFont("Helvetica", "", 11)
	f.MultiCell(0, 6, tr("Evidence for: "+q.Text), "", "L", false)
	f.Ln(4)
	hint := "Supporting document"
	if q.Evidence != nil && q.Evidence.Hint != "" {
		hint = q.Evidence.Hint
	}
	f.MultiCell(0, 6, tr(hint+", issued "+at.Format("2 January 2006")+". This is a generated demo document."), "", "L", false)
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return "", nil, fmt.Errorf("demo evidence: %w", err)
	}
	return fmt.Sprintf("%s-%d.pdf", slug, at.Year()), buf.Bytes(), nil
}
