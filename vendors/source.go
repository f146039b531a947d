package vendors

import (
	"context"
	"fmt"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
)

// The register is where assessments learn about vendors and report back.
var _ assessments.VendorSource = (*Service)(nil)

// VendorRef is what sending a questionnaire needs to know about a vendor.
func (s *Service) VendorRef(ctx context.Context, id string) (assessments.VendorRef, error) {
	v, err := s.d.Store.Get(ctx, id)
	if err != nil {
		return assessments.VendorRef{}, err
	}
	ref := assessments.VendorRef{
		ID: v.ID, Name: v.Name, Tier: v.Tier, Archived: v.Archived(), OwnerEmail: v.OwnerEmail,
		Contacts: make([]assessments.Contact, len(v.Contacts)),
	}
	for i, c := range v.Contacts {
		ref.Contacts[i] = assessments.Contact{Name: c.Name, Email: c.Email}
	}
	return ref, nil
}

// RecordAssessment sets the vendor's current risk from a completed
// assessment and adds it to the score history. Recording the same
// assessment again replaces its point, so a retried call adds nothing.
func (s *Service) RecordAssessment(ctx context.Context, vendorID string, r assessments.VendorRisk) error {
	v, err := s.d.Store.Get(ctx, vendorID)
	if err != nil {
		return err
	}
	before := map[string]any{"latest_score": v.LatestScore, "grade": v.Grade, "residual_risk": v.ResidualRisk}
	applyRisk(v, r)
	if err := s.save(ctx, v, PartRisk); err != nil {
		return fmt.Errorf("recording assessment %s on vendor %s: %w", r.AssessmentID, vendorID, err)
	}
	s.record(ctx, audit.System, "vendor.risk", v.ID, before,
		map[string]any{"latest_score": r.Overall, "grade": r.Grade, "residual_risk": r.Residual, "decision": r.Decision},
		"from assessment "+r.AssessmentID)
	return nil
}

// applyRisk sets the current risk and the history point of r on v.
func applyRisk(v *Vendor, r assessments.VendorRisk) {
	overall := r.Overall
	v.LatestScore = &overall
	v.Grade, v.ResidualRisk, v.RiskRank = r.Grade, r.Residual, RiskRank(r.Residual)
	v.LastAssessmentID, v.LastAssessedAt, v.Decision = r.AssessmentID, r.CompletedAt.UTC(), r.Decision
	v.NextReviewAt = r.NextReview.UTC()
	if r.NextReview.IsZero() {
		v.NextReviewAt = NextReview(v.Tier, r.CompletedAt.UTC())
	}
	p := ScorePoint{AssessmentID: r.AssessmentID, At: r.CompletedAt.UTC(), Overall: r.Overall, Grade: r.Grade, Residual: r.Residual}
	hist := v.ScoreHistory[:0:0]
	for _, old := range v.ScoreHistory {
		if old.AssessmentID != r.AssessmentID {
			hist = append(hist, old)
		}
	}
	hist = append(hist, p)
	if len(hist) > MaxHistory {
		hist = hist[len(hist)-MaxHistory:]
	}
	v.ScoreHistory = hist
}
