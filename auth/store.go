package auth

import (
	"context"
	"time"
)

// UserStore keeps staff accounts. InsertUser returns an apperr.ErrConflict
// for an email already taken; lookups return apperr.ErrNotFound.
type UserStore interface {
	InsertUser(ctx context.Context, u *User) error
	GetUser(ctx context.Context, id string) (*User, error)
	UserByEmail(ctx context.Context, email string) (*User, error)
	ListUsers(ctx context.Context, f UserFilter) ([]User, int64, error)
	// UpdateUser sets the fields of up that are not nil, and only those:
	// a sign-in recording its time must not write back a role or a
	// disabled flag that an admin changed a moment before.
	UpdateUser(ctx context.Context, id string, up UserUpdate) error
	CountUsers(ctx context.Context, f UserFilter) (int64, error)
}

// UserUpdate is a change to an account; nil fields stay as they are.
type UserUpdate struct {
	Name         *string
	Role         *Role
	Disabled     *bool
	PasswordHash *string
	LastLoginAt  *time.Time
	UpdatedAt    *time.Time
}

// UserFilter selects users; zero fields match all.
type UserFilter struct {
	Role   Role
	Active bool // only users not disabled
	Page   int
	Per    int
}

// SessionStore keeps signed-in browsers by the hash of their id.
type SessionStore interface {
	InsertSession(ctx context.Context, s *Session) error
	GetSession(ctx context.Context, id string) (*Session, error)
	// TouchSession moves the idle deadline of a session.
	TouchSession(ctx context.Context, id string, seen, idleUntil time.Time) error
	DeleteSession(ctx context.Context, id string) error
	// DeleteUserSessions signs a user out everywhere but keep (a session
	// id, or "").
	DeleteUserSessions(ctx context.Context, userID, keep string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
}

// TokenStore keeps API tokens and password reset links.
type TokenStore interface {
	InsertToken(ctx context.Context, t *Token) error
	TokenByHash(ctx context.Context, hash string) (*Token, error)
	ListTokens(ctx context.Context, userID string) ([]Token, error)
	// DeleteToken removes the token id of userID; apperr.ErrNotFound when
	// that user has no such token.
	DeleteToken(ctx context.Context, userID, id string) error
	TouchToken(ctx context.Context, id string, at time.Time) error

	InsertReset(ctx context.Context, r *Reset) error
	GetReset(ctx context.Context, id string) (*Reset, error)
	// UseReset marks an unused, unexpired reset used and returns it; it
	// fails with apperr.ErrGone when it was used or has expired. Of two
	// concurrent uses exactly one succeeds.
	UseReset(ctx context.Context, id string, now time.Time) (*Reset, error)
	DeleteExpiredResets(ctx context.Context, now time.Time) (int64, error)
}

// Throttle counts attempts per key (an account, a client address) over a
// sliding window, across instances.
type Throttle interface {
	// Add records an attempt and returns its id and the attempts of key in
	// the window ending now, this one included.
	Add(ctx context.Context, key string, now time.Time, window time.Duration) (id string, n int, err error)
	// Remove forgets one attempt (it succeeded, or was refused unheard).
	Remove(ctx context.Context, id string) error
	// Clear forgets every attempt of key.
	Clear(ctx context.Context, key string) error
	// RetryAt is when key will have fewer than limit attempts in the window.
	RetryAt(ctx context.Context, key string, now time.Time, window time.Duration, limit int) (time.Time, error)
	// Sweep deletes attempts made at or before before.
	Sweep(ctx context.Context, before time.Time) (int64, error)
}

// Stores is every store the service needs.
type Stores struct {
	Users    UserStore
	Sessions SessionStore
	Tokens   TokenStore
	Throttle Throttle
}

// Mailer sends the password reset mail.
type Mailer interface {
	PasswordReset(ctx context.Context, u *User, link string, valid time.Duration) error
}
