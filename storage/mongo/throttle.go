package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Throttle implements auth.Throttle: one document per key (an account or a
// client address) holding its failure count and the end of its window.
// Every change is a single-document atomic update, so instances sharing the
// database share the counts.
type Throttle struct{ c *driver.Collection }

// NewThrottle returns the throttle store.
func NewThrottle(db *driver.Database) *Throttle { return &Throttle{c: db.Collection("throttle")} }

// ThrottleIndexes serve the sweeper.
var ThrottleIndexes = []Index{
	{Collection: "throttle", Keys: bson.D{{Key: "until", Value: 1}}},
}

type throttleDoc struct {
	Key   string    `bson:"_id"`
	Count int       `bson:"count"`
	Until time.Time `bson:"until"`
}

// Hit counts one failure in key's open window, opening a new window when
// the last one has ended.
func (t *Throttle) Hit(ctx context.Context, key string, now time.Time, window time.Duration) (int, time.Time, error) {
	after := options.FindOneAndUpdate().SetReturnDocument(options.After)
	// Three steps, each atomic: count in the open window; or restart an
	// ended window; or open the first one. Losing a race at one step means
	// another instance just did it, so the loop tries again.
	for range 4 {
		var d throttleDoc
		err := t.c.FindOneAndUpdate(ctx, bson.M{"_id": key, "until": bson.M{"$gt": now}},
			bson.M{"$inc": bson.M{"count": 1}}, after).Decode(&d)
		if err == nil {
			return d.Count, d.Until, nil
		}
		if !IsNotFound(err) {
			return 0, time.Time{}, fmt.Errorf("throttle hit: %w", err)
		}
		until := now.Add(window)
		err = t.c.FindOneAndUpdate(ctx, bson.M{"_id": key, "until": bson.M{"$lte": now}},
			bson.M{"$set": bson.M{"count": 1, "until": until}}, after).Decode(&d)
		if err == nil {
			return d.Count, d.Until, nil
		}
		if !IsNotFound(err) {
			return 0, time.Time{}, fmt.Errorf("throttle hit: %w", err)
		}
		_, err = t.c.InsertOne(ctx, throttleDoc{Key: key, Count: 1, Until: until})
		if err == nil {
			return 1, until, nil
		}
		if !IsDuplicate(err) {
			return 0, time.Time{}, fmt.Errorf("throttle hit: %w", err)
		}
	}
	return 0, time.Time{}, errors.New("throttle hit: too much contention on " + key)
}

// Count returns the failures in key's open window.
func (t *Throttle) Count(ctx context.Context, key string, now time.Time) (int, time.Time, error) {
	var d throttleDoc
	err := t.c.FindOne(ctx, bson.M{"_id": key, "until": bson.M{"$gt": now}}).Decode(&d)
	if IsNotFound(err) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("throttle count: %w", err)
	}
	return d.Count, d.Until, nil
}

// Clear forgets key's failures.
func (t *Throttle) Clear(ctx context.Context, key string) error {
	if _, err := t.c.DeleteOne(ctx, bson.M{"_id": key}); err != nil {
		return fmt.Errorf("throttle clear: %w", err)
	}
	return nil
}

// Sweep removes ended windows.
func (t *Throttle) Sweep(ctx context.Context, now time.Time) (int64, error) {
	res, err := t.c.DeleteMany(ctx, bson.M{"until": bson.M{"$lte": now}})
	if err != nil {
		return 0, fmt.Errorf("throttle sweep: %w", err)
	}
	return res.DeletedCount, nil
}
