package mongo

import (
	"context"
	"fmt"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/auth"
	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Tokens implements auth.TokenStore: API tokens in "tokens", password reset
// links in "resets", and the uses of reset links in "reset_uses".
type Tokens struct{ tokens, resets, uses *driver.Collection }

// NewTokens returns the tokens store.
func NewTokens(db *driver.Database) *Tokens {
	return &Tokens{tokens: db.Collection("tokens"), resets: db.Collection("resets"), uses: db.Collection("reset_uses")}
}

// TokenIndexes look tokens up by hash (unique: two tokens can never share a
// secret) and list them per user; resets are swept by expiry.
var TokenIndexes = []Index{
	{Collection: "tokens", Keys: bson.D{{Key: "hash", Value: 1}}, Unique: true},
	{Collection: "tokens", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "created_at", Value: -1}}},
	{Collection: "resets", Keys: bson.D{{Key: "expires_at", Value: 1}}},
	{Collection: "reset_uses", Keys: bson.D{{Key: "expires_at", Value: 1}}},
}

// InsertToken stores a new token.
func (s *Tokens) InsertToken(ctx context.Context, t *auth.Token) error {
	if _, err := s.tokens.InsertOne(ctx, t); err != nil {
		return fmt.Errorf("tokens insert: %w", err)
	}
	return nil
}

// TokenByHash returns the token whose secret hashes to hash.
func (s *Tokens) TokenByHash(ctx context.Context, hash string) (*auth.Token, error) {
	var t auth.Token
	err := s.tokens.FindOne(ctx, bson.M{"hash": hash}).Decode(&t)
	if IsNotFound(err) {
		return nil, fmt.Errorf("token: %w", apperr.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("tokens find: %w", err)
	}
	return &t, nil
}

// ListTokens returns a user's tokens, newest first.
func (s *Tokens) ListTokens(ctx context.Context, userID string) ([]auth.Token, error) {
	cur, err := s.tokens.Find(ctx, bson.M{"user_id": userID},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}}).SetLimit(200))
	if err != nil {
		return nil, fmt.Errorf("tokens list: %w", err)
	}
	out := []auth.Token{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("tokens list: %w", err)
	}
	return out, nil
}

// DeleteToken removes one of a user's tokens.
func (s *Tokens) DeleteToken(ctx context.Context, userID, id string) error {
	res, err := s.tokens.DeleteOne(ctx, bson.M{"_id": id, "user_id": userID})
	if err != nil {
		return fmt.Errorf("tokens delete: %w", err)
	}
	if res.DeletedCount == 0 {
		return apperr.Wrapf(apperr.ErrNotFound, "you have no token %s", id)
	}
	return nil
}

// TouchToken records when a token was last used.
func (s *Tokens) TouchToken(ctx context.Context, id string, at time.Time) error {
	if _, err := s.tokens.UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{"last_used_at": at}}); err != nil {
		return fmt.Errorf("tokens touch: %w", err)
	}
	return nil
}

// InsertReset stores a reset link.
func (s *Tokens) InsertReset(ctx context.Context, r *auth.Reset) error {
	if _, err := s.resets.InsertOne(ctx, r); err != nil {
		return fmt.Errorf("resets insert: %w", err)
	}
	return nil
}

// GetReset returns the reset whose secret hashes to id.
func (s *Tokens) GetReset(ctx context.Context, id string) (*auth.Reset, error) {
	var r auth.Reset
	err := s.resets.FindOne(ctx, bson.M{"_id": id}).Decode(&r)
	if IsNotFound(err) {
		return nil, fmt.Errorf("reset link: %w", apperr.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("resets find: %w", err)
	}
	return &r, nil
}

// UseReset marks a reset used. The claim is an insert keyed by the reset's
// id: a unique key is the one guarantee FerretDB on SQLite keeps under
// concurrency, whereas its FindOneAndUpdate is a read then a write, and
// two clicks on one link would both pass a filter on used=false.
func (s *Tokens) UseReset(ctx context.Context, id string, now time.Time) (*auth.Reset, error) {
	r, err := s.GetReset(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Used || !now.Before(r.ExpiresAt) {
		return nil, fmt.Errorf("reset link: %w", apperr.ErrGone)
	}
	_, err = s.uses.InsertOne(ctx, bson.M{"_id": id, "used_at": now, "expires_at": r.ExpiresAt})
	if IsDuplicate(err) {
		return nil, fmt.Errorf("reset link: %w", apperr.ErrGone)
	}
	if err != nil {
		return nil, fmt.Errorf("resets use: %w", err)
	}
	// The flag lets the page say "already used" without a second lookup;
	// the claim above is what makes the use single.
	if _, err := s.resets.UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{"used": true}}); err != nil {
		return nil, fmt.Errorf("resets use: %w", err)
	}
	r.Used = true
	return r, nil
}

// DeleteExpiredResets removes links past their expiry, and their uses.
func (s *Tokens) DeleteExpiredResets(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.resets.DeleteMany(ctx, bson.M{"expires_at": bson.M{"$lte": now}})
	if err != nil {
		return 0, fmt.Errorf("resets sweep: %w", err)
	}
	if _, err := s.uses.DeleteMany(ctx, bson.M{"expires_at": bson.M{"$lte": now}}); err != nil {
		return 0, fmt.Errorf("reset uses sweep: %w", err)
	}
	return res.DeletedCount, nil
}
