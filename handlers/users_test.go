package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/testenv"
)

var userLink = regexp.MustCompile(`^/app/users/([0-9a-f]+)\?done=`)

// createUser submits the new-user form and returns the new account's id.
func createUser(t *testing.T, env *apptest.Env, admin *http.Client, form url.Values) string {
	t.Helper()
	resp := post(t, env, admin, "/app/users/new", "/app/users", form)
	resp.Body.Close()
	m := userLink.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("create user: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
	return m[1]
}

func TestUsersCreateValidates(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	admin := env.Login(t, auth.RoleAdmin)
	adminEmail, _ := env.Admin()
	tests := []struct {
		name string
		form url.Values
		want []string
	}{
		{"everything wrong", url.Values{"email": {"not-an-email"}, "name": {" "}, "role": {"owner"}, "password": {"short"}},
			[]string{"enter an email address", "enter the person&#39;s name", "choose admin, procurement, reviewer or viewer", "at least 12 characters"}},
		{"email taken", url.Values{"email": {strings.ToUpper(adminEmail)}, "name": {"Twin"}, "role": {"viewer"}, "password": {"long enough password"}},
			[]string{"an account with this email already exists"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := post(t, env, admin, "/app/users/new", "/app/users", tt.form)
			b := body(t, resp)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("%s\n%s", resp.Status, b)
			}
			for _, w := range tt.want {
				if !strings.Contains(b, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			if !strings.Contains(b, `value="`+tt.form.Get("email")+`"`) && tt.name == "everything wrong" {
				t.Error("the form must keep what was typed")
			}
		})
	}
}

func TestUsersEditDisableEnable(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	admin := env.Login(t, auth.RoleAdmin)
	id := createUser(t, env, admin, url.Values{"email": {"Pat@Example.test"}, "name": {"Pat"}, "role": {"viewer"}, "password": {"pats long password"}})
	pat := env.LoginAs(t, "pat@example.test", "pats long password")

	if status, b := get(t, env, admin, "/app/users"); status != http.StatusOK || !strings.Contains(b, "pat@example.test") {
		t.Fatalf("list: %d", status)
	}
	resp := post(t, env, admin, "/app/users/"+id, "/app/users/"+id, url.Values{"name": {"Pat Smith"}, "role": {"reviewer"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %s", resp.Status)
	}
	if status, b := get(t, env, pat, "/app/account"); status != http.StatusOK || !strings.Contains(b, "Pat Smith") || !strings.Contains(b, "Reviewer") {
		t.Fatalf("the change must show at once: %d", status)
	}
	resp = post(t, env, admin, "/app/users/"+id, "/app/users/"+id+"/disable", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %s", resp.Status)
	}
	if status, _ := get(t, env, pat, "/app/account"); status != http.StatusSeeOther {
		t.Fatalf("a disabled user must be signed out, got %d", status)
	}
	if r := env.PostLogin(t, env.Client(), "pat@example.test", "pats long password"); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a disabled user signed in: %s", r.Status)
	}
	resp = post(t, env, admin, "/app/users/"+id, "/app/users/"+id+"/enable", nil)
	resp.Body.Close()
	env.LoginAs(t, "pat@example.test", "pats long password")

	// The audit log holds each step with its before and after.
	reviewer := env.Login(t, auth.RoleReviewer)
	_, b := get(t, env, reviewer, "/app/audit?object_id="+id)
	for _, w := range []string{"user.create", "user.update", "role: viewer → reviewer", "user.disable", "user.enable"} {
		if !strings.Contains(b, w) {
			t.Errorf("audit page lacks %q", w)
		}
	}
}

func TestUsersCannotLockEveryoneOut(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	adminEmail, adminPassword := env.Admin()
	admin := env.LoginAs(t, adminEmail, adminPassword)
	_, b := get(t, env, admin, "/app/users")
	id := regexp.MustCompile(`href="/app/users/([0-9a-f]+)"`).FindStringSubmatch(b)
	if id == nil {
		t.Fatal("no user link")
	}
	resp := post(t, env, admin, "/app/users/"+id[1], "/app/users/"+id[1]+"/disable", nil)
	if b := body(t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(b, "cannot disable your own account") {
		t.Fatalf("self-disable: %s\n%s", resp.Status, b)
	}
	resp = post(t, env, admin, "/app/users/"+id[1], "/app/users/"+id[1], url.Values{"name": {"Administrator"}, "role": {"viewer"}})
	if b := body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, "last active admin") {
		t.Fatalf("demoting the last admin: %s\n%s", resp.Status, b)
	}
}

func TestPasswordResetByMail(t *testing.T) {
	env := apptest.New(t, apptest.Options{SMTP: true})
	admin := env.Login(t, auth.RoleAdmin)
	addr := testenv.UniqueAddress(t)
	// No password: the new colleague is mailed a link to choose one.
	createUser(t, env, admin, url.Values{"email": {addr}, "name": {"New Colleague"}, "role": {"procurement"}})
	msgs := env.Mailpit.WaitFor(t, addr, 1, 20*time.Second)
	if msgs[0].Subject != "Reset your Assay password" || !strings.Contains(msgs[0].HTML, "Choose a new password") {
		t.Fatalf("mail: %q\n%s", msgs[0].Subject, msgs[0].Text)
	}
	link, err := testenv.LinkIn(msgs[0].Text, env.URL+"/reset/")
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(link, env.URL)
	c := env.Client()
	if status, b := get(t, env, c, path); status != http.StatusOK || !strings.Contains(b, "New password") {
		t.Fatalf("reset page: %d", status)
	}
	// A bad password leaves the link usable.
	resp := post(t, env, c, path, path, url.Values{"password": {"short"}, "confirm": {"short"}})
	if b := body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, "at least 12 characters") {
		t.Fatalf("short password: %s", resp.Status)
	}
	resp = post(t, env, c, path, path, url.Values{"password": {"my own new password"}, "confirm": {"my own new password"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?reset=1" {
		t.Fatalf("reset: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
	env.LoginAs(t, addr, "my own new password")
	// The link worked once.
	if status, b := get(t, env, c, path); status != http.StatusGone || !strings.Contains(b, "expired or was already used") {
		t.Fatalf("reused link: %d", status)
	}
}

func TestResetRequestAnswersTheSameForEveryAddress(t *testing.T) {
	env := apptest.New(t, apptest.Options{SMTP: true})
	known := testenv.UniqueAddress(t)
	admin := env.Login(t, auth.RoleAdmin)
	createUser(t, env, admin, url.Values{"email": {known}, "name": {"Known"}, "role": {"viewer"}, "password": {"known long password"}})

	unknown := testenv.UniqueAddress(t)
	answer := func(addr string) string {
		c := env.Client()
		resp := post(t, env, c, "/reset", "/reset", url.Values{"email": {addr}})
		b := body(t, resp)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s", addr, resp.Status)
		}
		return strings.ReplaceAll(b, addr, "ADDR")
	}
	a, b := answer(known), answer(unknown)
	// Pages differ only in their CSRF tokens.
	strip := regexp.MustCompile(`content="[^"]+"|value="[^"]+"`)
	if strip.ReplaceAllString(a, "") != strip.ReplaceAllString(b, "") {
		t.Fatal("the answer tells whether an account exists")
	}
	env.Mailpit.WaitFor(t, known, 1, 20*time.Second)
	if n := len(env.Mailpit.Search(t, unknown)); n != 0 {
		t.Fatalf("%d mails to an address with no account", n)
	}
}
