package mongo_test

import (
	"context"
	"testing"
	"time"

	"github.com/assayhq/assay/audit"
	storemongo "github.com/assayhq/assay/storage/mongo"
)

func TestAuditStoreFilters(t *testing.T) {
	db := authDB(t)
	ctx := context.Background()
	svc := audit.NewService(storemongo.NewAudit(db))
	day := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	entries := []audit.Entry{
		{At: day, Actor: audit.Actor{Kind: audit.KindStaff, Email: "ann@example.test"}, Action: "user.create", ObjectType: "user", ObjectID: "u1"},
		{At: day.Add(time.Hour), Actor: audit.Actor{Kind: audit.KindStaff, Email: "ann@example.test"}, Action: "user.update", ObjectType: "user", ObjectID: "u1",
			Before: map[string]any{"role": "viewer"}, After: map[string]any{"role": "admin"}},
		{At: day.Add(24 * time.Hour), Actor: audit.Actor{Kind: audit.KindAnonymous, Email: "x@example.test", IP: "10.0.0.1"}, Action: "login.failed", ObjectType: "user"},
		{At: day.Add(48 * time.Hour), Actor: audit.System, Action: "userx.other", ObjectType: "vendor", ObjectID: "v1"},
	}
	for _, e := range entries {
		if err := svc.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.Record(ctx, audit.Entry{Action: "x"}); err == nil {
		t.Fatal("an entry without an object type was recorded")
	}
	tests := []struct {
		name string
		f    audit.Filter
		want []string // actions, newest first
	}{
		{"all", audit.Filter{}, []string{"userx.other", "login.failed", "user.update", "user.create"}},
		{"exact action", audit.Filter{Action: "user.create"}, []string{"user.create"}},
		{"action family", audit.Filter{Action: "user."}, []string{"user.update", "user.create"}},
		{"family includes its head", audit.Filter{Action: "login."}, []string{"login.failed"}},
		{"a family is not a prefix", audit.Filter{Action: "use."}, nil},
		{"actor", audit.Filter{ActorEmail: "x@example.test"}, []string{"login.failed"}},
		{"object", audit.Filter{ObjectType: "user", ObjectID: "u1"}, []string{"user.update", "user.create"}},
		{"date range", audit.Filter{From: day.Add(time.Hour), To: day.Add(48 * time.Hour)}, []string{"login.failed", "user.update"}},
		{"page 2", audit.Filter{Page: 2, Per: 3}, []string{"user.create"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := svc.List(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, e := range got {
				actions = append(actions, e.Action)
			}
			if len(actions) != len(tt.want) || (tt.f.Page == 0 && int(total) != len(tt.want)) {
				t.Fatalf("got %v (total %d), want %v", actions, total, tt.want)
			}
			for i := range actions {
				if actions[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", actions, tt.want)
				}
			}
		})
	}
	got, _, _ := svc.List(ctx, audit.Filter{Action: "user.update"})
	if got[0].Before["role"] != "viewer" || got[0].After["role"] != "admin" || got[0].ID == "" {
		t.Fatalf("before/after lost: %+v", got[0])
	}
	var n int
	if err := svc.Each(ctx, audit.Filter{}, func(*audit.Entry) error { n++; return nil }); err != nil || n != 4 {
		t.Fatalf("each: %d %v", n, err)
	}
}
