package auth

import (
	"strings"
	"testing"
)

func TestParseBearer(t *testing.T) {
	tok := TokenPrefix + newSecret()
	tests := []struct {
		header string
		want   string
		ok     bool
	}{
		{"Bearer " + tok, tok, true},
		{"bearer " + tok, tok, true},
		{"BEARER  " + tok + " ", tok, true},
		{"Bearer", "", false},
		{"Bearer ", "", false},
		{"Basic " + tok, "", false},
		{tok, "", false},
		{"Bearer " + newSecret(), "", false},            // no prefix
		{"Bearer " + tok + "x", "", false},              // too long
		{"Bearer " + tok[:len(tok)-1], "", false},       // too short
		{"Bearer " + tok[:len(tok)-1] + "=", "", false}, // not base64url
		{"Bearer " + tok[:len(tok)-1] + "é", "", false}, // not ASCII
		{"Bearer " + TokenPrefix + strings.Repeat("/", 43), "", false},
	}
	for _, tt := range tests {
		got, ok := ParseBearer(tt.header)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseBearer(%q) = %q, %v; want %q, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSecretsAreDistinctAndHashed(t *testing.T) {
	a, b := newSecret(), newSecret()
	if a == b || !wellFormed(a) || !ValidSessionID(b) {
		t.Fatalf("secrets %q %q", a, b)
	}
	if HashSecret(a) == a || len(HashSecret(a)) != 64 || HashSecret(a) == HashSecret(b) {
		t.Fatalf("hash of %q: %q", a, HashSecret(a))
	}
}

// FuzzParseBearer: whatever the header, the parser never panics, and what
// it accepts is exactly one well-formed token that parses again the same.
func FuzzParseBearer(f *testing.F) {
	for _, s := range []string{"Bearer " + TokenPrefix + newSecret(), "Bearer", "bearer x", "Basic abc", "", "Bearer  assay_", "Bearer assay_" + strings.Repeat("-", 43), "Bearer \x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		tok, ok := ParseBearer(header)
		if !ok {
			if tok != "" {
				t.Fatalf("refused %q but returned %q", header, tok)
			}
			return
		}
		secret, found := strings.CutPrefix(tok, TokenPrefix)
		if !found || !wellFormed(secret) || len(tok) != len(TokenPrefix)+secretLen {
			t.Fatalf("accepted a malformed token %q from %q", tok, header)
		}
		if again, ok := ParseBearer("Bearer " + tok); !ok || again != tok {
			t.Fatalf("token %q does not parse again: %q %v", tok, again, ok)
		}
	})
}
