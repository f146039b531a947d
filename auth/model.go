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
