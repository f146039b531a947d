package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/assayhq/assay/vendors"
	"github.com/labstack/echo/v4"
)

// The vendor register in the JSON API (shared/design/api.md).
func init() {
	register(func(s *Server) {
		s.staffAPI(http.MethodPost, "/api/v1/vendors", s.apiCreateVendor, procurement...)
		s.staffAPI(http.MethodGet, "/api/v1/vendors", s.apiListVendors, anyStaff...)
		s.staffAPI(http.MethodGet, "/api/v1/vendors/:id", s.apiGetVendor, anyStaff...)
	})
}

// vendorJSON is a vendor as the API shows it. latest_score and
// residual_risk are null until an assessment of the vendor is completed.
type vendorJSON struct {
	ID             string             `json:"id"`
	Name           string             `json:"name"`
	Website        string             `json:"website"`
	Services       string             `json:"services,omitempty"`
	Tier           int                `json:"tier"`
	TierSource     vendors.TierSource `json:"tier_source"`
	Status         vendors.Status     `json:"status"`
	Owner          *ownerJSON         `json:"owner"`
	Contacts       []vendors.Contact  `json:"contacts"`
	Tags           []string           `json:"tags"`
	LatestScore    *float64           `json:"latest_score"`
	Grade          *string            `json:"grade"`
	ResidualRisk   *string            `json:"residual_risk"`
	Decision       string             `json:"decision,omitempty"`
	LastAssessedAt *time.Time         `json:"last_assessed_at"`
	NextReviewDate *string            `json:"next_review_date"`
	Overdue        bool               `json:"overdue"`
	CreatedAt      time.Time          `json:"created_at"`
	UpdatedAt      time.Time          `json:"updated_at"`
}

type ownerJSON struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

func vendorView(v *vendors.Vendor) vendorJSON {
	out := vendorJSON{
		ID: v.ID, Name: v.Name, Website: v.Website, Services: v.Services, Tier: v.Tier, TierSource: v.TierSource,
		Status: v.Status, Contacts: v.Contacts, Tags: v.Tags, LatestScore: v.LatestScore, Decision: string(v.Decision),
		Overdue: v.Overdue, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
	}
	if out.Contacts == nil {
		out.Contacts = []vendors.Contact{}
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if v.OwnerID != "" {
		out.Owner = &ownerJSON{ID: v.OwnerID, Email: v.OwnerEmail, Name: v.OwnerName}
	}
	if v.Grade != "" {
		out.Grade = &v.Grade
	}
	if v.ResidualRisk != "" {
		out.ResidualRisk = &v.ResidualRisk
	}
	if !v.LastAssessedAt.IsZero() {
		at := v.LastAssessedAt.UTC()
		out.LastAssessedAt = &at
	}
	if !v.NextReviewAt.IsZero() {
		d := v.NextReviewAt.UTC().Format(time.DateOnly)
		out.NextReviewDate = &d
	}
	return out
}

func (s *Server) apiCreateVendor(c echo.Context) error {
	var in vendors.Input
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := s.Vendors.Create(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, vendorView(v))
}

func (s *Server) apiListVendors(c echo.Context) error {
	q := c.QueryParams()
	f := vendors.Filter{Q: q.Get("q"), Risk: q.Get("risk"), Overdue: q.Get("overdue") == "true",
		Status: vendors.Status(q.Get("status")), Tags: q["tag"], Sort: q.Get("sort")}
	f.Tier, _ = strconv.Atoi(q.Get("tier"))
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.Per, _ = strconv.Atoi(q.Get("per_page"))
	list, total, err := s.Vendors.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	items := make([]vendorJSON, len(list))
	for i := range list {
		items[i] = vendorView(&list[i])
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": total})
}

func (s *Server) apiGetVendor(c echo.Context) error {
	v, err := s.Vendors.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, vendorView(v))
}
