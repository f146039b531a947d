package app

import (
	"context"
	"fmt"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/auth"
	storemongo "github.com/assayhq/assay/storage/mongo"
)

// assessmentDeps wires the assessment lifecycle to the stores, the bucket,
// the outbox, the template library, the vendor register and the staff.
func (a *App) assessmentDeps() assessments.Deps {
	months := map[int]int{}
	for i, m := range a.Config.ReassessMonths {
		months[i+1] = m
	}
	return assessments.Deps{
		Store: storemongo.NewAssessments(a.DB), Evidence: storemongo.NewEvidence(a.DB), Blobs: a.Blobs,
		Mail: a.Outbox, Render: a.Renderer, Templates: a.Library, Vendors: a.Vendors,
		Staff: reviewerDirectory{a.Auth}, Audit: a.Audit,
		Settings: assessments.Settings{
			BaseURL: a.Config.BaseURL, Company: a.Config.CompanyName, LinkValidDays: a.Config.LinkValidDays,
			MaxUploadBytes: a.Config.MaxUploadBytes(), ReviewMonths: months,
		},
		Log: a.Log.With("component", "assessments"),
	}
}

// reviewerDirectory names the reviewers told of each submitted
// questionnaire: active accounts with the reviewer role. Admins may review
// too but are not mailed every submission.
type reviewerDirectory struct{ auth *auth.Service }

func (d reviewerDirectory) ReviewerEmails(ctx context.Context) ([]string, error) {
	var out []string
	for page := 1; ; page++ {
		users, total, err := d.auth.Users(ctx, auth.UserFilter{Role: auth.RoleReviewer, Active: true, Page: page, Per: 200})
		if err != nil {
			return nil, fmt.Errorf("listing reviewers: %w", err)
		}
		for _, u := range users {
			out = append(out, u.Email)
		}
		if len(users) == 0 || int64(len(out)) >= total {
			return out, nil
		}
	}
}
