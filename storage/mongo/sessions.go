package mongo

import (
	"context"
	"fmt"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/auth"
	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
)

// Sessions implements auth.SessionStore on the "sessions" collection.
type Sessions struct{ c *driver.Collection }

// NewSessions returns the sessions store.
func NewSessions(db *driver.Database) *Sessions { return &Sessions{c: db.Collection("sessions")} }

// SessionIndexes serve sign-out-everywhere and the sweeper (FerretDB has no
// TTL indexes, so expiry is swept by the application).
var SessionIndexes = []Index{
	{Collection: "sessions", Keys: bson.D{{Key: "user_id", Value: 1}}},
	{Collection: "sessions", Keys: bson.D{{Key: "expires_at", Value: 1}}},
	{Collection: "sessions", Keys: bson.D{{Key: "idle_until", Value: 1}}},
}

// InsertSession stores a new session.
func (s *Sessions) InsertSession(ctx context.Context, sess *auth.Session) error {
	if _, err := s.c.InsertOne(ctx, sess); err != nil {
		return fmt.Errorf("sessions insert: %w", err)
	}
	return nil
}

// GetSession returns the session whose id hash is id.
func (s *Sessions) GetSession(ctx context.Context, id string) (*auth.Session, error) {
	var sess auth.Session
	err := s.c.FindOne(ctx, bson.M{"_id": id}).Decode(&sess)
	if IsNotFound(err) {
		return nil, fmt.Errorf("session: %w", apperr.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sessions find: %w", err)
	}
	return &sess, nil
}

// TouchSession moves the idle deadline.
func (s *Sessions) TouchSession(ctx context.Context, id string, seen, idleUntil time.Time) error {
	_, err := s.c.UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{"last_seen": seen, "idle_until": idleUntil}})
	if err != nil {
		return fmt.Errorf("sessions touch: %w", err)
	}
	return nil
}

// DeleteSession removes one session; a missing one is not an error.
func (s *Sessions) DeleteSession(ctx context.Context, id string) error {
	if _, err := s.c.DeleteOne(ctx, bson.M{"_id": id}); err != nil {
		return fmt.Errorf("sessions delete: %w", err)
	}
	return nil
}

// DeleteUserSessions removes every session of userID except keep.
func (s *Sessions) DeleteUserSessions(ctx context.Context, userID, keep string) error {
	q := bson.M{"user_id": userID}
	if keep != "" {
		q["_id"] = bson.M{"$ne": keep}
	}
	if _, err := s.c.DeleteMany(ctx, q); err != nil {
		return fmt.Errorf("sessions delete for user: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions past either deadline.
func (s *Sessions) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	for _, field := range []string{"expires_at", "idle_until"} {
		res, err := s.c.DeleteMany(ctx, bson.M{field: bson.M{"$lte": now}})
		if err != nil {
			return n, fmt.Errorf("sessions sweep: %w", err)
		}
		n += res.DeletedCount
	}
	return n, nil
}
