package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Secrets (session cookies, reset links, API tokens) are 256 random bits
// in base64url; the database keeps only their SHA-256.
const secretLen = 43 // base64url of 32 bytes, unpadded

// TokenPrefix marks API tokens, so that secret scanners and people can tell
// an Assay token from other credentials.
const TokenPrefix = "assay_"

func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret is the stored form of a secret.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// wellFormed reports whether s looks like a secret, so that garbage never
// costs a database round trip.
func wellFormed(s string) bool {
	if len(s) != secretLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// ParseBearer extracts an API token from an Authorization header value
// ("Bearer assay_…"). It reports false for anything else, including other
// schemes and malformed tokens.
func ParseBearer(header string) (string, bool) {
	scheme, rest, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok := strings.TrimSpace(rest)
	secret, ok := strings.CutPrefix(tok, TokenPrefix)
	if !ok || !wellFormed(secret) {
		return "", false
	}
	return tok, true
}

// ValidSessionID reports whether a cookie value could be a session id.
func ValidSessionID(s string) bool { return wellFormed(s) }

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
