// Package report builds the vendor risk report of one assessment, the
// document an auditor reads: executive summary, scope, methodology,
// findings, non-conformities by severity, recommendations and an appendix
// with every answer and evidence file. Build makes the Report model from the
// assessment, its score, its evidence and the vendor (plain Go); WritePDF
// and WriteCSV render it, the handlers render the HTML page and the JSON.
package report

import (
	"time"

	"github.com/assayhq/assay/scoring"
)

// Report is the vendor risk report of one assessment.
type Report struct {
	Company     string    `json:"company"` // who assessed the vendor
	GeneratedAt time.Time `json:"generated_at"`
	// Final is true once the assessment is completed: the figures are the
	// recorded ones and will never change. Otherwise the report is a draft
	// from the live score.
	Final      bool       `json:"final"`
	Assessment Assessment `json:"assessment"`
	Vendor     Vendor     `json:"vendor"`
	People     People     `json:"people"`
	Summary    Summary    `json:"summary"`
	Controls   []Control  `json:"controls"`
	Findings   []Finding  `json:"findings"`
	// NonConformities groups the findings by severity, most severe first,
	// every severity listed even when empty.
	NonConformities []SeverityGroup  `json:"nonconformities"`
	Recommendations []Recommendation `json:"recommendations"`
	Answers         []Answer         `json:"answers"`
	Evidence        []Evidence       `json:"evidence"`
}

// Assessment is the scope's questionnaire and its dates.
type Assessment struct {
	ID              string    `json:"id"`
	Status          string    `json:"status"`
	TemplateKey     string    `json:"template_key"`
	TemplateTitle   string    `json:"template_title"`
	TemplateVersion int       `json:"template_version"`
	Questions       int       `json:"questions"`
	SentAt          time.Time `json:"sent_at"`
	DueDate         time.Time `json:"due_date"`
	SubmittedAt     time.Time `json:"submitted_at,omitzero"`
	CompletedAt     time.Time `json:"completed_at,omitzero"`
}

// Vendor is who was assessed.
type Vendor struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Website    string    `json:"website,omitempty"`
	Services   string    `json:"services,omitempty"`
	Tier       int       `json:"tier"`
	TierLabel  string    `json:"tier_label"`
	OwnerName  string    `json:"owner_name,omitempty"`
	OwnerEmail string    `json:"owner_email,omitempty"`
	Contacts   []Contact `json:"contacts"`
}

// Contact is a person at the vendor.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email"`
}

// People are who took part: the supplier's respondent, the reviewers (who
// reviewed answers, asked for clarification or owned findings) and who
// decided.
type People struct {
	Respondent Contact  `json:"respondent"`
	Reviewers  []string `json:"reviewers"`
	DecidedBy  string   `json:"decided_by,omitempty"`
}

// Summary is the executive summary.
type Summary struct {
	Overall          float64        `json:"overall"`
	Grade            string         `json:"grade"`
	Residual         scoring.Level  `json:"residual"`
	Inherent         int            `json:"inherent"`
	Likelihood       int            `json:"likelihood"`
	Impact           int            `json:"impact"`
	Coverage         float64        `json:"coverage"`
	EvidenceCoverage float64        `json:"evidence_coverage"`
	Themes           scoring.Scores `json:"themes"`
	SupplierControls *float64       `json:"supplier_controls"`
	Domains2013      scoring.Scores `json:"domains_2013"`
	MethodVersion    string         `json:"method_version"`
	Decision         *Decision      `json:"decision"`
	Overrides        int            `json:"overrides"` // reviewer overrides applied
}

// Decision is the treatment decided for the vendor's risk.
type Decision struct {
	Treatment string    `json:"treatment"`
	Note      string    `json:"note,omitempty"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// Control is one assessed ISO/IEC 27001:2022 control.
type Control struct {
	ID    string  `json:"id"`
	Title string  `json:"title"`
	Theme string  `json:"theme"`
	Score float64 `json:"score"`
}

// Finding is a control gap with what was decided about it.
type Finding struct {
	Control        string        `json:"control"`
	Title          string        `json:"title"`
	Severity       scoring.Level `json:"severity"`
	Score          float64       `json:"score"`
	Priority       float64       `json:"priority"`
	Key            bool          `json:"key"`
	Recommendation string        `json:"recommendation"`
	Questions      []QuestionRef `json:"questions"`
	// The treatment decision, empty while undecided.
	Treatment string    `json:"treatment,omitempty"`
	Status    string    `json:"status"` // open, in_progress, done
	Owner     string    `json:"owner,omitempty"`
	DueDate   time.Time `json:"due_date,omitzero"`
	Note      string    `json:"note,omitempty"`
}

// QuestionRef names a question behind a finding.
type QuestionRef struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// SeverityGroup is the non-conformities of one severity.
type SeverityGroup struct {
	Severity scoring.Level `json:"severity"`
	Controls []string      `json:"controls"`
}

// Recommendation is what the vendor should do about one finding.
type Recommendation struct {
	Control   string        `json:"control"`
	Severity  scoring.Level `json:"severity"`
	Text      string        `json:"text"`
	Treatment string        `json:"treatment,omitempty"`
}

// Answer is one question of the questionnaire with the supplier's answer
// and its score.
type Answer struct {
	Section    string         `json:"section"`
	QuestionID string         `json:"question_id"`
	Question   string         `json:"question"`
	Type       string         `json:"type"`
	Answer     string         `json:"answer"` // as the supplier saw it: option labels, not values
	Score      *float64       `json:"score"`  // nil when the question does not count
	Reason     scoring.Reason `json:"reason"`
	Controls   []string       `json:"controls"`
	Evidence   []string       `json:"evidence"` // file names
	Review     string         `json:"review,omitempty"`
	Override   *Override      `json:"override,omitempty"`
}

// Override is a reviewer's replacement of a question's score.
type Override struct {
	Score  int    `json:"score"`
	Reason string `json:"reason"`
	By     string `json:"by"`
}

// Evidence is one uploaded file, identified by its SHA-256.
type Evidence struct {
	ID          string    `json:"id"`
	QuestionID  string    `json:"question_id"`
	Filename    string    `json:"filename"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	ContentType string    `json:"content_type"`
	UploadedAt  time.Time `json:"uploaded_at"`
}
