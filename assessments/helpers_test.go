package assessments_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/frontend"
	"github.com/assayhq/assay/mail"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/storage/blobs"
	storemongo "github.com/assayhq/assay/storage/mongo"
	"github.com/assayhq/assay/testenv"
	driver "go.mongodb.org/mongo-driver/mongo"
)

// rig is one service over a fresh database and bucket, with the mail
// rendered by the real templates and kept in the real outbox.
type rig struct {
	t       *testing.T
	db      *driver.Database
	svc     *assessments.Service
	store   *storemongo.Assessments
	blobs   *blobs.Store
	outbox  *storemongo.Outbox
	vendors *vendorBook
	audit   *auditLog
	clock   *clock
}

var (
	staff    = audit.Actor{Kind: audit.KindStaff, ID: "u-proc", Email: "procurement@example.test"}
	reviewer = audit.Actor{Kind: audit.KindStaff, ID: "u-rev", Email: "reviewer@example.test"}
	supplier = audit.Actor{Kind: audit.KindSupplier, IP: "192.0.2.7"}
)

func newRig(t *testing.T, opts ...func(*assessments.Deps)) *rig {
	t.Helper()
	db := testenv.Mongo(t)
	if err := storemongo.EnsureIndexes(context.Background(), db, storemongo.AssessmentIndexes); err != nil {
		t.Fatal(err)
	}
	renderer, err := frontend.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := &rig{
		t: t, db: db, store: storemongo.NewAssessments(db), blobs: testenv.Blobs(t), outbox: storemongo.NewOutbox(db),
		vendors: newVendorBook(), audit: &auditLog{}, clock: &clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)},
	}
	d := assessments.Deps{
		Store: r.store, Evidence: storemongo.NewEvidence(db), Blobs: r.blobs,
		Mail: mail.NewOutbox(r.outbox, nil, "Assay <assay@example.test>", log), Render: renderer,
		Templates: libraryTemplates(t), Vendors: r.vendors,
		Staff: staffList{"reviewer@example.test", "second.reviewer@example.test"}, Audit: r.audit,
		Settings: assessments.Settings{BaseURL: "https://assay.example.test", Company: "Example Corp",
			LinkValidDays: 30, MaxUploadBytes: 9 << 20},
		Now: r.clock.Now, Log: log,
	}
	for _, o := range opts {
		o(&d)
	}
	r.svc = assessments.NewService(d)
	return r
}

// newOutboxOf returns an outbox over the rig's outbox store.
func newOutboxOf(r *rig) *mail.Outbox {
	return mail.NewOutbox(r.outbox, nil, "Assay <assay@example.test>", slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// vendor registers a vendor and returns its id.
func (r *rig) vendor(name string, tier int, contacts ...assessments.Contact) string {
	return r.vendors.add(assessments.VendorRef{Name: name, Tier: tier, OwnerEmail: "owner@example.test", Contacts: contacts})
}

// send sends template key to a fresh vendor and returns the assessment
// and the token from the invitation mail.
func (r *rig) send(key string) (*assessments.Assessment, string) {
	r.t.Helper()
	v := r.vendor("Acme Ltd", 2, assessments.Contact{Name: "Ann Answer", Email: testenv.UniqueAddress(r.t)})
	return r.sendTo(v, key)
}

func (r *rig) sendTo(vendorID, key string) (*assessments.Assessment, string) {
	r.t.Helper()
	a, err := r.svc.Send(context.Background(), staff, assessments.SendRequest{
		VendorID: vendorID, TemplateKey: key, DueDate: r.clock.Now().AddDate(0, 0, 14),
	})
	if err != nil {
		r.t.Fatalf("send: %v", err)
	}
	return a, r.tokenFor(a.ContactEmail)
}

// tokenFor reads the link of the newest invitation to addr.
func (r *rig) tokenFor(addr string) string {
	r.t.Helper()
	msgs := r.mails(addr, assessments.MailInvitation)
	if len(msgs) == 0 {
		r.t.Fatalf("no invitation to %s", addr)
	}
	link, err := testenv.LinkIn(msgs[0].Text, "https://assay.example.test/q/")
	if err != nil {
		r.t.Fatalf("%v:\n%s", err, msgs[0].Text)
	}
	return strings.TrimPrefix(link, "https://assay.example.test/q/")
}

// mails lists the messages of kind queued for addr, newest first.
func (r *rig) mails(addr, kind string) []mail.Message {
	r.t.Helper()
	msgs, _, err := r.outbox.List(context.Background(), mail.Filter{To: addr, Kind: kind, Per: 200})
	if err != nil {
		r.t.Fatal(err)
	}
	return msgs
}

// objects lists the bucket under an assessment's prefix.
func (r *rig) objects(id string) []blobs.Info {
	r.t.Helper()
	infos, err := r.blobs.List(context.Background(), "assessments/"+id+"/")
	if err != nil {
		r.t.Fatal(err)
	}
	return infos
}

func (r *rig) get(id string) *assessments.Assessment {
	r.t.Helper()
	a, err := r.svc.Get(context.Background(), id)
	if err != nil {
		r.t.Fatal(err)
	}
	return a
}

// fieldPaths returns the paths of a validation error, or fails.
func fieldPaths(t *testing.T, err error) []string {
	t.Helper()
	var v *apperr.Validation
	if !errors.As(err, &v) {
		t.Fatalf("want a validation error, got %v", err)
	}
	out := make([]string, len(v.Fields))
	for i, f := range v.Fields {
		out[i] = f.Path
	}
	return out
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// vendorBook stands in for the vendor register, which another package
// owns; it keeps what RecordAssessment was told so tests can check it.
type vendorBook struct {
	mu       sync.Mutex
	vendors  map[string]assessments.VendorRef
	recorded map[string][]assessments.VendorRisk
}

func newVendorBook() *vendorBook {
	return &vendorBook{vendors: map[string]assessments.VendorRef{}, recorded: map[string][]assessments.VendorRisk{}}
}

func (b *vendorBook) add(v assessments.VendorRef) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	v.ID = fmt.Sprintf("v%03d", len(b.vendors)+1)
	b.vendors[v.ID] = v
	return v.ID
}

func (b *vendorBook) VendorRef(_ context.Context, id string) (assessments.VendorRef, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.vendors[id]
	if !ok {
		return v, apperr.ErrNotFound
	}
	return v, nil
}

func (b *vendorBook) RecordAssessment(_ context.Context, vendorID string, r assessments.VendorRisk) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.recorded[vendorID] = append(b.recorded[vendorID], r)
	return nil
}

type staffList []string

func (s staffList) ReviewerEmails(context.Context) ([]string, error) { return s, nil }

// auditLog keeps entries in memory so tests can check what was recorded.
type auditLog struct {
	mu      sync.Mutex
	entries []audit.Entry
}

func (l *auditLog) Record(_ context.Context, e audit.Entry) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, e)
	return nil
}

func (l *auditLog) actions(objectID string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, e := range l.entries {
		if e.ObjectID == objectID {
			out = append(out, e.Action)
		}
	}
	return out
}

// templates serves the built-in library and the test templates, parsed
// and validated as a template library would.
type templates map[string]*questionnaires.Template

func (ts templates) Latest(_ context.Context, key string) (*questionnaires.Template, error) {
	t, ok := ts[key]
	if !ok {
		return nil, apperr.ErrNotFound
	}
	return t, nil
}

var loadLibrary = sync.OnceValues(func() (templates, error) {
	paths, err := filepath.Glob("../questionnaires/library/*.yaml")
	if err != nil {
		return nil, err
	}
	paths = append(paths, "testdata/basic.yaml")
	out := templates{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		tmpl, err := questionnaires.Parse(b, questionnaires.FormatYAML)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if errs := questionnaires.Validate(tmpl); errs != nil {
			return nil, fmt.Errorf("%s: %w", p, errs.Err())
		}
		out[tmpl.Key] = tmpl
	}
	return out, nil
})

func libraryTemplates(t *testing.T) templates {
	t.Helper()
	ts, err := loadLibrary()
	if err != nil {
		t.Fatal(err)
	}
	return ts
}
