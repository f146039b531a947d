package apptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
)

// Admin returns the bootstrap admin's credentials, which New configures.
func (e *Env) Admin() (email, password string) {
	return e.Config.AdminEmail, e.Config.AdminPassword
}

// CreateUser adds a staff account with role and returns its email and
// password.
func (e *Env) CreateUser(t testing.TB, role auth.Role) (email, password string) {
	t.Helper()
	suffix := randomHex(4)
	email = string(role) + "-" + suffix + "@example.test"
	password = "password-" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := e.App.Auth.CreateUser(ctx, audit.System, auth.NewUser{
		Email: email, Name: strings.ToUpper(string(role[:1])) + string(role[1:]) + " " + suffix, Role: role, Password: password,
	})
	if err != nil {
		t.Fatalf("creating a %s: %v", role, err)
	}
	return email, password
}

// Login returns a client signed in, through the real login form, as a new
// user with role.
func (e *Env) Login(t testing.TB, role auth.Role) *http.Client {
	t.Helper()
	email, password := e.CreateUser(t, role)
	return e.LoginAs(t, email, password)
}

// LoginAs signs a new client in with the login form (CSRF token included)
// and fails the test unless the form accepts the credentials.
func (e *Env) LoginAs(t testing.TB, email, password string) *http.Client {
	t.Helper()
	c := e.Client()
	resp := e.PostLogin(t, c, email, password)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("login as %s: %s, Location %q", email, resp.Status, resp.Header.Get("Location"))
	}
	return c
}

// PostLogin submits the login form with client c and returns the answer,
// for tests of failed logins.
func (e *Env) PostLogin(t testing.TB, c *http.Client, email, password string) *http.Response {
	t.Helper()
	form := url.Values{"_csrf": {e.CSRF(t, c, "/login")}, "email": {email}, "password": {password}}
	resp, err := c.PostForm(e.URL+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

// CSRF loads pagePath with client c and returns the CSRF token of its
// csrf-token meta tag, which forms post as _csrf and scripts send as
// X-CSRF-Token.
func (e *Env) CSRF(t testing.TB, c *http.Client, pagePath string) string {
	t.Helper()
	resp, err := c.Get(e.URL + pagePath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfMeta.FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("GET %s: %s, no csrf-token meta tag", pagePath, resp.Status)
	}
	return html.UnescapeString(string(m[1]))
}

// Token returns a bearer token of a new user with role, issued by
// POST /api/v1/auth/token.
func (e *Env) Token(t testing.TB, role auth.Role) string {
	t.Helper()
	email, password := e.CreateUser(t, role)
	return e.TokenFor(t, email, password)
}

// TokenFor returns a bearer token for existing credentials.
func (e *Env) TokenFor(t testing.TB, email, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	resp, err := e.Client().Post(e.URL+"/api/v1/auth/token", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusCreated || out.Token == "" {
		t.Fatalf("POST /api/v1/auth/token as %s: %s %v", email, resp.Status, err)
	}
	return out.Token
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
