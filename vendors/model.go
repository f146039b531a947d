// Package vendors is the register of third parties: who they are, who owns
// the relationship, how critical they are (tier) and where their risk stands
// after the last completed assessment. It is plain Go; storage sits behind
// the Store interface and staff lookups behind Directory.
package vendors

import (
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/questionnaires"
)

// Status says whether a vendor is in use. Archived vendors keep their
// history but receive no new questionnaires.
type Status string

const (
	StatusActive   Status = "active"
	StatusArchived Status = "archived"
)

// TierSource records how the tier was set.
type TierSource string

const (
	TierManual TierSource = "manual" // chosen by procurement
	TierIntake TierSource = "intake" // computed from the vendor-intake questionnaire
)

// IntakeTemplateKey is the built-in questionnaire procurement answers to
// rate a vendor's inherent risk.
const IntakeTemplateKey = "vendor-intake"

// MaxHistory caps ScoreHistory: the trend chart shows the last few years of
// assessments, and the document must not grow without bound.
const MaxHistory = 40

// Contact is a person at the vendor who receives questionnaires.
type Contact struct {
	Name  string `bson:"name" json:"name"`
	Email string `bson:"email" json:"email"`
}

// ScorePoint is one completed assessment's result, for the trend chart.
type ScorePoint struct {
	AssessmentID string    `bson:"assessment_id" json:"assessment_id"`
	At           time.Time `bson:"at" json:"at"`
	Overall      float64   `bson:"overall" json:"overall"`
	Grade        string    `bson:"grade" json:"grade"`
	Residual     string    `bson:"residual" json:"residual"`
}

// Vendor is one third party in the register.
type Vendor struct {
	ID        string `bson:"_id" json:"id"`
	Name      string `bson:"name" json:"name"`
	NameLower string `bson:"name_lower" json:"-"` // sorting and search without a collation, which FerretDB lacks
	Website   string `bson:"website,omitempty" json:"website,omitempty"`
	Services  string `bson:"services,omitempty" json:"services,omitempty"`
	OwnerID   string `bson:"owner_id,omitempty" json:"owner_id,omitempty"`
	// Owner name and email are copied at save time so the vendor reads
	// whole on its own; lists refresh them with one query per page.
	OwnerEmail string     `bson:"owner_email,omitempty" json:"owner_email,omitempty"`
	OwnerName  string     `bson:"owner_name,omitempty" json:"owner_name,omitempty"`
	Contacts   []Contact  `bson:"contacts" json:"contacts"`
	Tags       []string   `bson:"tags" json:"tags"`
	Tier       int        `bson:"tier" json:"tier"`
	TierSource TierSource `bson:"tier_source" json:"tier_source"`
	Status     Status     `bson:"status" json:"status"`

	IntakeAnswers map[string]assessments.Answer `bson:"intake_answers,omitempty" json:"-"`
	IntakeAt      time.Time                     `bson:"intake_at,omitempty" json:"intake_at,omitzero"`

	// Current risk, from the last completed assessment.
	LatestScore      *float64              `bson:"latest_score,omitempty" json:"latest_score"`
	Grade            string                `bson:"grade,omitempty" json:"grade,omitempty"`
	ResidualRisk     string                `bson:"residual_risk,omitempty" json:"residual_risk"`
	RiskRank         int                   `bson:"risk_rank" json:"-"` // residual risk as a number, for sorting
	LastAssessmentID string                `bson:"last_assessment_id,omitempty" json:"last_assessment_id,omitempty"`
	LastAssessedAt   time.Time             `bson:"last_assessed_at,omitempty" json:"last_assessed_at,omitzero"`
	NextReviewAt     time.Time             `bson:"next_review_at,omitempty" json:"next_review_at,omitzero"`
	Decision         assessments.Treatment `bson:"decision,omitempty" json:"decision,omitempty"`
	ScoreHistory     []ScorePoint          `bson:"score_history" json:"score_history"`

	// Overdue is set by the reminders scheduler: the vendor has an open
	// assessment past its due date.
	Overdue bool `bson:"overdue" json:"overdue"`

	CreatedAt time.Time `bson:"created_at" json:"created_at"`
	UpdatedAt time.Time `bson:"updated_at" json:"updated_at"`
}

// IntakeValues returns the stored intake answers as the questionnaires and
// scoring packages take them.
func (v Vendor) IntakeValues() questionnaires.Answers {
	out := make(questionnaires.Answers, len(v.IntakeAnswers))
	for id, a := range v.IntakeAnswers {
		if x := a.Value(); x != nil {
			out[id] = x
		}
	}
	return out
}

// TierLabel names the vendor's tier for people.
func (v Vendor) TierLabel() string { return TierLabel(v.Tier) }

// Tier is a tier as forms offer it.
type Tier struct {
	Value int
	Label string
}

// Tiers lists the four tiers, most critical first.
func Tiers() []Tier {
	return []Tier{{1, TierLabel(1)}, {2, TierLabel(2)}, {3, TierLabel(3)}, {4, TierLabel(4)}}
}

// Archived reports whether the vendor is archived.
func (v Vendor) Archived() bool { return v.Status == StatusArchived }

// Residual risk levels, lowest first; their rank orders vendors by risk.
var riskLevels = []string{"low", "medium", "high", "critical"}

// RiskLevels lists the residual risk levels, lowest first.
func RiskLevels() []string { return append([]string(nil), riskLevels...) }

// RiskRank is 1 (low) … 4 (critical), 0 when unknown.
func RiskRank(level string) int {
	for i, l := range riskLevels {
		if l == level {
			return i + 1
		}
	}
	return 0
}

// TierLabel names a tier for people.
func TierLabel(tier int) string {
	switch tier {
	case 1:
		return "1 · critical"
	case 2:
		return "2 · high"
	case 3:
		return "3 · moderate"
	case 4:
		return "4 · low"
	}
	return "—"
}

// NextReview is when a vendor completed at from is due for reassessment:
// the assessments package's interval for its tier.
func NextReview(tier int, from time.Time) time.Time {
	months, ok := assessments.DefaultReviewMonths[tier]
	if !ok {
		months = 24
	}
	return from.AddDate(0, months, 0)
}

func isoDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}
