package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/assayhq/assay/apperr"
	"golang.org/x/crypto/argon2"
)

// Password rules. The upper bound keeps a hostile form from making argon2
// hash megabytes; people never reach it.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 512
)

// argon2id parameters: OWASP's baseline for argon2id (19 MiB, 2 passes, one
// lane), about 30 ms on a small server. They are stored in every hash, so
// raising them later leaves existing hashes verifiable.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// CheckPassword returns a field error when password breaks the rules.
func CheckPassword(field, password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLength:
		return apperr.Field(field, fmt.Sprintf("use at least %d characters (a few words make a good one)", MinPasswordLength))
	case len(password) > MaxPasswordLength:
		return apperr.Field(field, fmt.Sprintf("use at most %d bytes", MaxPasswordLength))
	case strings.TrimSpace(password) == "":
		return apperr.Field(field, "the password cannot be only spaces")
	}
	return nil
}

// HashPassword returns password's argon2id hash in the PHC string format:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("not an argon2id hash")

// VerifyPassword reports whether password matches hash, comparing in
// constant time. An empty or malformed hash matches nothing.
func VerifyPassword(hash, password string) bool {
	p, err := parseHash(hash)
	if err != nil || len(password) > MaxPasswordLength {
		return false
	}
	key := argon2.IDKey([]byte(password), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1
}

type argonHash struct {
	time, memory uint32
	threads      uint8
	salt, key    []byte
}

func parseHash(s string) (argonHash, error) {
	var h argonHash
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return h, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return h, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.memory, &h.time, &h.threads); err != nil {
		return h, errBadHash
	}
	// Bounds keep a tampered hash from turning a login into a memory bomb.
	if h.time < 1 || h.time > 10 || h.memory < 8*1024 || h.memory > 1<<20 || h.threads < 1 {
		return h, errBadHash
	}
	var err error
	if h.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(h.salt) < 8 {
		return h, errBadHash
	}
	if h.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(h.key) < 16 || len(h.key) > 64 {
		return h, errBadHash
	}
	return h, nil
}

// decoyHash is verified when the email matches no account, so that a
// failed login takes as long whether or not the account exists.
var decoyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("decoy password that matches no account")
	return h
})

// GeneratePassword returns a random password for the bootstrap admin and
// command-line resets: 24 characters of base64url, 144 bits.
func GeneratePassword() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
