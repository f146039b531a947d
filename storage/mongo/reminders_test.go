package mongo_test

import (
	"context"
	"testing"
	"time"

	"github.com/assayhq/assay/assessments"
	storemongo "github.com/assayhq/assay/storage/mongo"
	"github.com/assayhq/assay/testenv"
)

// TestExpireWaitsForTheAssessmentLock: FerretDB writes a whole document
// back on update, so an expiry must not run while another write of the
// same assessment (an autosave, a review) holds the lock, or it could undo
// that write.
func TestExpireWaitsForTheAssessmentLock(t *testing.T) {
	db := testenv.Mongo(t)
	ctx := context.Background()
	if err := storemongo.EnsureIndexes(ctx, db, storemongo.AssessmentIndexes); err != nil {
		t.Fatal(err)
	}
	s := storemongo.NewAssessments(db)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a := newStoredAssessment("exp1", "hash-exp1", at)
	if err := s.Insert(ctx, a); err != nil {
		t.Fatal(err)
	}
	r := storemongo.NewReminders(db)
	after := a.ExpiresAt.Add(time.Hour)

	unlock := storemongo.LockAssessment(a.ID)
	type result struct {
		ok  bool
		err error
	}
	done := make(chan result, 1)
	go func() {
		ok, err := r.Expire(ctx, a.ID, after)
		done <- result{ok, err}
	}()
	select {
	case res := <-done:
		unlock()
		t.Fatalf("Expire finished (%v, %v) while another write held the assessment's lock", res.ok, res.err)
	case <-time.After(300 * time.Millisecond):
	}
	unlock()
	var res result
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Expire did not finish once the lock was free")
	}
	if !res.ok || res.err != nil {
		t.Fatalf("Expire after the lock: %v, %v", res.ok, res.err)
	}
	got, err := s.Get(ctx, a.ID)
	if err != nil || got.Status != assessments.StatusExpired || got.Answers["a.one"].Value() != "yes" {
		t.Fatalf("after expiry: %+v %v", got, err)
	}

	// Expiring again, or before the link's end, changes nothing.
	for _, when := range []time.Time{after, a.ExpiresAt.Add(-time.Hour)} {
		if ok, err := r.Expire(ctx, a.ID, when); ok || err != nil {
			t.Errorf("Expire at %s of an expired assessment: %v, %v", when, ok, err)
		}
	}
}

// TestRemoveLinkTakesOnlyAFurtherLink: withdrawing an unsent reminder's
// link never closes the supplier's own link or another assessment's.
func TestRemoveLinkTakesOnlyAFurtherLink(t *testing.T) {
	db := testenv.Mongo(t)
	ctx := context.Background()
	s := storemongo.NewAssessments(db)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, id := range []string{"rl1", "rl2"} {
		insertStored(t, s, at, id)
		if err := s.AddLink(ctx, id, "hash-"+id, "extra-"+id); err != nil {
			t.Fatal(err)
		}
	}
	// Every link opened once first, so that a link the store remembers
	// must still stop working once removed.
	for _, hash := range []string{"hash-rl1", "extra-rl1", "hash-rl2", "extra-rl2"} {
		if _, err := s.ByTokenHash(ctx, hash); err != nil {
			t.Fatalf("link %s before removal: %v", hash, err)
		}
	}
	for _, c := range []struct{ id, hash string }{{"rl1", "hash-rl1"}, {"rl1", "extra-rl2"}, {"rl1", "extra-rl1"}, {"rl1", "unknown"}} {
		if err := s.RemoveLink(ctx, c.id, c.hash); err != nil {
			t.Fatalf("removing %s of %s: %v", c.hash, c.id, err)
		}
	}
	for hash, want := range map[string]bool{"hash-rl1": true, "extra-rl1": false, "hash-rl2": true, "extra-rl2": true} {
		_, err := s.ByTokenHash(ctx, hash)
		if got := err == nil; got != want {
			t.Errorf("link %s opens: %v (%v), want %v", hash, got, err, want)
		}
	}
}
