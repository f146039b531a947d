package mongo_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/assayhq/assay/library"
	"github.com/assayhq/assay/questionnaires"
	storemongo "github.com/assayhq/assay/storage/mongo"
	"github.com/assayhq/assay/testenv"
	"go.mongodb.org/mongo-driver/bson"
)

func published(t *testing.T, key string, version int, builtin bool) *library.Published {
	t.Helper()
	all, err := questionnaires.Library()
	if err != nil {
		t.Fatal(err)
	}
	tmpl := all[len(all)-1]
	tmpl.Key, tmpl.Version = key, version
	p := &library.Published{Summary: library.Summarize(tmpl), Template: tmpl}
	p.Builtin = builtin
	p.PublishedAt = time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)
	p.PublishedBy = "alice@example.test"
	return p
}

func TestTemplatesStore(t *testing.T) {
	db := testenv.Mongo(t)
	ctx := context.Background()
	if err := storemongo.EnsureIndexes(ctx, db, storemongo.TemplateIndexes); err != nil {
		t.Fatal(err)
	}
	s := storemongo.NewTemplates(db)

	if p, err := s.Latest(ctx, "a", false); p != nil || err != nil {
		t.Fatalf("Latest on an empty store: %v, %v", p, err)
	}
	for _, p := range []*library.Published{
		published(t, "b", 1, true), published(t, "a", 1, true), published(t, "a", 2, false),
		published(t, "b", 2, true), published(t, "a", 3, true), published(t, "b", 3, false),
	} {
		if err := s.Insert(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Insert(ctx, published(t, "a", 2, true)); !errors.Is(err, library.ErrVersionTaken) {
		t.Fatalf("second a@2: %v, want ErrVersionTaken", err)
	}
	// The unique index holds even for a document whose _id differs.
	if _, err := db.Collection("templates").InsertOne(ctx, bson.M{"_id": "other", "key": "a", "version": 3}); !storemongo.IsDuplicate(err) {
		t.Fatalf("unique (key, version) not enforced: %v", err)
	}

	latest, err := s.Latest(ctx, "b", false)
	if err != nil || latest.Version != 3 || latest.Builtin {
		t.Fatalf("Latest(b): %+v, %v", latest, err)
	}
	lb, err := s.Latest(ctx, "b", true)
	if err != nil || lb.Version != 2 || !lb.Builtin {
		t.Fatalf("Latest(b, builtin): %+v, %v", lb, err)
	}
	want := published(t, "a", 2, false)
	got, err := s.Get(ctx, "a", 2)
	if err != nil || got == nil {
		t.Fatalf("Get(a, 2): %v", err)
	}
	if got.Fingerprint != want.Fingerprint || questionnaires.Fingerprint(got.Template) != want.Fingerprint ||
		got.Template.Version != 2 || !got.PublishedAt.Equal(want.PublishedAt) || got.PublishedBy != want.PublishedBy ||
		got.QuestionCount != want.QuestionCount || !slices.Equal(got.Controls, want.Controls) {
		t.Errorf("Get(a, 2) = %+v", got.Summary)
	}
	if p, err := s.Get(ctx, "a", 9); p != nil || err != nil {
		t.Errorf("Get(a, 9): %v, %v", p, err)
	}

	vs, err := s.Versions(ctx, "a")
	if err != nil || len(vs) != 3 || vs[0].Version != 3 || vs[2].Version != 1 || vs[0].Title == "" {
		t.Fatalf("Versions(a): %+v, %v", vs, err)
	}
	list, err := s.List(ctx)
	if err != nil || len(list) != 2 || list[0].Key != "a" || list[0].Version != 3 || list[1].Key != "b" || list[1].Version != 3 {
		t.Fatalf("List: %+v, %v", list, err)
	}
}
