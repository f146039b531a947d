// Package assessments is the lifecycle of one questionnaire sent to one
// vendor: send, answer, upload evidence, submit, clarify, review, complete.
// It holds the rules of who may do what when; storage, mail and files are
// behind the small interfaces it defines.
package assessments

import (
	"time"

	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/scoring"
)

// Status is where an assessment is in its lifecycle:
// sent → in_progress → submitted → (clarification_requested → in_progress →
// submitted)* → completed; also revoked and expired.
type Status string

const (
	StatusSent                   Status = "sent"
	StatusInProgress             Status = "in_progress"
	StatusSubmitted              Status = "submitted"
	StatusClarificationRequested Status = "clarification_requested"
	StatusCompleted              Status = "completed"
	StatusRevoked                Status = "revoked"
	StatusExpired                Status = "expired"
)

// Open reports whether the supplier may still write answers.
func (s Status) Open() bool {
	return s == StatusSent || s == StatusInProgress || s == StatusClarificationRequested
}

// Treatment is the ISO/IEC 27001 risk treatment decided for a finding or a
// whole assessment.
type Treatment string

const (
	TreatAccept   Treatment = "accept"
	TreatMitigate Treatment = "mitigate"
	TreatTransfer Treatment = "transfer"
	TreatAvoid    Treatment = "avoid"
)

// Valid reports whether t is one of the four treatments.
func (t Treatment) Valid() bool {
	return t == TreatAccept || t == TreatMitigate || t == TreatTransfer || t == TreatAvoid
}

// Assessment is one questionnaire sent to one vendor. Answers, reviews and
// reopened questions are maps keyed by question id, and a change merges
// into them question by question (Change), so two tabs never overwrite
// each other's answers.
type Assessment struct {
	ID              string                    `bson:"_id" json:"id"`
	VendorID        string                    `bson:"vendor_id" json:"vendor_id"`
	VendorName      string                    `bson:"vendor_name" json:"vendor_name"`
	VendorTier      int                       `bson:"vendor_tier" json:"vendor_tier"`
	TemplateKey     string                    `bson:"template_key" json:"template_key"`
	TemplateVersion int                       `bson:"template_version" json:"template_version"`
	TemplateTitle   string                    `bson:"template_title" json:"-"` // as sent, so that lists name it without the snapshot
	Template        *questionnaires.Template  `bson:"template" json:"-"`       // the exact version sent: later edits never reach it
	ContactName     string                    `bson:"contact_name" json:"contact_name"`
	ContactEmail    string                    `bson:"contact_email" json:"contact_email"`
	Message         string                    `bson:"message,omitempty" json:"message,omitempty"`
	DueDate         time.Time                 `bson:"due_date" json:"due_date"`
	ExpiresAt       time.Time                 `bson:"expires_at" json:"expires_at"`
	TokenHash       string                    `bson:"token_hash" json:"-"` // SHA-256 of the link's token; the token itself is never stored
	Status          Status                    `bson:"status" json:"status"`
	Answers         map[string]Answer         `bson:"answers" json:"-"`
	Reviews         map[string]QuestionReview `bson:"reviews" json:"-"`
	Reopened        map[string]Clarification  `bson:"reopened" json:"-"`              // questions reopened for clarification, open now
	Clarifications  []Clarification           `bson:"clarifications" json:"-"`        // history
	Score           *scoring.Score            `bson:"score,omitempty" json:"-"`       // live, recomputed on every save
	FinalScore      *scoring.Score            `bson:"final_score,omitempty" json:"-"` // recorded at completion, never recomputed
	Findings        []FindingDecision         `bson:"findings,omitempty" json:"-"`
	Decision        *Decision                 `bson:"decision,omitempty" json:"-"`
	PreviousID      string                    `bson:"previous_id,omitempty" json:"-"` // the last submitted assessment of the same vendor and template
	CreatedBy       string                    `bson:"created_by" json:"-"`
	CreatedAt       time.Time                 `bson:"created_at" json:"created_at"`
	UpdatedAt       time.Time                 `bson:"updated_at" json:"updated_at"`
	StartedAt       time.Time                 `bson:"started_at,omitempty" json:"-"`
	SubmittedAt     time.Time                 `bson:"submitted_at,omitempty" json:"-"`
	CompletedAt     time.Time                 `bson:"completed_at,omitempty" json:"-"`
	Version         int64                     `bson:"version" json:"-"` // bumped on every write, for optimistic checks
	// LinkSentAt is when the current link was mailed: reminders name that
	// invitation, since the token itself is never stored.
	LinkSentAt time.Time `bson:"link_sent_at" json:"-"`
	// Progress is kept beside the live score so that lists show it without
	// loading the template snapshot.
	Progress questionnaires.ProgressCounts `bson:"progress" json:"-"`
	// Files are the assessment's evidence records, oldest first, as the
	// Store read them with it (Get, ByTokenHash, Modify); lists leave them
	// out. EvidenceStore writes them.
	Files []Evidence `bson:"-" json:"-"`
}

// Answer is one stored answer. The value is kept typed because BSON has no
// single Go type for "string, list or number".
type Answer struct {
	Text      string    `bson:"text,omitempty"`
	List      []string  `bson:"list,omitempty"`
	Number    *float64  `bson:"number,omitempty"`
	UpdatedAt time.Time `bson:"updated_at"`
	// Prefilled marks an answer carried over from the vendor's previous
	// assessment and not yet confirmed or changed by the supplier.
	Prefilled bool `bson:"prefilled,omitempty"`
}

// Value returns the answer as questionnaires.Answers holds it.
func (a Answer) Value() any {
	switch {
	case a.Number != nil:
		return *a.Number
	case a.List != nil:
		return a.List
	case a.Text != "":
		return a.Text
	}
	return nil
}

// AnswerOf stores a normalised value (see questionnaires.ValidateAnswer).
func AnswerOf(v any, at time.Time) Answer {
	a := Answer{UpdatedAt: at}
	switch x := v.(type) {
	case float64:
		a.Number = &x
	case []string:
		a.List = x
	case string:
		a.Text = x
	}
	return a
}

// Evidence is one uploaded file. The object lives in the bucket under the
// assessment's prefix; the record is written only once the object is
// complete, so a cut-off upload leaves no record.
type Evidence struct {
	ID           string    `bson:"_id" json:"id"`
	AssessmentID string    `bson:"assessment_id" json:"-"`
	QuestionID   string    `bson:"question_id" json:"question_id"`
	Filename     string    `bson:"filename" json:"filename"`
	Size         int64     `bson:"size" json:"size"`
	SHA256       string    `bson:"sha256" json:"sha256"`
	ContentType  string    `bson:"content_type" json:"content_type"`
	ObjectKey    string    `bson:"object_key" json:"-"`
	UploadedAt   time.Time `bson:"uploaded_at" json:"uploaded_at"`
	// CarriedFrom names the assessment whose evidence this reuses in a
	// reassessment.
	CarriedFrom string `bson:"carried_from,omitempty" json:"-"`
}

// Clarification is a reviewer's question about one answer.
type Clarification struct {
	QuestionID string    `bson:"question_id" json:"question_id"`
	Comment    string    `bson:"comment" json:"comment"`
	By         string    `bson:"by" json:"by"`
	At         time.Time `bson:"at" json:"at"`
	AnsweredAt time.Time `bson:"answered_at,omitempty" json:"answered_at,omitzero"`
}

// QuestionReview is a reviewer's verdict on one answer.
type QuestionReview struct {
	Status   string            `bson:"status,omitempty" json:"status,omitempty"` // accepted, flagged
	Comment  string            `bson:"comment,omitempty" json:"comment,omitempty"`
	Override *scoring.Override `bson:"override,omitempty" json:"override,omitempty"`
	// EvidenceAccepted lifts the missing-evidence cap on this question.
	EvidenceAccepted bool      `bson:"evidence_accepted,omitempty" json:"evidence_accepted,omitempty"`
	By               string    `bson:"by" json:"by"`
	At               time.Time `bson:"at" json:"at"`
}

// FindingDecision is the treatment recorded for one finding of the score.
type FindingDecision struct {
	Control   string    `bson:"control" json:"control"`
	Treatment Treatment `bson:"treatment" json:"treatment"`
	Owner     string    `bson:"owner,omitempty" json:"owner,omitempty"`
	DueDate   time.Time `bson:"due_date,omitempty" json:"due_date,omitzero"`
	Status    string    `bson:"status" json:"status"` // open, in_progress, done
	Note      string    `bson:"note,omitempty" json:"note,omitempty"`
	// RemediationSentAt records when the mitigation was mailed to the vendor.
	RemediationSentAt time.Time `bson:"remediation_sent_at,omitempty" json:"remediation_sent_at,omitzero"`
}

// Decision is the outcome of a completed assessment.
type Decision struct {
	Treatment Treatment `bson:"treatment" json:"decision"`
	Note      string    `bson:"note,omitempty" json:"note,omitempty"`
	By        string    `bson:"by" json:"by"`
	At        time.Time `bson:"at" json:"at"`
}

// QuestionnaireTitle names the questionnaire for people: the title it was
// sent with; for an assessment stored before titles were kept, the title of
// its template snapshot when loaded, or else the template's key.
func (a *Assessment) QuestionnaireTitle() string {
	switch {
	case a.TemplateTitle != "":
		return a.TemplateTitle
	case a.Template != nil && a.Template.Title != "":
		return a.Template.Title
	}
	return a.TemplateKey
}

// AnswerValues returns the answers as the questionnaire and scoring
// packages take them.
func (a *Assessment) AnswerValues() questionnaires.Answers {
	out := make(questionnaires.Answers, len(a.Answers))
	for id, ans := range a.Answers {
		if v := ans.Value(); v != nil {
			out[id] = v
		}
	}
	return out
}
