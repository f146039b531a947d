package handlers

import (
	"net/url"
	"strings"
	"testing"
)

func TestSafeNext(t *testing.T) {
	tests := map[string]string{
		"":                           homePath,
		"/app/vendors?q=a&page=2":    "/app/vendors?q=a&page=2",
		"/app/assessments/1#answers": "/app/assessments/1#answers",
		"//evil.example":             homePath,
		"/\\evil.example":            homePath,
		"/\t/evil.example":           homePath, // browsers drop tabs: //evil.example
		"https://evil.example/app/":  homePath,
		"javascript:alert(1)":        homePath,
		"app/vendors":                homePath,
		"/login?next=/app/":          homePath,
		"/reset/abc":                 homePath,
		"/%2F%2Fevil.example":        "/%2F%2Fevil.example", // a path on this site, encoded
	}
	for in, want := range tests {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzLoginForm feeds raw form bodies to the login form decoder: it must
// never panic, never return a redirect off the site, and keep its fields
// within their bounds.
func FuzzLoginForm(f *testing.F) {
	for _, s := range []string{
		"email=a%40example.test&password=secret+secret&next=%2Fapp%2F",
		"email=&password=",
		"next=%2F%2Fevil.example&email=x&password=y",
		"next=%2F%5Cevil.example",
		"next=%2F%09%2Fevil.example",
		"email=" + strings.Repeat("a", 300) + "&password=x",
		"email=A%40B.C&email=second&password=%00",
		"%zz=1&next=https:%2F%2Fevil",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil && v == nil {
			return
		}
		form, err := decodeLoginForm(v)
		n := form.Next
		if !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") || strings.ContainsAny(n, "\\\t\r\n\x00") {
			t.Fatalf("unsafe next %q from %q", n, body)
		}
		if u, perr := url.Parse(n); perr != nil || u.Host != "" || u.Scheme != "" {
			t.Fatalf("next %q leaves the site (%v)", n, perr)
		}
		if safeNext(n) != n {
			t.Fatalf("next %q is not stable", n)
		}
		if len(form.Email) > 254 || form.Email != strings.ToLower(strings.TrimSpace(form.Email)) {
			t.Fatalf("email %q out of bounds or not normalized", form.Email)
		}
		if err == nil && (form.Email == "" || form.Password == "") {
			t.Fatalf("accepted an empty field from %q", body)
		}
	})
}
