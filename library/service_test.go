package library_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/library"
	"github.com/assayhq/assay/questionnaires"
	storemongo "github.com/assayhq/assay/storage/mongo"
	"github.com/assayhq/assay/testenv"
)

type fixture struct {
	svc   *library.Service
	audit *audit.Service
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	db := testenv.Mongo(t)
	if err := storemongo.EnsureIndexes(context.Background(), db, storemongo.TemplateIndexes); err != nil {
		t.Fatal(err)
	}
	rec := audit.NewService(storemongo.NewAudit(db))
	return fixture{svc: library.New(library.Deps{Store: storemongo.NewTemplates(db), Audit: rec}), audit: rec}
}

func (f fixture) entries(t *testing.T) []audit.Entry {
	t.Helper()
	es, _, err := f.audit.List(context.Background(), audit.Filter{ObjectType: "template", Per: 100})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func (f fixture) versions(t *testing.T, key string) []int {
	t.Helper()
	vs, err := f.svc.Versions(context.Background(), key)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, v := range vs {
		out = append(out, v.Version)
	}
	return out
}

func sample(title string) *questionnaires.Template {
	return &questionnaires.Template{Key: "basics", Version: 1, Title: title, Sections: []questionnaires.Section{{
		ID: "gov", Title: "Governance", Questions: []questionnaires.Question{
			{ID: "policy", Text: "Do you have a security policy?", Type: questionnaires.TypeYesNo, Controls: []string{"A.5.1"}},
			{ID: "count", Text: "How many staff?", Type: questionnaires.TypeNumber, Controls: []string{"A.6.3"},
				ShowIf: &questionnaires.Condition{Question: "policy", Not: "no"}},
		},
	}}}
}

var alice = audit.Actor{Kind: audit.KindStaff, ID: "u1", Email: "alice@example.test"}

func TestPublishVersionsAreImmutable(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	v1, created, err := f.svc.Publish(ctx, alice, sample("Basics"))
	if err != nil || !created || v1.Version != 1 {
		t.Fatalf("first publish: v%d created=%v err=%v", v1.Version, created, err)
	}

	// The same content, whatever version the file claims, publishes nothing.
	again := sample("Basics")
	again.Version = 7
	same, created, err := f.svc.Publish(ctx, alice, again)
	if err != nil || created || same.Version != 1 {
		t.Fatalf("unchanged publish: v%d created=%v err=%v", same.Version, created, err)
	}

	v2, created, err := f.svc.Publish(ctx, alice, sample("Basics, revised"))
	if err != nil || !created || v2.Version != 2 {
		t.Fatalf("edit: v%d created=%v err=%v", v2.Version, created, err)
	}
	if got := f.versions(t, "basics"); !slices.Equal(got, []int{2, 1}) {
		t.Fatalf("versions %v, want [2 1]", got)
	}
	old, err := f.svc.Get(ctx, "basics", 1)
	if err != nil || old.Template.Title != "Basics" || old.PublishedBy != alice.Email || old.Builtin {
		t.Fatalf("version 1 after the edit: %+v, %v", old, err)
	}
	if questionnaires.Fingerprint(old.Template) != questionnaires.Fingerprint(sample("Basics")) {
		t.Error("version 1 changed in storage")
	}
	latest, err := f.svc.Latest(ctx, "basics")
	if err != nil || latest.Version != 2 || latest.Title != "Basics, revised" {
		t.Fatalf("latest: %+v, %v", latest, err)
	}
	list, err := f.svc.List(ctx)
	if err != nil || len(list) != 1 || list[0].Version != 2 || list[0].QuestionCount != 2 || !slices.Equal(list[0].Controls, []string{"A.5.1", "A.6.3"}) {
		t.Fatalf("list: %+v, %v", list, err)
	}

	es := f.entries(t)
	if len(es) != 2 {
		t.Fatalf("%d audit entries, want one per version published", len(es))
	}
	newest := es[0]
	if newest.Action != "template.publish" || newest.ObjectID != "basics" || newest.Actor.Email != alice.Email ||
		fmt.Sprint(newest.Before["version"]) != "1" || fmt.Sprint(newest.After["version"]) != "2" {
		t.Errorf("audit entry %+v", newest)
	}
}

func TestPublishInvalidChangesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, _, err := f.svc.Publish(ctx, alice, sample("Basics")); err != nil {
		t.Fatal(err)
	}
	bad := sample("")
	bad.Sections[0].Questions[1].ShowIf.Question = "nowhere"
	_, _, err := f.svc.Publish(ctx, alice, bad)
	var inv *library.InvalidError
	if !errors.As(err, &inv) || len(inv.Problems) != 2 || len(apperr.Fields(err)) != 2 {
		t.Fatalf("want 2 problems, got %v", err)
	}
	_, _, err = f.svc.Upload(ctx, alice, []byte("key: basics\nversion: 1\ntitle: x\nsections: []\n"), "yaml")
	if !errors.As(err, &inv) || inv.Problems[0].Line != 4 {
		t.Fatalf("upload: %v", err)
	}
	if got := f.versions(t, "basics"); !slices.Equal(got, []int{1}) {
		t.Errorf("versions %v after invalid publishes, want [1]", got)
	}
	if n := len(f.entries(t)); n != 1 {
		t.Errorf("%d audit entries, want 1", n)
	}
}

func TestUnknownTemplate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.svc.Latest(ctx, "nope"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Latest: %v", err)
	}
	if _, err := f.svc.Get(ctx, "nope", 1); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Get: %v", err)
	}
	if _, err := f.svc.Versions(ctx, "nope"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Versions: %v", err)
	}
}

// Two instances publishing the same key at once must neither lose an edit
// nor number two versions alike: different content gets versions 1 and 2,
// the same content one version and one no-op.
func TestConcurrentPublish(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for round := range 4 {
		key := fmt.Sprintf("race-%d", round)
		sameContent := round%2 == 1
		var wg sync.WaitGroup
		results := make([]bool, 2)
		errs := make([]error, 2)
		start := make(chan struct{})
		for i := range 2 {
			tmpl := sample("Race")
			tmpl.Key = key
			if !sameContent {
				tmpl.Title = fmt.Sprintf("Race %d", i)
			}
			wg.Go(func() {
				<-start
				_, results[i], errs[i] = f.svc.Publish(ctx, alice, tmpl)
			})
		}
		close(start)
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("round %d: %v, %v", round, errs[0], errs[1])
		}
		got := f.versions(t, key)
		if sameContent {
			if !slices.Equal(got, []int{1}) || results[0] == results[1] {
				t.Errorf("round %d, same content: versions %v, created %v", round, got, results)
			}
		} else if !slices.Equal(got, []int{2, 1}) || !results[0] || !results[1] {
			t.Errorf("round %d, different content: versions %v, created %v", round, got, results)
		}
	}
}

func TestSyncBuiltins(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	builtins, err := questionnaires.Library()
	if err != nil {
		t.Fatal(err)
	}

	first, err := f.svc.SyncBuiltins(ctx)
	if err != nil || len(first) != len(builtins) {
		t.Fatalf("first start published %d of %d built-ins: %v", len(first), len(builtins), err)
	}
	for _, b := range builtins {
		stored, err := f.svc.Latest(ctx, b.Key)
		if err != nil {
			t.Fatal(err)
		}
		// The whole template survives the database: the snapshot an
		// assessment takes is the file, not an approximation of it.
		if questionnaires.Fingerprint(stored) != questionnaires.Fingerprint(b) {
			t.Errorf("%s changed on its way through the store", b.Key)
		}
	}
	again, err := f.svc.SyncBuiltins(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("second start published %v: %v", again, err)
	}
	es := f.entries(t)
	if len(es) != len(builtins) || es[0].Actor.Kind != audit.KindSystem || es[0].Note != "built-in library" || es[0].After["builtin"] != true {
		t.Fatalf("audit after two starts: %d entries, newest %+v", len(es), es[0])
	}

	// A release edits a built-in template: the next start publishes it.
	const key = "vendor-lite"
	edited := builtinCopy(t, key)
	edited.Title = "Vendor security essentials (2027)"
	if got, err := f.svc.PublishBuiltins(ctx, []*questionnaires.Template{edited}); err != nil || len(got) != 1 || got[0].Version != 2 || !got[0].Builtin {
		t.Fatalf("edited built-in: %+v, %v", got, err)
	}

	// An admin's own version of the key stays latest across restarts, and
	// is not a built-in.
	custom := builtinCopy(t, key)
	custom.Title = "Our own essentials"
	if v, created, err := f.svc.Publish(ctx, alice, custom); err != nil || !created || v.Version != 3 {
		t.Fatalf("admin upload over a built-in key: %v %v", created, err)
	}
	if got, err := f.svc.PublishBuiltins(ctx, []*questionnaires.Template{edited}); err != nil || len(got) != 0 {
		t.Fatalf("restart after the admin's upload republished %+v, %v", got, err)
	}
	vs, err := f.svc.Versions(ctx, key)
	if err != nil || len(vs) != 3 || vs[0].Builtin || vs[0].PublishedBy != alice.Email || !vs[1].Builtin || vs[1].PublishedBy != "assay" {
		t.Fatalf("versions %+v, %v", vs, err)
	}

	// A later release's change still reaches new assessments.
	edited.Title = "Vendor security essentials (2028)"
	if got, err := f.svc.PublishBuiltins(ctx, []*questionnaires.Template{edited}); err != nil || len(got) != 1 || got[0].Version != 4 {
		t.Fatalf("second release: %+v, %v", got, err)
	}
}

func builtinCopy(t *testing.T, key string) *questionnaires.Template {
	t.Helper()
	all, err := questionnaires.Library()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range all {
		if b.Key == key {
			return b
		}
	}
	t.Fatalf("no built-in %s", key)
	return nil
}

func TestPublishedAtIsStored(t *testing.T) {
	db := testenv.Mongo(t)
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	svc := library.New(library.Deps{Store: storemongo.NewTemplates(db), Audit: audit.NewService(storemongo.NewAudit(db)), Now: func() time.Time { return at }})
	if _, _, err := svc.Publish(context.Background(), alice, sample("Basics")); err != nil {
		t.Fatal(err)
	}
	list, err := svc.List(context.Background())
	if err != nil || len(list) != 1 || !list[0].PublishedAt.Equal(at) {
		t.Fatalf("list %+v, %v", list, err)
	}
}
