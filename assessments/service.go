package assessments

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/mail"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/scoring"
	"github.com/assayhq/assay/storage/blobs"
)

// Settings are the deployment's choices the lifecycle depends on.
type Settings struct {
	BaseURL        string // links in mails: {BaseURL}/q/{token}
	Company        string // the requesting company, named to suppliers
	LinkValidDays  int    // days a supplier link keeps working after the due date
	MaxUploadBytes int64  // largest evidence file
	// ReviewMonths is the reassessment interval by vendor tier; tiers it
	// does not list use DefaultReviewMonths.
	ReviewMonths map[int]int
}

// DefaultReviewMonths is the reassessment interval per tier: critical
// vendors yearly, low-risk ones every two years.
var DefaultReviewMonths = map[int]int{1: 12, 2: 18, 3: 24, 4: 24}

// Mailer queues a mail; *mail.Outbox satisfies it.
type Mailer interface {
	Enqueue(ctx context.Context, m mail.Message) (*mail.Message, error)
}

// MailRenderer renders a mail template; *frontend.Renderer satisfies it.
type MailRenderer interface {
	Mail(name string, data any) (subject, text, html string, err error)
}

// TemplateSource returns the latest published version of a template;
// apperr.ErrNotFound for an unknown key.
type TemplateSource interface {
	Latest(ctx context.Context, key string) (*questionnaires.Template, error)
}

// VendorSource is what the lifecycle needs from the vendor register.
type VendorSource interface {
	// VendorRef returns apperr.ErrNotFound for an unknown vendor.
	VendorRef(ctx context.Context, id string) (VendorRef, error)
	// RecordAssessment sets the vendor's current risk from a completed
	// assessment.
	RecordAssessment(ctx context.Context, vendorID string, r VendorRisk) error
}

// StaffDirectory names who is told about submitted assessments.
type StaffDirectory interface {
	ReviewerEmails(ctx context.Context) ([]string, error)
}

// Blobs keeps evidence objects; *blobs.Store satisfies it.
type Blobs interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (int64, error)
	Get(ctx context.Context, key string) (io.ReadCloser, blobs.Info, error)
	Delete(ctx context.Context, key string) error
	// Copy duplicates an object inside the bucket, for evidence carried
	// into a reassessment without sending the bytes through Assay.
	Copy(ctx context.Context, src, dst string) error
}

// VendorRef is the part of a vendor an assessment needs.
type VendorRef struct {
	ID         string
	Name       string
	Tier       int
	Archived   bool
	OwnerEmail string
	Contacts   []Contact
}

// Contact is a person at a vendor who answers questionnaires.
type Contact struct {
	Name  string
	Email string
}

// VendorRisk is the outcome of a completed assessment, as the vendor
// register keeps it.
type VendorRisk struct {
	AssessmentID string
	Overall      float64
	Grade        string
	Residual     string
	Decision     Treatment
	CompletedAt  time.Time
	NextReview   time.Time
}

// Deps is everything the service needs.
type Deps struct {
	Store     Store
	Evidence  EvidenceStore
	Blobs     Blobs
	Mail      Mailer
	Render    MailRenderer
	Templates TemplateSource
	Vendors   VendorSource
	Staff     StaffDirectory
	Audit     audit.Recorder
	Settings  Settings
	Now       func() time.Time
	Log       *slog.Logger
}

// Service runs the assessment lifecycle.
type Service struct {
	d Deps
	// scorers indexes each template snapshot once: published versions never
	// change, so the cache is safe per key and version.
	scorers scoring.Cache
}

// NewService returns the service; a nil clock or logger gets the default.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Settings.ReviewMonths == nil {
		d.Settings.ReviewMonths = DefaultReviewMonths
	}
	return &Service{d: d}
}

func (s *Service) now() time.Time { return s.d.Now().UTC() }

// Link returns the supplier link for a token.
func (s *Service) Link(token string) string { return s.d.Settings.BaseURL + "/q/" + token }

// record appends an audit entry. The change it records is already made, so
// a failing audit store is logged rather than undoing it.
func (s *Service) record(ctx context.Context, actor audit.Actor, action, objType, objID string, before, after map[string]any) {
	e := audit.Entry{At: s.now(), Actor: actor, Action: action, ObjectType: objType, ObjectID: objID, Before: before, After: after}
	if err := s.d.Audit.Record(ctx, e); err != nil {
		s.d.Log.Error("audit record", "action", action, "object", objID, "err", err)
	}
}
