package vendors_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/questionnaires"
	storemongo "github.com/assayhq/assay/storage/mongo"
	"github.com/assayhq/assay/testenv"
	"github.com/assayhq/assay/vendors"
	driver "go.mongodb.org/mongo-driver/mongo"
)

// entries collects the audit trail a test caused, to assert on it.
type entries struct {
	mu   sync.Mutex
	list []audit.Entry
}

func (e *entries) Record(_ context.Context, x audit.Entry) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, x)
	return nil
}

func (e *entries) actions() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]string, len(e.list))
	for i, x := range e.list {
		out[i] = x.Action
	}
	return out
}

// library serves the built-in templates, as the app's template source does.
type library map[string]*questionnaires.Template

func (l library) Latest(_ context.Context, key string) (*questionnaires.Template, error) {
	t, ok := l[key]
	if !ok {
		return nil, io.EOF
	}
	return t, nil
}

func builtins(t testing.TB) library {
	t.Helper()
	ts, err := questionnaires.Library()
	if err != nil {
		t.Fatal(err)
	}
	l := library{}
	for _, x := range ts {
		l[x.Key] = x
	}
	return l
}

type rig struct {
	db    *driver.Database
	svc   *vendors.Service
	store *storemongo.Vendors
	audit *entries
	now   time.Time
	owner auth.User
}

var staffActor = audit.Actor{Kind: audit.KindStaff, ID: "u-proc", Email: "proc@example.test"}

// newRig builds the register over a fresh database on the embedded
// FerretDB, with its indexes and one staff user to own vendors.
func newRig(t testing.TB) *rig {
	t.Helper()
	ctx := context.Background()
	db := testenv.Mongo(t)
	if err := storemongo.EnsureIndexes(ctx, db, storemongo.VendorIndexes); err != nil {
		t.Fatal(err)
	}
	r := &rig{db: db, store: storemongo.NewVendors(db), audit: &entries{},
		now:   time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		owner: auth.User{ID: "u-owner", Email: "owner@example.test", Name: "Olivia Owner", Role: auth.RoleProcurement}}
	if _, err := db.Collection("users").InsertMany(ctx, []any{r.owner,
		auth.User{ID: "u-gone", Email: "gone@example.test", Name: "Gone", Role: auth.RoleViewer, Disabled: true}}); err != nil {
		t.Fatal(err)
	}
	r.svc = vendors.NewService(vendors.Deps{
		Store: r.store, Staff: storemongo.NewStaffDirectory(db), Templates: builtins(t), Audit: r.audit,
		Now: func() time.Time { return r.now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	return r
}

func (r *rig) create(t testing.TB, in vendors.Input) *vendors.Vendor {
	t.Helper()
	v, err := r.svc.Create(context.Background(), staffActor, in)
	if err != nil {
		t.Fatalf("create %q: %v", in.Name, err)
	}
	return v
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
