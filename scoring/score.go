// Package scoring turns a submitted questionnaire into a Score: question,
// control, theme, ISO/IEC 27001:2013 domain and overall scores, a grade, a
// residual risk rating and findings with recommendations. It is plain Go: no
// HTTP, no database. The method is described for auditors in
// docs/scoring.md; MethodVersion names the edition of it a Score was made
// with.
package scoring

import (
	"encoding/json"

	"github.com/assayhq/assay/questionnaires"
)

// MethodVersion identifies the scoring rules. Any change that can alter a
// result for the same input (a rule, a constant, a band, a recommendation
// text) publishes a new version. A stored Score keeps the version it was
// computed with and is never silently recomputed, so a completed assessment
// reads the same years later.
const MethodVersion = "2026.1"

// Input is everything a score depends on. The template is the snapshot the
// assessment was sent with, not the latest version.
type Input struct {
	Template *questionnaires.Template
	Answers  questionnaires.Answers
	// Evidence counts the files uploaded per question id.
	Evidence map[string]int
	// AcceptedEvidence marks questions whose missing evidence a reviewer
	// waived, which lifts the evidence cap.
	AcceptedEvidence map[string]bool
	// Overrides replace a question's score, keyed by question id.
	Overrides map[string]Override
	// Tier is the vendor's tier, 1 (critical) to 4 (low); 0 if unknown.
	Tier int
	// Impact, 1–5, is an explicitly assessed impact (see TierFromIntake);
	// 0 derives it from Tier.
	Impact int
}

// Override is a reviewer's decision to replace a question's computed score.
type Override struct {
	Score  int    `json:"score" bson:"score"`
	Reason string `json:"reason" bson:"reason"`
	By     string `json:"by" bson:"by"`
}

// Score is the result of scoring one assessment. The fields up to
// MethodVersion are the API contract (design/api.md, "Score"); the rest are
// details for the review UI and the report. It is plain data so that a
// stored score of a completed assessment is kept exactly as computed.
type Score struct {
	Overall          float64        `json:"overall" bson:"overall"`
	Grade            string         `json:"grade" bson:"grade"`
	Coverage         float64        `json:"coverage" bson:"coverage"`
	EvidenceCoverage float64        `json:"evidence_coverage" bson:"evidence_coverage"`
	Themes           Scores         `json:"themes" bson:"themes"`
	SupplierControls *float64       `json:"supplier_controls" bson:"supplier_controls"` // nil when no supplier control was assessed
	Domains2013      Scores         `json:"domains_2013" bson:"domains_2013"`
	Controls         []ControlScore `json:"controls" bson:"controls"`
	Risk             Risk           `json:"risk" bson:"risk"`
	Findings         []Finding      `json:"findings" bson:"findings"`
	MethodVersion    string         `json:"method_version" bson:"method_version"`

	// Questions has one entry per template question, in reading order.
	Questions []QuestionScore `json:"questions" bson:"questions"`
	// Overrides lists every override given, applied or not, in reading
	// order (unknown question ids last, sorted).
	Overrides []OverrideRecord `json:"overrides" bson:"overrides"`
	// NotAssessed lists the controls the questionnaire asks about but on
	// which no question was answered: they are left out of Controls yet
	// count as 0 in the aggregates (see docs/scoring.md).
	NotAssessed []string `json:"not_assessed" bson:"not_assessed"`
}

// ControlScore is the score of one ISO/IEC 27001:2022 control.
type ControlScore struct {
	ID        string   `json:"id" bson:"id"`
	Title     string   `json:"title" bson:"title"`
	Score     float64  `json:"score" bson:"score"`
	Questions []string `json:"questions" bson:"questions"` // the questions counted, in reading order
	Theme     string   `json:"theme" bson:"theme"`
	Weight    int      `json:"weight" bson:"weight"` // sum of the counted questions' weights
}

// Risk is the vendor's risk rating on a 5×5 likelihood × impact matrix.
type Risk struct {
	Inherent   int   `json:"inherent" bson:"inherent"`
	Likelihood int   `json:"likelihood" bson:"likelihood"`
	Impact     int   `json:"impact" bson:"impact"`
	Residual   Level `json:"residual" bson:"residual"`
}

// Finding is a control gap a reviewer should act on.
type Finding struct {
	Control        string   `json:"control" bson:"control"`
	Severity       Level    `json:"severity" bson:"severity"`
	Title          string   `json:"title" bson:"title"`
	Recommendation string   `json:"recommendation" bson:"recommendation"`
	Questions      []string `json:"questions" bson:"questions"` // the control's questions scoring below FindingThreshold
	Score          float64  `json:"score" bson:"score"`
	Priority       float64  `json:"priority" bson:"priority"` // the number the severity band was read from
	Key            bool     `json:"key" bson:"key"`
}

// QuestionScore explains how one question was scored. It stays small (one
// per question, every time) so that scoring allocates little; the override
// reasons are in Score.Overrides.
type QuestionScore struct {
	ID     string   `json:"id" bson:"id"`
	Score  *float64 `json:"score" bson:"score"`                 // nil when the question does not count
	Raw    *float64 `json:"raw,omitempty" bson:"raw,omitempty"` // the answer's score before cap and override
	Weight int      `json:"weight" bson:"weight"`
	Reason Reason   `json:"reason" bson:"reason"`
	// EvidenceFiles counts the files uploaded for a question that asks for
	// evidence.
	EvidenceFiles int `json:"evidence_files,omitempty" bson:"evidence_files,omitempty"`
	// Visible is false when the question's show_if condition is not met.
	Visible bool `json:"visible" bson:"visible"`
	// Answered is true when the supplier gave a value (or, for a file
	// question, uploaded a file).
	Answered         bool `json:"answered" bson:"answered"`
	Capped           bool `json:"capped" bson:"capped"`
	Overridden       bool `json:"overridden" bson:"overridden"`
	EvidenceRequired bool `json:"evidence_required,omitempty" bson:"evidence_required,omitempty"`
	EvidenceAccepted bool `json:"evidence_accepted,omitempty" bson:"evidence_accepted,omitempty"`
}

// Reason says which rule decided a question's score.
type Reason string

const (
	ReasonAnswered        Reason = "answered"         // scored from the chosen option(s)
	ReasonUnanswered      Reason = "unanswered"       // visible, scorable, no answer: counts as 0
	ReasonEvidenceMissing Reason = "evidence_missing" // required evidence missing: capped at EvidenceCap
	ReasonOverride        Reason = "override"         // a reviewer replaced the score
	ReasonNotApplicable   Reason = "not_applicable"   // answered with an unscored option such as "na"
	ReasonHidden          Reason = "hidden"           // show_if not met
	ReasonNotScored       Reason = "not_scored"       // text, number, date, file, or no scored option
)

// OverrideRecord is the audit trail of one reviewer override.
type OverrideRecord struct {
	Question string   `json:"question" bson:"question"`
	Score    float64  `json:"score" bson:"score"`
	Previous *float64 `json:"previous" bson:"previous"` // the score without the override; nil if it did not count
	Reason   string   `json:"reason" bson:"reason"`
	By       string   `json:"by" bson:"by"`
	// Applied is false for an override on a hidden, unscorable or unknown
	// question, which cannot change the score.
	Applied bool `json:"applied" bson:"applied"`
}

// MarshalJSON writes empty lists as [] rather than null, whether the Score
// was just computed or decoded from storage, so API clients see one shape.
func (s Score) MarshalJSON() ([]byte, error) {
	type plain Score // drops the method, avoiding recursion
	p := plain(s)
	p.Controls = nonNil(p.Controls)
	p.Findings = nonNil(p.Findings)
	p.Questions = nonNil(p.Questions)
	p.Overrides = nonNil(p.Overrides)
	p.NotAssessed = nonNil(p.NotAssessed)
	return json.Marshal(p)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Compute scores one assessment. It indexes the template on every call;
// scoring many assessments of one template should reuse a Scorer.
func Compute(in Input) Score {
	return NewScorer(in.Template).Score(in)
}
