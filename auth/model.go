// Package auth holds staff users, roles, sessions and API tokens, and the
// rules of who may do what.
package auth

import "time"

// Role decides what a staff user may do.
type Role string

const (
	RoleAdmin       Role = "admin"       // users, templates, settings, and everything else
	RoleProcurement Role = "procurement" // vendors, sending questionnaires
	RoleReviewer    Role = "reviewer"    // reviews, scoring decisions, reports
	RoleViewer      Role = "viewer"      // read only
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleAdmin, RoleProcurement, RoleReviewer, RoleViewer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// User is a staff account.
type User struct {
	ID           string    `bson:"_id" json:"id"`
	Email        string    `bson:"email" json:"email"`
	Name         string    `bson:"name" json:"name"`
	Role         Role      `bson:"role" json:"role"`
	Disabled     bool      `bson:"disabled" json:"disabled"`
	PasswordHash string    `bson:"password_hash" json:"-"`
	CreatedAt    time.Time `bson:"created_at" json:"created_at"`
	UpdatedAt    time.Time `bson:"updated_at" json:"updated_at"`
	LastLoginAt  time.Time `bson:"last_login_at,omitempty" json:"last_login_at,omitzero"`
}

// Can reports whether the user holds one of roles; admins hold every role.
func (u *User) Can(roles ...Role) bool {
	if u == nil || u.Disabled {
		return false
	}
	if u.Role == RoleAdmin {
		return true
	}
	for _, r := range roles {
		if u.Role == r {
			return true
		}
	}
	return false
}

// Session is a signed-in browser. Its _id is the SHA-256 of the cookie's
// value: a leaked sessions collection signs nobody in.
type Session struct {
	ID        string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	CreatedAt time.Time `bson:"created_at"`
	LastSeen  time.Time `bson:"last_seen"`
	IdleUntil time.Time `bson:"idle_until"` // last_seen + idle timeout
	ExpiresAt time.Time `bson:"expires_at"` // created_at + absolute lifetime
	IP        string    `bson:"ip,omitempty"`
	UserAgent string    `bson:"user_agent,omitempty"`
}

// Expired reports whether the session has run out at now, by either clock.
func (s *Session) Expired(now time.Time) bool {
	return !now.Before(s.IdleUntil) || !now.Before(s.ExpiresAt)
}

// Token is a named API credential. Only the SHA-256 of the secret is kept;
// the secret is shown once, when the token is created.
type Token struct {
	ID         string    `bson:"_id" json:"id"`
	Hash       string    `bson:"hash" json:"-"`
	UserID     string    `bson:"user_id" json:"-"`
	Name       string    `bson:"name" json:"name"`
	CreatedAt  time.Time `bson:"created_at" json:"created_at"`
	ExpiresAt  time.Time `bson:"expires_at" json:"expires_at"`
	LastUsedAt time.Time `bson:"last_used_at,omitempty" json:"last_used_at,omitzero"`
}

// Expired reports whether the token may no longer be used at now.
func (t *Token) Expired(now time.Time) bool { return !now.Before(t.ExpiresAt) }

// Reset is a one-time password reset link. Its _id is the SHA-256 of the
// link's secret.
type Reset struct {
	ID        string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
	Used      bool      `bson:"used"`
}
