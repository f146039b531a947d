package auth

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/audit"
)

// MaxTokenTTL bounds what a person may ask for: a token that never expires
// outlives the people who remember it exists.
const MaxTokenTTL = 366 * 24 * time.Hour

var errBadToken = apperr.Wrapf(apperr.ErrUnauthorized, "the API token is missing, malformed, expired or revoked")

// CreateToken makes a named API token for u, valid for ttl (0: the default
// lifetime), and returns its secret, which is shown once.
func (s *Service) CreateToken(ctx context.Context, by audit.Actor, u *User, name string, ttl time.Duration) (string, *Token, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", nil, apperr.Field("name", "give the token a name, such as the system that will use it")
	case utf8.RuneCountInString(name) > 80:
		return "", nil, apperr.Field("name", "use at most 80 characters")
	case ttl < 0 || ttl > MaxTokenTTL:
		return "", nil, apperr.Field("days", "choose between 1 and 366 days")
	}
	if ttl == 0 {
		ttl = s.cfg.TokenTTL
	}
	secret := TokenPrefix + newSecret()
	now := s.now().UTC()
	t := &Token{ID: newID(), Hash: HashSecret(secret), UserID: u.ID, Name: name, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.tokens.InsertToken(ctx, t); err != nil {
		return "", nil, err
	}
	after := map[string]any{"name": name, "expires_at": t.ExpiresAt}
	if err := s.record(ctx, by, "token.create", "token", t.ID, nil, after, "for "+u.Email); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// TokenUser returns the user behind a bearer token (the value ParseBearer
// returned).
func (s *Service) TokenUser(ctx context.Context, token string) (*User, error) {
	secret, ok := strings.CutPrefix(token, TokenPrefix)
	if !ok || !wellFormed(secret) {
		return nil, errBadToken
	}
	t, err := s.tokens.TokenByHash(ctx, HashSecret(token))
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, errBadToken
	}
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if t.Expired(now) {
		return nil, errBadToken
	}
	u, err := s.users.GetUser(ctx, t.UserID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, errBadToken
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, errBadToken
	}
	if now.Sub(t.LastUsedAt) >= touchEvery {
		if err := s.tokens.TouchToken(ctx, t.ID, now); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// Tokens lists u's API tokens, newest first, expired ones included so their
// owner sees why a script stopped working.
func (s *Service) Tokens(ctx context.Context, u *User) ([]Token, error) {
	return s.tokens.ListTokens(ctx, u.ID)
}

// RevokeToken deletes one of u's tokens.
func (s *Service) RevokeToken(ctx context.Context, by audit.Actor, u *User, id string) error {
	if err := s.tokens.DeleteToken(ctx, u.ID, id); err != nil {
		return err
	}
	return s.record(ctx, by, "token.revoke", "token", id, nil, nil, "of "+u.Email)
}
