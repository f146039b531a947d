package handlers_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/handlers"
)

// dummyID fills every path parameter: well-formed, so handlers get as far
// as looking it up, and matching nothing.
const dummyID = "0123456789abcdef01234567"

var pathParam = regexp.MustCompile(`:[A-Za-z_]+|\*`)

func fillPath(p string) string {
	return pathParam.ReplaceAllStringFunc(p, func(m string) string {
		if m == "*" {
			return "x"
		}
		return dummyID
	})
}

// caller is a role's way in: a signed-in browser for pages, a bearer token
// for the API. The zero caller is anonymous.
type caller struct {
	role   auth.Role
	client *http.Client
	csrf   string
	token  string
}

func (c caller) name() string {
	if c.role == "" {
		return "anonymous"
	}
	return string(c.role)
}

func newCaller(t *testing.T, env *apptest.Env, role auth.Role) caller {
	email, password := env.CreateUser(t, role)
	cl := env.LoginAs(t, email, password)
	return caller{role: role, client: cl, csrf: env.CSRF(t, cl, "/app/account"), token: env.TokenFor(t, email, password)}
}

// call sends the request a legitimate page or script would, with a valid
// CSRF token and credentials, so the only thing that can refuse it is
// authorization (or the handler, on the dummy ids).
func (c caller) call(t *testing.T, env *apptest.Env, rt handlers.Route) *http.Response {
	t.Helper()
	target := env.URL + fillPath(rt.Path)
	var body io.Reader
	unsafe := rt.Method != http.MethodGet && rt.Method != http.MethodHead
	form := url.Values{}
	if rt.Kind == "page" && c.csrf != "" {
		form.Set("_csrf", c.csrf)
	}
	if unsafe {
		if rt.Kind == "api" {
			body = strings.NewReader("{}")
		} else {
			body = strings.NewReader(form.Encode())
		}
	}
	req, err := http.NewRequest(rt.Method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case unsafe && rt.Kind == "api":
		req.Header.Set("Content-Type", "application/json")
	case unsafe:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	switch {
	case rt.Kind == "api" && c.token != "":
		req.Header.Set("Authorization", "Bearer "+c.token)
	case rt.Kind == "page" && c.client != nil:
		client = c.client
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// TestRoleMatrix walks every staff route the server declares, including
// those added after this test was written, as every role and as nobody.
func TestRoleMatrix(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	callers := []caller{{}}
	for _, r := range auth.Roles {
		callers = append(callers, newCaller(t, env, r))
	}
	routes := env.Server.Routes()
	var checked int
	for _, rt := range routes {
		if rt.Kind == "public" {
			t.Logf("public: %s %s", rt.Method, rt.Path)
			continue
		}
		for i, c := range callers {
			resp := c.call(t, env, rt)
			checked++
			where := fmt.Sprintf("%s %s (%s) as %s: %s", rt.Method, rt.Path, rt.Kind, c.name(), resp.Status)
			loc := resp.Header.Get("Location")
			toLogin := resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(loc, "/login")
			allowed := c.role == auth.RoleAdmin || slices.Contains(rt.Roles, c.role)
			switch {
			case c.role == "" && rt.Kind == "api":
				if resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("%s, want 401", where)
				}
			case c.role == "":
				if resp.StatusCode != http.StatusUnauthorized && !toLogin {
					t.Errorf("%s (Location %q), want a redirect to /login or 401", where, loc)
				}
			case !allowed:
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s, want 403: role not in %v", where, rt.Roles)
				}
			default:
				if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden || (toLogin && rt.Path != "/logout") {
					t.Errorf("%s (Location %q), want it let through: role in %v", where, loc, rt.Roles)
				}
			}
			if rt.Path == "/logout" && c.role != "" && allowed {
				callers[i] = newCaller(t, env, c.role)
			}
		}
	}
	if checked < 5*10 {
		t.Fatalf("only %d checks: the route table looks empty", checked)
	}
	t.Logf("%d routes, %d checks", len(routes), checked)
}

// TestEveryRouteIsDeclaredThroughTheHelpers makes sure no route reaches
// Echo without its authorization: only health, readiness and static files
// bypass the route table.
func TestEveryRouteIsDeclaredThroughTheHelpers(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	declared := map[string]bool{}
	for _, rt := range env.Server.Routes() {
		declared[rt.Method+" "+rt.Path] = true
		if rt.Kind != "public" && len(rt.Roles) == 0 {
			t.Errorf("%s %s declares no role: nobody but admins could call it", rt.Method, rt.Path)
		}
		if rt.Kind == "api" && !strings.HasPrefix(rt.Path, "/api/v1/") || rt.Kind == "page" && !strings.HasPrefix(rt.Path, "/app") && rt.Path != "/logout" {
			t.Errorf("%s %s is a %s route outside its prefix", rt.Method, rt.Path, rt.Kind)
		}
	}
	infra := map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /static/*": true, "GET /favicon.ico": true}
	for _, r := range env.Server.Echo().Routes() {
		k := r.Method + " " + r.Path
		if !declared[k] && !infra[k] && !strings.HasPrefix(r.Name, "echo_route_not_found") {
			t.Errorf("%s is registered on Echo without staffPage, staffAPI or public", k)
		}
	}
}
