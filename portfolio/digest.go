// Package portfolio is the security team's view across all vendors: how many
// sit at each residual risk, where their controls are weak (a heat map of
// vendors × themes or 2013 domains), which questionnaires are overdue, which
// findings are still open and which vendors are due for reassessment.
//
// It is plain Go. The aggregates are computed from two compact copies the
// Store keeps: the vendor register and a digest of every assessment (the
// few fields the dashboard reads, a few hundred bytes instead of the ~100 KB
// a completed assessment with its answers and score details weighs).
package portfolio

import (
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/scoring"
)

// Assessment is the digest of one assessment: what the dashboard needs of
// it. Version is the assessment's own version counter, so a store can tell
// an older digest from a newer one when two writers race.
type Assessment struct {
	ID              string             `bson:"_id"`
	VendorID        string             `bson:"vendor_id"`
	VendorName      string             `bson:"vendor_name"`
	TemplateKey     string             `bson:"template_key"`
	TemplateTitle   string             `bson:"template_title"`
	TemplateVersion int                `bson:"template_version"`
	Status          assessments.Status `bson:"status"`
	DueDate         time.Time          `bson:"due_date"`
	CompletedAt     time.Time          `bson:"completed_at,omitempty"`
	Final           *Final             `bson:"final,omitempty"` // set once completed
	Version         int64              `bson:"version"`
}

// Final is the part of a completed assessment's recorded score the
// portfolio shows, with each finding's treatment status.
type Final struct {
	Overall          float64        `bson:"overall"`
	Grade            string         `bson:"grade"`
	Residual         scoring.Level  `bson:"residual"`
	Likelihood       int            `bson:"likelihood"`
	Impact           int            `bson:"impact"`
	Themes           scoring.Scores `bson:"themes"`
	SupplierControls *float64       `bson:"supplier_controls,omitempty"`
	Domains2013      scoring.Scores `bson:"domains_2013"`
	Findings         []Finding      `bson:"findings"`
}

// Finding is one finding of a completed assessment and where its treatment
// stands: open, in_progress or done (assessments.Finding*). A finding no
// one has decided on yet is open.
type Finding struct {
	Control  string        `bson:"control"`
	Severity scoring.Level `bson:"severity"`
	Status   string        `bson:"status"`
}

// Open reports whether the finding still needs work.
func (f Finding) Open() bool { return f.Status != assessments.FindingDone }

// Digest makes the digest of a. The template title comes from the
// assessment's template snapshot when it is loaded, else from title.
func Digest(a *assessments.Assessment, title string) Assessment {
	d := Assessment{
		ID: a.ID, VendorID: a.VendorID, VendorName: a.VendorName,
		TemplateKey: a.TemplateKey, TemplateTitle: title, TemplateVersion: a.TemplateVersion,
		Status: a.Status, DueDate: a.DueDate, CompletedAt: a.CompletedAt, Version: a.Version,
	}
	if a.Template != nil {
		d.TemplateTitle = a.Template.Title
	}
	if a.FinalScore == nil {
		return d
	}
	sc := a.FinalScore
	status := make(map[string]string, len(a.Findings))
	for _, fd := range a.Findings {
		status[fd.Control] = fd.Status
	}
	f := &Final{
		Overall: sc.Overall, Grade: sc.Grade, Residual: sc.Risk.Residual, Likelihood: sc.Risk.Likelihood, Impact: sc.Risk.Impact,
		Themes: sc.Themes, SupplierControls: sc.SupplierControls, Domains2013: sc.Domains2013,
		Findings: make([]Finding, 0, len(sc.Findings)),
	}
	for _, x := range sc.Findings {
		st := status[x.Control]
		if st == "" {
			st = assessments.FindingOpen
		}
		f.Findings = append(f.Findings, Finding{Control: x.Control, Severity: x.Severity, Status: st})
	}
	d.Final = f
	return d
}

// Relevant reports whether a change of an assessment can change its
// digest. Autosaves (answers, the live score, progress) cannot, unless they
// also move the status, so they cost the dashboard nothing.
func Relevant(ch assessments.Change) bool {
	return ch.Status != "" || !ch.DueDate.IsZero() || !ch.CompletedAt.IsZero() ||
		ch.Findings != nil || ch.FinalScore != nil || ch.Decision != nil
}
