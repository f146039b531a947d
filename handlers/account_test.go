package handlers_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/auth"
	"github.com/labstack/echo/v4"
)

// get returns the status and body of GET path with client c.
func get(t testing.TB, env *apptest.Env, c *http.Client, path string) (int, string) {
	t.Helper()
	return fetch(t, c, env.URL+path)
}

// fetch returns the status and body of GET url with client c.
func fetch(t testing.TB, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body(t, resp)
}

// post submits a form to path with the CSRF token of page csrfFrom; the
// response's body is closed when the test ends, if not read before.
func post(t testing.TB, env *apptest.Env, c *http.Client, csrfFrom, path string, form url.Values) *http.Response {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", env.CSRF(t, c, csrfFrom))
	resp, err := c.PostForm(env.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// body reads and closes a response's body.
func body(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAccountPasswordChange(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	email, password := env.CreateUser(t, auth.RoleViewer)
	c := env.LoginAs(t, email, password)
	other := env.LoginAs(t, email, password)

	tests := []struct {
		name                   string
		current, next, confirm string
		status                 int
		want                   string
	}{
		{"wrong current password", "not my password!", "a brand new password", "a brand new password", http.StatusUnprocessableEntity, "this is not your current password"},
		{"confirmation differs", password, "a brand new password", "a brand new passwerd", http.StatusUnprocessableEntity, "type the same new password twice"},
		{"too short", password, "short", "short", http.StatusUnprocessableEntity, "at least 12 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := post(t, env, c, "/app/account", "/app/account/password", url.Values{"current": {tt.current}, "password": {tt.next}, "confirm": {tt.confirm}})
			b := body(t, resp)
			if resp.StatusCode != tt.status || !strings.Contains(b, tt.want) {
				t.Fatalf("%s, want %d with %q:\n%s", resp.Status, tt.status, tt.want, b)
			}
		})
	}
	resp := post(t, env, c, "/app/account", "/app/account/password", url.Values{"current": {password}, "password": {"a brand new password"}, "confirm": {"a brand new password"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %s", resp.Status)
	}
	if status, b := get(t, env, c, "/app/account?done=password"); status != http.StatusOK || !strings.Contains(b, "Your password has been changed") {
		t.Fatalf("the changing session must stay signed in: %d", status)
	}
	if status, _ := get(t, env, other, "/app/account"); status != http.StatusSeeOther {
		t.Fatalf("the other session must be signed out, got %d", status)
	}
	env.LoginAs(t, email, "a brand new password")
	if r := env.PostLogin(t, env.Client(), email, password); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("old password still works: %s", r.Status)
	}
}

var tokenField = regexp.MustCompile(`id="newtoken" class="mono" value="([^"]+)"`)

func TestAccountTokensCreateUseRevoke(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	env.Server.StaffAPIForTest(http.MethodGet, "/api/v1/test/whoami", func(c echo.Context) error {
		return c.String(http.StatusOK, "ok")
	}, auth.RoleViewer)
	c := env.Login(t, auth.RoleViewer)

	resp := post(t, env, c, "/app/account", "/app/account/tokens", url.Values{"name": {""}, "days": {"30"}})
	if b := body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, "give the token a name") {
		t.Fatalf("nameless token: %s\n%s", resp.Status, b)
	}
	resp = post(t, env, c, "/app/account", "/app/account/tokens", url.Values{"name": {"ci"}, "days": {"999"}})
	if b := body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, "between 1 and 366 days") {
		t.Fatalf("too long a token: %s\n%s", resp.Status, b)
	}
	resp = post(t, env, c, "/app/account", "/app/account/tokens", url.Values{"name": {"procurement sync"}, "days": {"30"}})
	b := body(t, resp)
	m := tokenField.FindStringSubmatch(b)
	if resp.StatusCode != http.StatusCreated || m == nil {
		t.Fatalf("create: %s\n%s", resp.Status, b)
	}
	secret := m[1]
	call := func() int {
		req, _ := http.NewRequest(http.MethodGet, env.URL+"/api/v1/test/whoami", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	if got := call(); got != http.StatusOK {
		t.Fatalf("new token refused: %d", got)
	}
	_, page := get(t, env, c, "/app/account")
	if strings.Contains(page, secret) || !strings.Contains(page, "procurement sync") {
		t.Fatal("the list must name the token and never show its secret again")
	}
	id := regexp.MustCompile(`/app/account/tokens/([0-9a-f]+)/revoke`).FindStringSubmatch(page)
	if id == nil {
		t.Fatal("no revoke form")
	}
	resp = post(t, env, c, "/app/account", "/app/account/tokens/"+id[1]+"/revoke", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %s", resp.Status)
	}
	if got := call(); got != http.StatusUnauthorized {
		t.Fatalf("revoked token still works: %d", got)
	}
}
