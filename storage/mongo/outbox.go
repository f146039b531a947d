package mongo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/mail"
	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Outbox implements mail.Store on the "outbox" collection, with the claims
// of its workers in "outbox_claims" and the queue in "outbox_due".
//
// The queue is a small document per message waiting to be sent ({_id,
// next_attempt}), so that a worker looking for due mail reads the queue
// rather than every message ever sent: the embedded FerretDB decodes the
// whole collection for any query but one by _id, and the outbox keeps its
// sent mail for the outbox page. The message stays the truth: Claim checks
// it, and a queue entry left behind by a crash between two writes is
// dropped or corrected there.
type Outbox struct {
	c, claims, due *driver.Collection

	backfill   sync.Mutex
	backfilled bool // the queue was checked against the messages once
}

// NewOutbox returns the outbox store.
func NewOutbox(db *driver.Database) *Outbox {
	return &Outbox{c: db.Collection("outbox"), claims: db.Collection("outbox_claims"), due: db.Collection("outbox_due")}
}

type dueDoc struct {
	ID          string    `bson:"_id"`
	NextAttempt time.Time `bson:"next_attempt"`
	At          time.Time `bson:"at"` // when queued, to tell a message still being inserted from a lost one
}

// OutboxIndexes are the indexes the outbox's queries need.
var OutboxIndexes = []Index{
	{Collection: "outbox", Keys: bson.D{{Key: "status", Value: 1}, {Key: "next_attempt", Value: 1}}},
	{Collection: "outbox", Keys: bson.D{{Key: "ref", Value: 1}, {Key: "created_at", Value: -1}}},
	{Collection: "outbox", Keys: bson.D{{Key: "created_at", Value: -1}}},
	{Collection: "outbox_due", Keys: bson.D{{Key: "next_attempt", Value: 1}}},
}

// Insert stores m. A DedupeKey becomes the document's _id (hashed), so the
// uniqueness every instance relies on is the primary key's, which both
// MongoDB and FerretDB enforce without partial indexes.
func (o *Outbox) Insert(ctx context.Context, m *mail.Message) error {
	if m.DedupeKey != "" {
		sum := sha256.Sum256([]byte(m.DedupeKey))
		m.ID = "d" + hex.EncodeToString(sum[:12])
		m.MessageID = "<" + m.ID + "@assay>"
	}
	// Queued first: a message without its queue entry would never be sent,
	// while an entry without its message is dropped by Claim.
	if m.Status == mail.StatusQueued {
		_, err := o.due.InsertOne(ctx, dueDoc{ID: m.ID, NextAttempt: m.NextAttempt, At: time.Now()})
		if err != nil && !IsDuplicate(err) {
			return fmt.Errorf("outbox insert: %w", err)
		}
	}
	if _, err := o.c.InsertOne(ctx, m); err != nil {
		if IsDuplicate(err) {
			return mail.ErrDuplicate
		}
		return fmt.Errorf("outbox insert: %w", err)
	}
	return nil
}

// orphanAge is how old a queue entry without its message must be before
// Claim drops it: younger, its message may still be on its way in.
const orphanAge = time.Minute

// dueMessages returns up to claimCandidates queued messages whose time has
// come, oldest first, and tidies the queue entries that no longer match
// their message.
func (o *Outbox) dueMessages(ctx context.Context, now time.Time) ([]mail.Message, error) {
	o.queueUnqueuedOnce(ctx)
	cur, err := o.due.Find(ctx, bson.M{"next_attempt": bson.M{"$lte": now}},
		options.Find().SetSort(bson.D{{Key: "next_attempt", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(4*claimCandidates))
	if err != nil {
		return nil, err
	}
	var entries []dueDoc
	if err := cur.All(ctx, &entries); err != nil {
		return nil, err
	}
	var due []mail.Message
	for _, e := range entries {
		var m mail.Message
		err := o.c.FindOne(ctx, bson.M{"_id": e.ID}).Decode(&m)
		switch {
		case IsNotFound(err):
			if now.Sub(e.At) > orphanAge {
				_, _ = o.due.DeleteOne(ctx, bson.M{"_id": e.ID})
			}
			continue
		case err != nil:
			return nil, err
		case m.Status != mail.StatusQueued:
			_, _ = o.due.DeleteOne(ctx, bson.M{"_id": e.ID})
			continue
		case m.NextAttempt.After(now) || !m.LeaseUntil.Before(now):
			// Leased to a worker, or retried later: look again then.
			next := m.NextAttempt
			if m.LeaseUntil.After(next) {
				next = m.LeaseUntil
			}
			_, _ = o.due.UpdateOne(ctx, bson.M{"_id": e.ID}, bson.M{"$set": bson.M{"next_attempt": next}})
			continue
		}
		due = append(due, m)
		if len(due) == claimCandidates {
			break
		}
	}
	return due, nil
}

// queueUnqueuedOnce runs queueUnqueued until it succeeds once in this
// process; a try cut short (its claim's context ended, the database was
// away) leaves the next claim to try again.
func (o *Outbox) queueUnqueuedOnce(ctx context.Context) {
	o.backfill.Lock()
	defer o.backfill.Unlock()
	if !o.backfilled {
		o.backfilled = o.queueUnqueued(ctx) == nil
	}
}

// queueUnqueued gives every queued message a queue entry: messages queued
// before the queue existed, or whose entry a failure lost.
func (o *Outbox) queueUnqueued(ctx context.Context) error {
	cur, err := o.c.Find(ctx, bson.M{"status": mail.StatusQueued}, options.Find().SetProjection(bson.M{"_id": 1, "next_attempt": 1}))
	if err != nil {
		return err
	}
	var queued []dueDoc
	if err := cur.All(ctx, &queued); err != nil {
		return err
	}
	for _, q := range queued {
		q.At = time.Now()
		if _, err := o.due.InsertOne(ctx, q); err != nil && !IsDuplicate(err) { // a duplicate is an entry already there
			return err
		}
	}
	return nil
}

// claimCandidates is how many due messages one Claim looks at: when
// several workers race for the oldest, the losers move on to the next.
const claimCandidates = 8

// Claim leases the oldest due message to owner.
//
// FindOneAndUpdate cannot do this on FerretDB: it reads, changes the
// document in Go and writes it back by _id, so two workers that read the
// same due message both "win" it (two outboxes on one database sent 30
// mails 53 times). The one write FerretDB makes atomic is an insert under a
// unique _id, so a claim inserts a document named by the state of the
// message it saw (attempts, next attempt, lease): one worker per state can
// insert it. Claim documents are kept, so a worker that read a state long
// ago can never win it after it has moved on.
func (o *Outbox) Claim(ctx context.Context, owner string, now time.Time, lease time.Duration) (*mail.Message, error) {
	due, err := o.dueMessages(ctx, now)
	if err != nil {
		return nil, fmt.Errorf("outbox claim: %w", err)
	}
	for i := range due {
		m := &due[i]
		key := fmt.Sprintf("%s:%d:%d:%d", m.ID, m.Attempts, m.NextAttempt.UnixMilli(), m.LeaseUntil.UnixMilli())
		if _, err := o.claims.InsertOne(ctx, bson.M{"_id": key, "owner": owner, "at": now}); err != nil {
			if IsDuplicate(err) {
				continue // another worker took this state of the message
			}
			return nil, fmt.Errorf("outbox claim: %w", err)
		}
		until := now.Add(lease)
		res, err := o.guardedUpdate(ctx, m.ID,
			bson.M{"status": mail.StatusQueued, "attempts": m.Attempts, "next_attempt": m.NextAttempt, "lease_until": m.LeaseUntil},
			func(cur *mail.Message) bool {
				return cur.Status == mail.StatusQueued && cur.Attempts == m.Attempts && cur.NextAttempt.Equal(m.NextAttempt) && cur.LeaseUntil.Equal(m.LeaseUntil)
			},
			bson.M{"$set": bson.M{"lease_until": until, "lease_owner": owner}})
		if err != nil {
			return nil, fmt.Errorf("outbox claim: %w", err)
		}
		if !res {
			continue // sent or retried since it was read
		}
		m.LeaseUntil, m.LeaseOwner = until, owner
		return m, nil
	}
	return nil, nil
}

// MarkSent records delivery; only the lease holder may.
func (o *Outbox) MarkSent(ctx context.Context, id, owner string, at time.Time) error {
	ok, err := o.guardedUpdate(ctx, id, bson.M{"lease_owner": owner}, func(cur *mail.Message) bool { return cur.LeaseOwner == owner }, bson.M{
		"$set": bson.M{"status": mail.StatusSent, "sent_at": at, "lease_until": time.Time{}, "last_error": ""},
		"$inc": bson.M{"attempts": 1},
	})
	if ok {
		_, _ = o.due.DeleteOne(ctx, bson.M{"_id": id}) // left behind, Claim drops it
	}
	return err
}

// MarkRetry records a failed try and when to try again, or gives up.
func (o *Outbox) MarkRetry(ctx context.Context, id, owner string, next time.Time, lastErr string, failed bool) error {
	status := mail.StatusQueued
	if failed {
		status = mail.StatusFailed
	}
	ok, err := o.guardedUpdate(ctx, id, bson.M{"lease_owner": owner}, func(cur *mail.Message) bool { return cur.LeaseOwner == owner }, bson.M{
		"$set": bson.M{"status": status, "next_attempt": next, "last_error": lastErr, "lease_until": time.Time{}},
		"$inc": bson.M{"attempts": 1},
	})
	switch {
	case ok && failed:
		_, _ = o.due.DeleteOne(ctx, bson.M{"_id": id})
	case ok:
		_, _ = o.due.UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{"next_attempt": next}})
	}
	return err
}

// guardedUpdate applies update to message id if it still matches guard,
// and reports whether it did (see guardedFilter: on FerretDB the guard is
// checked by holds on a read by _id). The claim itself is already decided
// by Claim's unique insert.
func (o *Outbox) guardedUpdate(ctx context.Context, id string, guard bson.M, holds func(*mail.Message) bool, update bson.M) (bool, error) {
	var cur mail.Message
	filter, held, err := guardedFilter(ctx, o.c, filtersByIDOnly(ctx, o.c.Database()), id, guard, &cur, func() bool { return holds(&cur) })
	if err != nil || !held {
		return false, err
	}
	res, err := o.c.UpdateOne(ctx, filter, update)
	if err != nil {
		return false, err
	}
	return res.MatchedCount > 0, nil
}

// Requeue gives a failed message a fresh set of tries.
func (o *Outbox) Requeue(ctx context.Context, id string, now time.Time) error {
	res, err := o.c.UpdateOne(ctx, bson.M{"_id": id, "status": mail.StatusFailed}, bson.M{
		"$set": bson.M{"status": mail.StatusQueued, "attempts": 0, "next_attempt": now, "lease_until": time.Time{}},
	})
	if err != nil {
		return fmt.Errorf("outbox requeue: %w", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("message %s is not a failed message: %w", id, apperr.ErrConflict)
	}
	_, err = o.due.UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{"next_attempt": now, "at": now}}, options.Update().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("outbox requeue: %w", err)
	}
	return nil
}

// Get returns one message.
func (o *Outbox) Get(ctx context.Context, id string) (*mail.Message, error) {
	var m mail.Message
	err := o.c.FindOne(ctx, bson.M{"_id": id}).Decode(&m)
	if IsNotFound(err) {
		return nil, fmt.Errorf("message %s: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("outbox get: %w", err)
	}
	return &m, nil
}

// List returns a page of messages, newest first, and the total matching.
func (o *Outbox) List(ctx context.Context, f mail.Filter) ([]mail.Message, int64, error) {
	q := bson.M{}
	if f.Status != "" {
		q["status"] = f.Status
	}
	if f.To != "" {
		q["to"] = f.To
	}
	if f.Ref != "" {
		q["ref"] = f.Ref
	}
	if len(f.Refs) > 0 {
		q["ref"] = bson.M{"$in": f.Refs}
	}
	if f.Kind != "" {
		q["kind"] = f.Kind
	}
	page, per := Paging(f.Page, f.Per)
	total, err := o.c.CountDocuments(ctx, q)
	if err != nil {
		return nil, 0, fmt.Errorf("outbox count: %w", err)
	}
	cur, err := o.c.Find(ctx, q, options.Find().
		SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).
		SetSkip(int64((page-1)*per)).SetLimit(int64(per)))
	if err != nil {
		return nil, 0, fmt.Errorf("outbox list: %w", err)
	}
	var out []mail.Message
	if err := cur.All(ctx, &out); err != nil {
		return nil, 0, fmt.Errorf("outbox list: %w", err)
	}
	return out, total, nil
}

// SweepClaims deletes the claim records made before before.
func (o *Outbox) SweepClaims(ctx context.Context, before time.Time) (int64, error) {
	res, err := o.claims.DeleteMany(ctx, bson.M{"at": bson.M{"$lt": before}})
	if err != nil {
		return 0, fmt.Errorf("outbox claim sweep: %w", err)
	}
	return res.DeletedCount, nil
}

// Paging clamps a page number and size to sane bounds.
func Paging(page, per int) (int, int) {
	if page < 1 {
		page = 1
	}
	if per < 1 || per > 200 {
		per = 50
	}
	return page, per
}
