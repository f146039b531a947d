package auth

import (
	"strings"
	"testing"

	"github.com/assayhq/assay/apperr"
)

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		password string
		ok       bool
	}{
		{"", false},
		{"elevenchars", false},
		{"twelve chars", true},
		{"ééééééééééé", false}, // 11 runes, 22 bytes: length is in characters
		{"éééééééééééé", true},
		{"            ", false},
		{strings.Repeat("a", MaxPasswordLength), true},
		{strings.Repeat("a", MaxPasswordLength+1), false},
	}
	for _, tt := range tests {
		err := CheckPassword("password", tt.password)
		if (err == nil) != tt.ok {
			t.Errorf("CheckPassword(%q) = %v, want ok=%v", tt.password, err, tt.ok)
		}
		if err != nil && (len(apperr.Fields(err)) != 1 || apperr.Fields(err)[0].Path != "password") {
			t.Errorf("CheckPassword(%q): want one field error on password, got %v", tt.password, err)
		}
	}
}

func TestHashAndVerify(t *testing.T) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not record its parameters", h)
	}
	h2, _ := HashPassword("correct horse battery staple")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	tampered := h[:len(h)-2] + "AA"
	if h[len(h)-2:] == "AA" {
		tampered = h[:len(h)-2] + "BB"
	}
	tests := []struct {
		name, hash, password string
		want                 bool
	}{
		{"right password", h, "correct horse battery staple", true},
		{"wrong password", h, "correct horse battery stapl", false},
		{"empty hash (no password set)", "", "", false},
		{"tampered hash", tampered, "correct horse battery staple", false},
		{"bcrypt hash", "$2a$10$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234", "x", false},
		{"memory bomb", "$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHQ$" + strings.Repeat("A", 43), "x", false},
		{"garbage", "$argon2id$v=19$m=x", "x", false},
	}
	for _, tt := range tests {
		if got := VerifyPassword(tt.hash, tt.password); got != tt.want {
			t.Errorf("%s: VerifyPassword = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestGeneratePasswordPassesTheRules(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		p := GeneratePassword()
		if err := CheckPassword("p", p); err != nil || len(p) != 24 || seen[p] {
			t.Fatalf("generated %q: %v", p, err)
		}
		seen[p] = true
	}
}
