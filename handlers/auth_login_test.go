package handlers_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/auth"
)

func TestLoginSetsAHardenedSessionCookie(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	email, password := env.Admin()
	c := env.Client()
	resp := env.PostLogin(t, c, email, password)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/app/" {
		t.Fatalf("login: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "assay_session" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" || session.Secure {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/, not Secure over http", session)
	}
	if !auth.ValidSessionID(session.Value) {
		t.Fatalf("session id %q is not a 256-bit secret", session.Value)
	}
}

func TestLoginRefusesWrongPasswordWithTheFormAgain(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	email, _ := env.Admin()
	resp := env.PostLogin(t, env.Client(), email, "not the password at all")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "wrong email or password") ||
		!strings.Contains(string(body), `value="`+email+`"`) {
		t.Fatalf("%s\n%s", resp.Status, body)
	}
}

func TestTokenEndpointIssuesBearerTokens(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	tok := env.Token(t, auth.RoleViewer)
	if !strings.HasPrefix(tok, auth.TokenPrefix) {
		t.Fatalf("token %q", tok)
	}
}
