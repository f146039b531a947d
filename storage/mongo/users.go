package mongo

import (
	"context"
	"fmt"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/auth"
	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Users implements auth.UserStore on the "users" collection.
type Users struct{ c *driver.Collection }

// NewUsers returns the users store.
func NewUsers(db *driver.Database) *Users { return &Users{c: db.Collection("users")} }

// UserIndexes: one account per email, enforced by the database so that two
// instances creating the same person at once cannot both succeed.
var UserIndexes = []Index{
	{Collection: "users", Keys: bson.D{{Key: "email", Value: 1}}, Unique: true},
	{Collection: "users", Keys: bson.D{{Key: "role", Value: 1}}},
}

// InsertUser stores a new account.
func (s *Users) InsertUser(ctx context.Context, u *auth.User) error {
	if _, err := s.c.InsertOne(ctx, u); err != nil {
		if IsDuplicate(err) {
			return fmt.Errorf("user %s: %w", u.Email, apperr.ErrConflict)
		}
		return fmt.Errorf("users insert: %w", err)
	}
	return nil
}

// GetUser returns the account with id.
func (s *Users) GetUser(ctx context.Context, id string) (*auth.User, error) {
	return s.one(ctx, bson.M{"_id": id}, "user "+id)
}

// UserByEmail returns the account with email (already normalized).
func (s *Users) UserByEmail(ctx context.Context, email string) (*auth.User, error) {
	return s.one(ctx, bson.M{"email": email}, "user "+email)
}

func (s *Users) one(ctx context.Context, q bson.M, what string) (*auth.User, error) {
	var u auth.User
	err := s.c.FindOne(ctx, q).Decode(&u)
	if IsNotFound(err) {
		return nil, apperr.Wrapf(apperr.ErrNotFound, "%s does not exist", what)
	}
	if err != nil {
		return nil, fmt.Errorf("users find: %w", err)
	}
	return &u, nil
}

func userQuery(f auth.UserFilter) bson.M {
	q := bson.M{}
	if f.Role != "" {
		q["role"] = f.Role
	}
	if f.Active {
		q["disabled"] = false
	}
	return q
}

// ListUsers returns a page of accounts by email, and the total matching.
func (s *Users) ListUsers(ctx context.Context, f auth.UserFilter) ([]auth.User, int64, error) {
	q := userQuery(f)
	page, per := Paging(f.Page, f.Per)
	total, err := s.c.CountDocuments(ctx, q)
	if err != nil {
		return nil, 0, fmt.Errorf("users count: %w", err)
	}
	cur, err := s.c.Find(ctx, q, options.Find().SetSort(bson.D{{Key: "email", Value: 1}}).
		SetSkip(int64((page-1)*per)).SetLimit(int64(per)))
	if err != nil {
		return nil, 0, fmt.Errorf("users list: %w", err)
	}
	out := []auth.User{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, 0, fmt.Errorf("users list: %w", err)
	}
	return out, total, nil
}

// CountUsers counts accounts matching f.
func (s *Users) CountUsers(ctx context.Context, f auth.UserFilter) (int64, error) {
	n, err := s.c.CountDocuments(ctx, userQuery(f))
	if err != nil {
		return 0, fmt.Errorf("users count: %w", err)
	}
	return n, nil
}

// UpdateUser sets the given fields of an existing account.
func (s *Users) UpdateUser(ctx context.Context, id string, up auth.UserUpdate) error {
	set := bson.M{}
	if up.Name != nil {
		set["name"] = *up.Name
	}
	if up.Role != nil {
		set["role"] = *up.Role
	}
	if up.Disabled != nil {
		set["disabled"] = *up.Disabled
	}
	if up.PasswordHash != nil {
		set["password_hash"] = *up.PasswordHash
	}
	if up.LastLoginAt != nil {
		set["last_login_at"] = *up.LastLoginAt
	}
	if up.UpdatedAt != nil {
		set["updated_at"] = *up.UpdatedAt
	}
	if len(set) == 0 {
		return nil
	}
	res, err := s.c.UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": set})
	if err != nil {
		return fmt.Errorf("users update: %w", err)
	}
	if res.MatchedCount == 0 {
		return apperr.Wrapf(apperr.ErrNotFound, "user %s does not exist", id)
	}
	return nil
}

// AuthStores returns every store the auth service needs.
func AuthStores(db *driver.Database) auth.Stores {
	return auth.Stores{Users: NewUsers(db), Sessions: NewSessions(db), Tokens: NewTokens(db), Throttle: NewThrottle(db)}
}

// AuthIndexes are the indexes of the users, sessions, tokens, resets and
// throttle collections.
func AuthIndexes() []Index {
	var out []Index
	for _, l := range [][]Index{UserIndexes, SessionIndexes, TokenIndexes, ThrottleIndexes} {
		out = append(out, l...)
	}
	return out
}
