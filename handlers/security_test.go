package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/config"
	"github.com/labstack/echo/v4"
)

func TestForgedFormsAreRefused(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	admin := env.Login(t, auth.RoleAdmin)
	good := env.CSRF(t, admin, "/app/users/new")
	form := func(csrf string) url.Values {
		v := url.Values{"email": {"forged@example.test"}, "name": {"Forged"}, "role": {"admin"}, "password": {"a forged password"}}
		if csrf != "" {
			v.Set("_csrf", csrf)
		}
		return v
	}
	tests := []struct {
		name string
		csrf string
	}{
		{"no token", ""},
		{"wrong token", strings.Repeat("x", len(good))},
		{"token of another session", env.CSRF(t, env.Login(t, auth.RoleAdmin), "/app/account")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := admin.PostForm(env.URL+"/app/users", form(tt.csrf))
			if err != nil {
				t.Fatal(err)
			}
			if b := body(t, resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(b, "did not come from Assay") {
				t.Fatalf("%s\n%s", resp.Status, b)
			}
		})
	}
	if _, b := get(t, env, admin, "/app/users"); strings.Contains(b, "forged@example.test") {
		t.Fatal("a forged form created an account")
	}
	// The same form with the page's token goes through.
	resp, _ := admin.PostForm(env.URL+"/app/users", form(good))
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("genuine form: %s", resp.Status)
	}

	// The login form is protected too: a site cannot sign a visitor in to
	// an account of its choosing.
	email, password := env.Admin()
	resp, _ = env.Client().PostForm(env.URL+"/login", url.Values{"email": {email}, "password": {password}})
	if b := body(t, resp); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("login without token: %s\n%s", resp.Status, b)
	}
}

func TestScriptsCallingTheAPIWithASessionNeedTheCSRFHeader(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	env.Server.StaffAPIForTest(http.MethodPost, "/api/v1/test/echo", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"user": c.Get("assay.user").(*auth.User).Email})
	}, auth.RoleViewer)
	c := env.Login(t, auth.RoleViewer)
	call := func(header string) int {
		req, _ := http.NewRequest(http.MethodPost, env.URL+"/api/v1/test/echo", strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		if header != "" {
			req.Header.Set("X-CSRF-Token", header)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := call(""); got != http.StatusForbidden {
		t.Fatalf("session without the header: %d", got)
	}
	if got := call(env.CSRF(t, c, "/app/account")); got != http.StatusOK {
		t.Fatalf("session with the header: %d", got)
	}
	// Anonymous API callers are told how to authenticate.
	resp, _ := env.Client().Post(env.URL+"/api/v1/test/echo", "application/json", strings.NewReader("{}"))
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || e.Error.Code != "unauthorized" || resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("anonymous: %s %+v", resp.Status, e)
	}
	for _, h := range []string{"Bearer nonsense", "Basic YTpi", "Bearer assay_" + strings.Repeat("A", 43)} {
		req, _ := http.NewRequest(http.MethodPost, env.URL+"/api/v1/test/echo", strings.NewReader("{}"))
		req.Header.Set("Authorization", h)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%q: %s", h, resp.Status)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	admin := env.Login(t, auth.RoleAdmin)
	for _, path := range []string{"/login", "/app/account", "/healthz", "/reset/" + strings.Repeat("a", 43), "/no/such/page"} {
		resp, err := admin.Get(env.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows inline code: %q", path, csp)
		}
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
			if h.Get(k) != v {
				t.Errorf("%s: %s = %q, want %q", path, k, h.Get(k), v)
			}
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain http", path)
		}
	}
}

func TestBehindTLSCookiesAreSecureAndHSTSIsSent(t *testing.T) {
	env := apptest.New(t, apptest.Options{Configure: func(c *config.Config) { c.BaseURL = "https://assay.example.test" }})
	resp, err := env.Client().Get(env.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("HSTS: %q", resp.Header.Get("Strict-Transport-Security"))
	}
	var csrf *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "assay_csrf" {
			csrf = ck
		}
	}
	if csrf == nil || !csrf.Secure || !csrf.HttpOnly {
		t.Fatalf("CSRF cookie %+v: want Secure and HttpOnly", csrf)
	}
	// A browser would send the Secure cookie over TLS; send it by hand.
	email, password := env.Admin()
	form := url.Values{"_csrf": {csrf.Value}, "email": {email}, "password": {password}}
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(csrf)
	resp, err = env.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "assay_session" {
			session = ck
		}
	}
	if resp.StatusCode != http.StatusSeeOther || session == nil || !session.Secure || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Fatalf("login over TLS: %s, session cookie %+v", resp.Status, session)
	}
}

func TestBodiesOverTheLimitGet413(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	big := strings.Repeat("a", 1<<20+1)
	resp, err := env.Client().Post(env.URL+"/login", "application/x-www-form-urlencoded", strings.NewReader("email="+big))
	if err != nil {
		t.Fatal(err)
	}
	if b := body(t, resp); resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(b, "1 MiB") {
		t.Fatalf("form: %s\n%.300s", resp.Status, b)
	}
	resp, err = env.Client().Post(env.URL+"/api/v1/auth/token", "application/json", strings.NewReader(`{"email":"`+big+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || e.Error.Code != "too_large" {
		t.Fatalf("api: %s %+v", resp.Status, e)
	}
}

func TestSessionsExpireAndRotate(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoWorkers: true, Configure: func(c *config.Config) {
		c.SessionIdle, c.SessionAbsolute = 30*time.Minute, time.Hour
	}})
	now := time.Now()
	env.App.Auth.SetClock(func() time.Time { return now })
	email, password := env.CreateUser(t, auth.RoleViewer)

	t.Run("idle", func(t *testing.T) {
		c := env.LoginAs(t, email, password)
		now = now.Add(31 * time.Minute)
		resp, _ := c.Get(env.URL + "/app/account?tab=1")
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fapp%2Faccount%3Ftab%3D1" {
			t.Fatalf("idle session: %s to %q", resp.Status, resp.Header.Get("Location"))
		}
	})
	t.Run("absolute", func(t *testing.T) {
		c := env.LoginAs(t, email, password)
		for i := 0; i < 2; i++ {
			now = now.Add(25 * time.Minute)
			if status, _ := get(t, env, c, "/app/account"); status != http.StatusOK {
				t.Fatalf("active session after %d×25 min: %d", i+1, status)
			}
		}
		now = now.Add(25 * time.Minute) // 75 minutes in, past the hour
		if status, _ := get(t, env, c, "/app/account"); status != http.StatusSeeOther {
			t.Fatalf("session past its absolute lifetime: %d", status)
		}
	})
	t.Run("rotated at login and gone at logout", func(t *testing.T) {
		c := env.LoginAs(t, email, password)
		u, _ := url.Parse(env.URL)
		first := sessionCookie(c, u)
		// Signed in, the login page redirects; post the form directly.
		resp := post(t, env, c, "/app/account", "/login", url.Values{"email": {email}, "password": {password}})
		resp.Body.Close()
		second := sessionCookie(c, u)
		if first == "" || second == "" || first == second {
			t.Fatalf("session id not rotated: %q then %q", first, second)
		}
		if replay(t, env, first) != http.StatusSeeOther {
			t.Fatal("the session replaced at login still works")
		}
		resp = post(t, env, c, "/app/account", "/logout", nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?signed_out=1" {
			t.Fatalf("logout: %s", resp.Status)
		}
		if replay(t, env, second) != http.StatusSeeOther {
			t.Fatal("a signed-out session still works")
		}
	})
	if err := env.App.Auth.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func sessionCookie(c *http.Client, u *url.URL) string {
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "assay_session" {
			return ck.Value
		}
	}
	return ""
}

// replay presents a stolen session cookie.
func replay(t *testing.T, env *apptest.Env, session string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, env.URL+"/app/account", nil)
	req.AddCookie(&http.Cookie{Name: "assay_session", Value: session})
	resp, err := env.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestLoginThrottle(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	email, password := env.CreateUser(t, auth.RoleViewer)
	// Each client comes from its own address, as a reverse proxy on
	// loopback reports it.
	try := func(from, user, pw string) (int, string) {
		c := env.Client()
		form := url.Values{"_csrf": {env.CSRF(t, c, "/login")}, "email": {user}, "password": {pw}}
		req, _ := http.NewRequest(http.MethodPost, env.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", from)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body(t, resp)
	}
	for i := 1; i <= 4; i++ {
		if status, b := try("192.0.2.1", email, "wrong password "+string(rune('a'+i))); status != http.StatusUnauthorized || !strings.Contains(b, "wrong email or password") {
			t.Fatalf("failure %d: %d", i, status)
		}
	}
	status, b := try("192.0.2.2", email, "fifth wrong password")
	if status != http.StatusTooManyRequests || !strings.Contains(b, "Too many failed attempts; try again in 15 minutes") {
		t.Fatalf("fifth failure: %d\n%s", status, b)
	}
	// Locked: even the right password, from anywhere, waits.
	if status, _ := try("192.0.2.3", email, password); status != http.StatusTooManyRequests {
		t.Fatalf("right password while locked: %d", status)
	}
	// The API answers 429 too.
	resp, _ := env.Client().Post(env.URL+"/api/v1/auth/token", "application/json", strings.NewReader(`{"email":"`+email+`","password":"`+password+`"}`))
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("token while locked: %s", resp.Status)
	}
	// Per address: 20 failures over many accounts lock the address, not
	// the accounts.
	for i := 1; i <= 19; i++ {
		if status, _ := try("198.51.100.7", "someone"+string(rune('a'+i))+"@example.test", "guess"); status != http.StatusUnauthorized {
			t.Fatalf("address failure %d: %d", i, status)
		}
	}
	if status, b := try("198.51.100.7", "twentieth@example.test", "guess"); status != http.StatusTooManyRequests || !strings.Contains(b, "Too many failed attempts") {
		t.Fatalf("twentieth failure from one address: %d", status)
	}
	other, otherPw := env.CreateUser(t, auth.RoleViewer)
	if status, _ := try("198.51.100.7", other, otherPw); status != http.StatusTooManyRequests {
		t.Fatalf("a locked address signed in: %d", status)
	}
	if status, _ := try("198.51.100.8", other, otherPw); status != http.StatusSeeOther {
		t.Fatalf("another address could not sign in: %d", status)
	}
	// Every failure is in the audit log, with the address and the email
	// that was tried.
	reviewer := env.Login(t, auth.RoleReviewer)
	_, page := get(t, env, reviewer, "/app/audit?action=login.failed&actor="+url.QueryEscape(email))
	if strings.Count(page, "<code>login.failed</code>") != 5 || !strings.Contains(page, "192.0.2.2") || !strings.Contains(page, "account throttled") {
		t.Fatalf("audit of failed logins:\n%s", page)
	}
}
