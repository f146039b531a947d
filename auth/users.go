package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/audit"
)

// NewUser is an account to create. An empty Password creates the account
// without one and mails the person a link to choose it.
type NewUser struct {
	Email    string
	Name     string
	Role     Role
	Password string
}

// UserChange is what an admin may edit on an account.
type UserChange struct {
	Name string
	Role Role
}

func checkName(name string) error {
	if name == "" {
		return apperr.Field("name", "enter the person's name")
	}
	if utf8.RuneCountInString(name) > 100 {
		return apperr.Field("name", "use at most 100 characters")
	}
	return nil
}

func checkRole(r Role) error {
	if !r.Valid() {
		return apperr.Field("role", "choose admin, procurement, reviewer or viewer")
	}
	return nil
}

// collect merges field errors into one Validation, so a form shows every
// problem at once.
func collect(msg string, errs ...error) error {
	var fields []apperr.FieldError
	for _, err := range errs {
		fields = append(fields, apperr.Fields(err)...)
	}
	if len(fields) == 0 {
		return nil
	}
	return apperr.Invalid(msg, fields...)
}

// CreateUser adds a staff account.
func (s *Service) CreateUser(ctx context.Context, by audit.Actor, n NewUser) (*User, error) {
	u, err := s.insertUser(ctx, by, n)
	if errors.Is(err, apperr.ErrConflict) {
		return nil, apperr.Invalid("the account could not be created", apperr.FieldError{Path: "email", Message: "an account with this email already exists"})
	}
	if err != nil {
		return nil, err
	}
	if n.Password == "" {
		if err := s.sendReset(ctx, by, u); err != nil {
			return u, err
		}
	}
	return u, nil
}

// insertUser validates, stores and records a new account; a taken email is
// apperr.ErrConflict.
func (s *Service) insertUser(ctx context.Context, by audit.Actor, n NewUser) (*User, error) {
	n.Email, n.Name = NormalizeEmail(n.Email), strings.TrimSpace(n.Name)
	var pwErr error
	if n.Password != "" {
		pwErr = CheckPassword("password", n.Password)
	}
	if err := collect("the account could not be created", CheckEmail("email", n.Email), checkName(n.Name), checkRole(n.Role), pwErr); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	u := &User{ID: newID(), Email: n.Email, Name: n.Name, Role: n.Role, CreatedAt: now, UpdatedAt: now}
	if n.Password != "" {
		h, err := HashPassword(n.Password)
		if err != nil {
			return nil, err
		}
		u.PasswordHash = h
	}
	if err := s.users.InsertUser(ctx, u); err != nil {
		return nil, err
	}
	after := map[string]any{"email": u.Email, "name": u.Name, "role": string(u.Role)}
	return u, s.record(ctx, by, "user.create", "user", u.ID, nil, after, "")
}

// User returns one account.
func (s *Service) User(ctx context.Context, id string) (*User, error) {
	return s.users.GetUser(ctx, id)
}

// UserByEmail returns the account with email.
func (s *Service) UserByEmail(ctx context.Context, email string) (*User, error) {
	return s.users.UserByEmail(ctx, NormalizeEmail(email))
}

// Users lists accounts.
func (s *Service) Users(ctx context.Context, f UserFilter) ([]User, int64, error) {
	return s.users.ListUsers(ctx, f)
}

// UpdateUser changes an account's name and role. The last active admin
// keeps the admin role, so nobody can lock the organisation out.
func (s *Service) UpdateUser(ctx context.Context, by audit.Actor, id string, ch UserChange) (*User, error) {
	ch.Name = strings.TrimSpace(ch.Name)
	if err := collect("the account could not be saved", checkName(ch.Name), checkRole(ch.Role)); err != nil {
		return nil, err
	}
	u, err := s.users.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.Role == RoleAdmin && ch.Role != RoleAdmin && !u.Disabled {
		if err := s.keepAnAdmin(ctx); err != nil {
			return nil, apperr.Invalid("the account could not be saved", apperr.FieldError{Path: "role", Message: err.Error()})
		}
	}
	before, after := map[string]any{}, map[string]any{}
	if u.Name != ch.Name {
		before["name"], after["name"] = u.Name, ch.Name
	}
	if u.Role != ch.Role {
		before["role"], after["role"] = string(u.Role), string(ch.Role)
	}
	if len(after) == 0 {
		return u, nil
	}
	demoted := u.Role == RoleAdmin && ch.Role != RoleAdmin && !u.Disabled
	oldRole := u.Role
	u.Name, u.Role, u.UpdatedAt = ch.Name, ch.Role, s.now().UTC()
	if err := s.users.UpdateUser(ctx, u.ID, UserUpdate{Name: &u.Name, Role: &u.Role, UpdatedAt: &u.UpdatedAt}); err != nil {
		return nil, err
	}
	if demoted {
		if err := s.keptAnAdmin(ctx, u.ID, UserUpdate{Role: &oldRole}); errors.Is(err, errLastAdmin) {
			return nil, apperr.Invalid("the account could not be saved", apperr.FieldError{Path: "role", Message: err.Error()})
		} else if err != nil {
			return nil, err
		}
	}
	return u, s.record(ctx, by, "user.update", "user", u.ID, before, after, "")
}

var errLastAdmin = errors.New("this is the last active admin; make someone else admin first")

// keepAnAdmin fails when there is only one active admin left.
func (s *Service) keepAnAdmin(ctx context.Context) error {
	n, err := s.users.CountUsers(ctx, UserFilter{Role: RoleAdmin, Active: true})
	if err != nil {
		return err
	}
	if n <= 1 {
		return errLastAdmin
	}
	return nil
}

// keptAnAdmin counts again after an admin was demoted or disabled, and
// undoes that change when no active admin is left. Two admins demoting
// each other at the same moment both pass keepAnAdmin before either
// writes, and the store has no transactions; but each writer counts after
// its own write, and an undo only adds an admin, so the last of such
// writes always leaves one (both may fail, and one of them tries again).
func (s *Service) keptAnAdmin(ctx context.Context, id string, undo UserUpdate) error {
	n, err := s.users.CountUsers(ctx, UserFilter{Role: RoleAdmin, Active: true})
	if err == nil && n > 0 {
		return nil
	}
	if uerr := s.users.UpdateUser(context.WithoutCancel(ctx), id, undo); uerr != nil {
		return fmt.Errorf("undoing the change that left no admin: %w", uerr)
	}
	if err != nil {
		return fmt.Errorf("counting the admins left: %w", err)
	}
	return errLastAdmin
}

// SetDisabled disables or enables an account. Disabling signs the person
// out everywhere; their API tokens stop working until the account is
// enabled again.
func (s *Service) SetDisabled(ctx context.Context, by audit.Actor, id string, disabled bool) (*User, error) {
	u, err := s.users.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.Disabled == disabled {
		return u, nil
	}
	if disabled {
		if by.ID == u.ID {
			return nil, apperr.Wrapf(apperr.ErrConflict, "you cannot disable your own account")
		}
		if u.Role == RoleAdmin {
			if err := s.keepAnAdmin(ctx); err != nil {
				return nil, apperr.Wrapf(apperr.ErrConflict, "%s", err.Error())
			}
		}
	}
	u.Disabled, u.UpdatedAt = disabled, s.now().UTC()
	if err := s.users.UpdateUser(ctx, u.ID, UserUpdate{Disabled: &u.Disabled, UpdatedAt: &u.UpdatedAt}); err != nil {
		return nil, err
	}
	if disabled && u.Role == RoleAdmin {
		enabled := false
		if err := s.keptAnAdmin(ctx, u.ID, UserUpdate{Disabled: &enabled}); errors.Is(err, errLastAdmin) {
			return nil, apperr.Wrapf(apperr.ErrConflict, "%s", err.Error())
		} else if err != nil {
			return nil, err
		}
	}
	action := "user.enable"
	if disabled {
		action = "user.disable"
		if err := s.sessions.DeleteUserSessions(ctx, u.ID, ""); err != nil {
			return nil, err
		}
	}
	return u, s.record(ctx, by, action, "user", u.ID, map[string]any{"disabled": !disabled}, map[string]any{"disabled": disabled}, "")
}

// ChangePassword sets a signed-in user's own password after checking the
// current one, and signs out their other sessions. Wrong current passwords
// count against the account like failed logins.
func (s *Service) ChangePassword(ctx context.Context, by audit.Actor, u *User, current, next, keepSession string) error {
	if _, _, err := s.admit(ctx, s.now().UTC(), limit{"account:" + u.Email, s.cfg.Limits.PerAccount}); err != nil {
		return err
	}
	if !VerifyPassword(u.PasswordHash, current) {
		return apperr.Invalid("the password was not changed", apperr.FieldError{Path: "current", Message: "this is not your current password"})
	}
	if err := CheckPassword("password", next); err != nil {
		return apperr.Invalid("the password was not changed", apperr.Fields(err)...)
	}
	if err := s.setPassword(ctx, u, next); err != nil {
		return err
	}
	if err := s.sessions.DeleteUserSessions(ctx, u.ID, keepSession); err != nil {
		return err
	}
	return s.record(ctx, by, "user.password_change", "user", u.ID, nil, nil, "other sessions signed out")
}

// SetPassword replaces an account's password without knowing the old one
// (`assay users reset-password`), and signs the person out everywhere.
func (s *Service) SetPassword(ctx context.Context, by audit.Actor, id, password string) (*User, error) {
	if err := CheckPassword("password", password); err != nil {
		return nil, err
	}
	u, err := s.users.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.setPassword(ctx, u, password); err != nil {
		return nil, err
	}
	if err := s.sessions.DeleteUserSessions(ctx, u.ID, ""); err != nil {
		return nil, err
	}
	return u, s.record(ctx, by, "user.password_reset", "user", u.ID, nil, nil, "set by an administrator")
}

func (s *Service) setPassword(ctx context.Context, u *User, password string) error {
	h, err := HashPassword(password)
	if err != nil {
		return err
	}
	u.PasswordHash, u.UpdatedAt = h, s.now().UTC()
	if err := s.users.UpdateUser(ctx, u.ID, UserUpdate{PasswordHash: &u.PasswordHash, UpdatedAt: &u.UpdatedAt}); err != nil {
		return err
	}
	// A new password ends any lock-out the old one earned.
	return s.throttle.Clear(ctx, "account:"+u.Email)
}

// Bootstrap creates the first admin when there are no accounts at all. With
// no password it generates one and returns it, to be shown once.
func (s *Service) Bootstrap(ctx context.Context, email, password string) (created bool, generated string, err error) {
	n, err := s.users.CountUsers(ctx, UserFilter{})
	if err != nil || n > 0 {
		return false, "", err
	}
	if password == "" {
		password = GeneratePassword()
		generated = password
	}
	_, err = s.insertUser(ctx, audit.System, NewUser{Email: email, Name: "Administrator", Role: RoleAdmin, Password: password})
	if errors.Is(err, apperr.ErrConflict) {
		// Another instance bootstrapped at the same moment.
		return false, "", nil
	}
	if err != nil {
		return false, "", err
	}
	return true, generated, nil
}
