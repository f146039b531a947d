package mongo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Throttle implements auth.Throttle with one document per attempt, counted
// over a sliding window. Counters updated with $inc would be simpler, but
// FerretDB on SQLite applies concurrent updates of one document as
// read-modify-write and loses increments (measured: 20 concurrent $inc
// left a count of 3). Inserts never lose: each attempt counts.
type Throttle struct{ c *driver.Collection }

// NewThrottle returns the throttle store.
func NewThrottle(db *driver.Database) *Throttle { return &Throttle{c: db.Collection("throttle")} }

// ThrottleIndexes serve the window counts and the sweeper.
var ThrottleIndexes = []Index{
	{Collection: "throttle", Keys: bson.D{{Key: "key", Value: 1}, {Key: "at", Value: 1}}},
	{Collection: "throttle", Keys: bson.D{{Key: "at", Value: 1}}},
}

type attempt struct {
	ID  string    `bson:"_id"`
	Key string    `bson:"key"`
	At  time.Time `bson:"at"`
}

// Add records an attempt and returns its id and the attempts of key in the
// window ending now, this one included.
func (t *Throttle) Add(ctx context.Context, key string, now time.Time, window time.Duration) (string, int, error) {
	var b [12]byte
	_, _ = rand.Read(b[:])
	a := attempt{ID: hex.EncodeToString(b[:]), Key: key, At: now}
	if _, err := t.c.InsertOne(ctx, a); err != nil {
		return "", 0, fmt.Errorf("throttle add: %w", err)
	}
	n, err := t.c.CountDocuments(ctx, bson.M{"key": key, "at": bson.M{"$gt": now.Add(-window)}})
	if err != nil {
		return "", 0, fmt.Errorf("throttle count: %w", err)
	}
	return a.ID, int(n), nil
}

// Remove forgets one attempt.
func (t *Throttle) Remove(ctx context.Context, id string) error {
	if _, err := t.c.DeleteOne(ctx, bson.M{"_id": id}); err != nil {
		return fmt.Errorf("throttle remove: %w", err)
	}
	return nil
}

// Clear forgets every attempt of key.
func (t *Throttle) Clear(ctx context.Context, key string) error {
	if _, err := t.c.DeleteMany(ctx, bson.M{"key": key}); err != nil {
		return fmt.Errorf("throttle clear: %w", err)
	}
	return nil
}

// RetryAt returns when key will have fewer than limit attempts in the
// window: when enough of its oldest attempts have aged out.
func (t *Throttle) RetryAt(ctx context.Context, key string, now time.Time, window time.Duration, limit int) (time.Time, error) {
	cur, err := t.c.Find(ctx, bson.M{"key": key, "at": bson.M{"$gt": now.Add(-window)}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}}))
	if err != nil {
		return time.Time{}, fmt.Errorf("throttle retry: %w", err)
	}
	var all []attempt
	if err := cur.All(ctx, &all); err != nil {
		return time.Time{}, fmt.Errorf("throttle retry: %w", err)
	}
	if len(all) < limit {
		return now, nil
	}
	return all[len(all)-limit].At.Add(window), nil
}

// Sweep removes attempts made at or before before.
func (t *Throttle) Sweep(ctx context.Context, before time.Time) (int64, error) {
	res, err := t.c.DeleteMany(ctx, bson.M{"at": bson.M{"$lte": before}})
	if err != nil {
		return 0, fmt.Errorf("throttle sweep: %w", err)
	}
	return res.DeletedCount, nil
}
