package mongo_test

import (
	"context"
	"testing"
	"time"

	"github.com/assayhq/assay/mail"
	storemongo "github.com/assayhq/assay/storage/mongo"
	"github.com/assayhq/assay/testenv"
	"go.mongodb.org/mongo-driver/bson"
)

// The queue heals: a queued message without a queue entry (queued before
// the queue existed) is still claimed, and entries whose message was sent
// or never arrived are dropped rather than read on every poll.
func TestOutboxQueueHeals(t *testing.T) {
	db := testenv.Mongo(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	msg := func(id string, st mail.Status) mail.Message {
		return mail.Message{ID: id, MessageID: "<" + id + "@assay>", To: []string{"a@example.test"}, Subject: "s", Text: "t",
			Status: st, CreatedAt: now.Add(-time.Hour), NextAttempt: now.Add(-time.Hour)}
	}
	// Written as an older Assay did: the message alone.
	if _, err := db.Collection("outbox").InsertMany(ctx, []any{msg("old-queued", mail.StatusQueued), msg("old-sent", mail.StatusSent)}); err != nil {
		t.Fatal(err)
	}
	// Entries for a sent message and for one that never arrived.
	if _, err := db.Collection("outbox_due").InsertMany(ctx, []any{
		bson.M{"_id": "old-sent", "next_attempt": now.Add(-time.Hour), "at": now.Add(-time.Hour)},
		bson.M{"_id": "lost", "next_attempt": now.Add(-time.Hour), "at": now.Add(-time.Hour)},
		bson.M{"_id": "arriving", "next_attempt": now, "at": now},
	}); err != nil {
		t.Fatal(err)
	}
	s := storemongo.NewOutbox(db)
	m, err := s.Claim(ctx, "w1", now, time.Minute)
	if err != nil || m == nil || m.ID != "old-queued" {
		t.Fatalf("claim: %+v %v", m, err)
	}
	if again, err := s.Claim(ctx, "w2", now, time.Minute); err != nil || again != nil {
		t.Fatalf("a leased message was claimed again: %+v %v", again, err)
	}
	if err := s.MarkSent(ctx, m.ID, "w1", now); err != nil {
		t.Fatal(err)
	}
	var left []bson.M
	cur, err := db.Collection("outbox_due").Find(ctx, bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	if err := cur.All(ctx, &left); err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0]["_id"] != "arriving" {
		t.Errorf("queue after the claims: %v, want only the entry of the message still arriving", left)
	}
	// A new message goes through the queue.
	n := mail.Message{To: []string{"b@example.test"}, Subject: "s", Text: "t", Status: mail.StatusQueued, ID: "new", MessageID: "<new@assay>", CreatedAt: now, NextAttempt: now}
	if err := s.Insert(ctx, &n); err != nil {
		t.Fatal(err)
	}
	if m, err := s.Claim(ctx, "w1", now.Add(time.Second), time.Minute); err != nil || m == nil || m.ID != "new" {
		t.Fatalf("claim of a new message: %+v %v", m, err)
	}
}

// A first claim cut short does not use up the check of the queue against
// the messages: the next claim still finds mail queued without an entry.
func TestOutboxBackfillSurvivesACancelledClaim(t *testing.T) {
	db := testenv.Mongo(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	if _, err := db.Collection("outbox").InsertOne(context.Background(), mail.Message{ID: "unqueued", MessageID: "<unqueued@assay>",
		To: []string{"a@example.test"}, Subject: "s", Text: "t", Status: mail.StatusQueued, CreatedAt: now, NextAttempt: now}); err != nil {
		t.Fatal(err)
	}
	s := storemongo.NewOutbox(db)
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if m, err := s.Claim(gone, "w1", now, time.Minute); err == nil && m != nil {
		t.Fatalf("a claim with a cancelled context took %s", m.ID)
	}
	if m, err := s.Claim(context.Background(), "w1", now, time.Minute); err != nil || m == nil || m.ID != "unqueued" {
		t.Fatalf("the claim after a cancelled one: %+v %v, want the message queued without an entry", m, err)
	}
}

// Claim records older than the cut are deleted, newer ones kept.
func TestOutboxSweepClaims(t *testing.T) {
	db := testenv.Mongo(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	if _, err := db.Collection("outbox_claims").InsertMany(ctx, []any{
		bson.M{"_id": "old", "owner": "w", "at": now.Add(-48 * time.Hour)},
		bson.M{"_id": "new", "owner": "w", "at": now.Add(-time.Hour)},
	}); err != nil {
		t.Fatal(err)
	}
	n, err := storemongo.NewOutbox(db).SweepClaims(ctx, now.Add(-24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("swept %d, %v; want 1", n, err)
	}
	if left, _ := db.Collection("outbox_claims").CountDocuments(ctx, bson.M{"_id": "new"}); left != 1 {
		t.Error("the recent claim was swept")
	}
}
