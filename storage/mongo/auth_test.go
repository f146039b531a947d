package mongo_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/auth"
	storemongo "github.com/assayhq/assay/storage/mongo"
	"github.com/assayhq/assay/testenv"
	driver "go.mongodb.org/mongo-driver/mongo"
)

func authDB(t *testing.T) *driver.Database {
	t.Helper()
	db := testenv.Mongo(t)
	// Twice, as every start after the first does.
	for range 2 {
		if err := storemongo.EnsureIndexes(context.Background(), db, append(storemongo.AuthIndexes(), storemongo.AuditIndexes...)); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestUsersStore(t *testing.T) {
	db := authDB(t)
	ctx := context.Background()
	s := storemongo.NewUsers(db)
	now := time.Now().UTC().Truncate(time.Millisecond)
	a := &auth.User{ID: "u1", Email: "a@example.test", Name: "A", Role: auth.RoleAdmin, CreatedAt: now, UpdatedAt: now}
	b := &auth.User{ID: "u2", Email: "b@example.test", Name: "B", Role: auth.RoleViewer, Disabled: true, CreatedAt: now, UpdatedAt: now}
	for _, u := range []*auth.User{a, b} {
		if err := s.InsertUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	dup := *a
	dup.ID = "u3"
	if err := s.InsertUser(ctx, &dup); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("duplicate email: %v", err)
	}
	if _, err := s.GetUser(ctx, "nope"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	got, err := s.UserByEmail(ctx, "b@example.test")
	if err != nil || got.ID != "u2" || !got.Disabled {
		t.Fatalf("by email: %+v %v", got, err)
	}
	for _, tt := range []struct {
		f    auth.UserFilter
		want int64
	}{{auth.UserFilter{}, 2}, {auth.UserFilter{Active: true}, 1}, {auth.UserFilter{Role: auth.RoleViewer}, 1}, {auth.UserFilter{Role: auth.RoleAdmin, Active: true}, 1}} {
		if n, err := s.CountUsers(ctx, tt.f); err != nil || n != tt.want {
			t.Errorf("count %+v = %d %v, want %d", tt.f, n, err, tt.want)
		}
	}
	name, enabled := "Bee", false
	if err := s.UpdateUser(ctx, b.ID, auth.UserUpdate{Name: &name, Disabled: &enabled, LastLoginAt: &now}); err != nil {
		t.Fatal(err)
	}
	// Fields not named stay as they are.
	if got, _ := s.GetUser(ctx, b.ID); got.Role != auth.RoleViewer || got.Email != "b@example.test" || got.Name != "Bee" || got.Disabled {
		t.Fatalf("after a partial update: %+v", got)
	}
	list, total, err := s.ListUsers(ctx, auth.UserFilter{Active: true})
	if err != nil || total != 2 || len(list) != 2 || list[1].Name != "Bee" || !list[1].LastLoginAt.Equal(now) {
		t.Fatalf("list: %+v %d %v", list, total, err)
	}
	if err := s.UpdateUser(ctx, "ghost", auth.UserUpdate{Name: &name}); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("save missing: %v", err)
	}
}

func TestSessionsStore(t *testing.T) {
	db := authDB(t)
	ctx := context.Background()
	s := storemongo.NewSessions(db)
	now := time.Now().UTC().Truncate(time.Millisecond)
	mk := func(id, user string, idle, abs time.Duration) {
		if err := s.InsertSession(ctx, &auth.Session{ID: id, UserID: user, CreatedAt: now, LastSeen: now, IdleUntil: now.Add(idle), ExpiresAt: now.Add(abs)}); err != nil {
			t.Fatal(err)
		}
	}
	mk("live", "u1", time.Hour, 2*time.Hour)
	mk("idle", "u1", -time.Minute, 2*time.Hour)
	mk("old", "u2", time.Hour, -time.Minute)
	mk("keep", "u3", time.Hour, 2*time.Hour)
	mk("drop", "u3", time.Hour, 2*time.Hour)
	if err := s.TouchSession(ctx, "live", now.Add(time.Minute), now.Add(90*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetSession(ctx, "live"); err != nil || !got.IdleUntil.Equal(now.Add(90*time.Minute)) {
		t.Fatalf("touch: %+v %v", got, err)
	}
	if n, err := s.DeleteExpiredSessions(ctx, now); err != nil || n != 2 {
		t.Fatalf("sweep removed %d, %v; want the idle and the old one", n, err)
	}
	if err := s.DeleteUserSessions(ctx, "u3", "keep"); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{"live": true, "idle": false, "old": false, "keep": true, "drop": false} {
		_, err := s.GetSession(ctx, id)
		if (err == nil) != want || (err != nil && !errors.Is(err, apperr.ErrNotFound)) {
			t.Errorf("session %s: %v, want present=%v", id, err, want)
		}
	}
}

func TestTokensAndResetsStore(t *testing.T) {
	db := authDB(t)
	ctx := context.Background()
	s := storemongo.NewTokens(db)
	now := time.Now().UTC().Truncate(time.Millisecond)
	for i, id := range []string{"t1", "t2"} {
		if err := s.InsertToken(ctx, &auth.Token{ID: id, Hash: "h" + id, UserID: "u1", Name: id, CreatedAt: now.Add(time.Duration(i) * time.Second), ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.InsertToken(ctx, &auth.Token{ID: "t3", Hash: "ht1", UserID: "u2"}); err == nil {
		t.Fatal("two tokens share a hash")
	}
	list, err := s.ListTokens(ctx, "u1")
	if err != nil || len(list) != 2 || list[0].ID != "t2" {
		t.Fatalf("list newest first: %+v %v", list, err)
	}
	if err := s.DeleteToken(ctx, "u2", "t1"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("someone else's token: %v", err)
	}
	if err := s.DeleteToken(ctx, "u1", "t1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TokenByHash(ctx, "ht1"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("revoked token found: %v", err)
	}

	if err := s.InsertReset(ctx, &auth.Reset{ID: "r1", UserID: "u1", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertReset(ctx, &auth.Reset{ID: "r2", UserID: "u1", CreatedAt: now, ExpiresAt: now.Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	// Ten clicks at once on one link: exactly one wins.
	var wins, gone int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.UseReset(ctx, "r1", now)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, apperr.ErrGone):
				gone++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || gone != 9 {
		t.Fatalf("%d uses succeeded, %d refused", wins, gone)
	}
	if _, err := s.UseReset(ctx, "r2", now); !errors.Is(err, apperr.ErrGone) {
		t.Fatalf("expired reset: %v", err)
	}
	if _, err := s.UseReset(ctx, "r9", now); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("unknown reset: %v", err)
	}
	if n, err := s.DeleteExpiredResets(ctx, now); err != nil || n != 1 {
		t.Fatalf("sweep: %d %v", n, err)
	}
}

func TestThrottleStoreCountsEveryConcurrentAttempt(t *testing.T) {
	db := authDB(t)
	ctx := context.Background()
	// Two stores stand for two instances.
	a, b := storemongo.NewThrottle(db), storemongo.NewThrottle(db)
	now := time.Now().UTC().Truncate(time.Millisecond)
	window := 15 * time.Minute
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[int]bool{}
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := a
			if i%2 == 1 {
				s = b
			}
			_, n, err := s.Add(ctx, "account:x", now.Add(time.Duration(i)*time.Second), window)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			seen[n] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	// Whatever the interleaving, some attempt saw all twenty.
	if !seen[20] {
		t.Fatalf("no attempt counted all 20: %v", seen)
	}
	at := now.Add(20 * time.Second)
	// Below 5 again when the 16th oldest attempt (at +15s) ages out.
	if retry, err := a.RetryAt(ctx, "account:x", at, window, 5); err != nil || !retry.Equal(now.Add(15*time.Second).Add(window)) {
		t.Fatalf("retry at %v, %v", retry, err)
	}
	if retry, _ := a.RetryAt(ctx, "account:y", at, window, 5); !retry.Equal(at) {
		t.Fatalf("a key with no attempts waits until %v", retry)
	}
	id, n, err := a.Add(ctx, "ip:1", at, window)
	if err != nil || n != 1 {
		t.Fatalf("other key: %d %v", n, err)
	}
	if err := a.Remove(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, n, _ := a.Add(ctx, "ip:1", at, window); n != 1 {
		t.Fatalf("removed attempt still counted: %d", n)
	}
	// Later, the window has slid past the old attempts.
	if _, n, _ := a.Add(ctx, "account:x", now.Add(window+10*time.Second), window); n != 10 {
		t.Fatalf("sliding window counts %d, want the 9 newer attempts and this one", n)
	}
	if err := a.Clear(ctx, "account:x"); err != nil {
		t.Fatal(err)
	}
	if _, n, _ := a.Add(ctx, "account:x", at, window); n != 1 {
		t.Fatalf("cleared key counts %d", n)
	}
	if n, err := a.Sweep(ctx, at); err != nil || n != 2 {
		t.Fatalf("sweep %d %v", n, err)
	}
}
