package auth_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/frontend"
	"github.com/assayhq/assay/mail"
	storemongo "github.com/assayhq/assay/storage/mongo"
	"github.com/assayhq/assay/testenv"
)

// rig is an auth service over the test FerretDB, with a real outbox (no
// relay: mail is kept) and a clock the test moves.
type rig struct {
	box   *storemongo.Outbox
	svc   *auth.Service
	audit *audit.Service
	now   time.Time
	mu    sync.Mutex
}

func newRig(t *testing.T) *rig {
	t.Helper()
	db := testenv.Mongo(t)
	ctx := context.Background()
	if err := storemongo.EnsureIndexes(ctx, db, append(storemongo.AuthIndexes(), storemongo.AuditIndexes...)); err != nil {
		t.Fatal(err)
	}
	r, err := frontend.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	box := storemongo.NewOutbox(db)
	outbox := mail.NewOutbox(box, nil, "assay@example.test", slog.New(slog.NewTextHandler(io.Discard, nil)))
	g := &rig{box: box, audit: audit.NewService(storemongo.NewAudit(db)), now: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	g.svc = auth.NewService(auth.Config{BaseURL: "https://assay.example.test"}, storemongo.AuthStores(db), g.audit,
		auth.OutboxMailer{Outbox: outbox, Renderer: r, Company: "Example"})
	g.svc.SetClock(g.clock)
	g.audit.SetClock(g.clock)
	return g
}

func (g *rig) clock() time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.now
}

func (g *rig) advance(d time.Duration) {
	g.mu.Lock()
	g.now = g.now.Add(d)
	g.mu.Unlock()
}

func (g *rig) user(t *testing.T, email string, role auth.Role) *auth.User {
	t.Helper()
	u, err := g.svc.CreateUser(context.Background(), audit.System, auth.NewUser{Email: email, Name: "Someone", Role: role, Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (g *rig) failures(t *testing.T, email string) int {
	t.Helper()
	list, _, err := g.audit.List(context.Background(), audit.Filter{Action: "login.failed", ActorEmail: email, Per: 200})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

var here = auth.Client{IP: "192.0.2.10"}

func TestLoginOutcomes(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	g.user(t, "ann@example.test", auth.RoleReviewer)
	off := g.user(t, "off@example.test", auth.RoleViewer)
	if _, err := g.svc.SetDisabled(ctx, audit.System, off.ID, true); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, email, password string
		ok                    bool
		note                  string
	}{
		{"right password, any case and spaces", " ANN@example.test ", "a long enough password", true, ""},
		{"wrong password", "ann@example.test", "a long enough passwore", false, "wrong password"},
		{"no such account", "nobody@example.test", "a long enough password", false, "no such account"},
		{"disabled account", "off@example.test", "a long enough password", false, "account disabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, secret, sess, err := g.svc.Login(ctx, tt.email, tt.password, here)
			if tt.ok {
				if err != nil || u == nil || !auth.ValidSessionID(secret) || sess.ID != auth.HashSecret(secret) {
					t.Fatalf("login: %v", err)
				}
				got, _, err := g.svc.Authenticate(ctx, secret)
				if err != nil || got.ID != u.ID {
					t.Fatalf("the new session does not sign in: %v", err)
				}
				return
			}
			// One answer for every failure: the form never tells which.
			if !errors.Is(err, auth.ErrBadCredentials) || err.Error() != "wrong email or password" {
				t.Fatalf("err = %v", err)
			}
			list, _, _ := g.audit.List(ctx, audit.Filter{Action: "login.failed", ActorEmail: auth.NormalizeEmail(tt.email)})
			if len(list) == 0 || list[0].Note != tt.note || list[0].Actor.Kind != audit.KindAnonymous || list[0].Actor.IP != here.IP {
				t.Fatalf("audit: %+v", list)
			}
		})
	}
}

func TestLoginThrottleSlidesAndResets(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	g.user(t, "ann@example.test", auth.RoleViewer)
	wrong := func() error {
		_, _, _, err := g.svc.Login(ctx, "ann@example.test", "not the password", here)
		return err
	}
	right := func() error {
		_, _, _, err := g.svc.Login(ctx, "ann@example.test", "a long enough password", here)
		return err
	}
	// A success forgets earlier failures of the account.
	for range 4 {
		wrong()
	}
	if err := right(); err != nil {
		t.Fatalf("4 failures then the right password: %v", err)
	}
	for i := 1; i <= 4; i++ {
		g.advance(time.Minute)
		if err := wrong(); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	g.advance(time.Minute)
	err := wrong()
	if !errors.Is(err, apperr.ErrRateLimited) || err.Error() != "Too many failed attempts; try again in 11 minutes" {
		t.Fatalf("fifth failure: %v", err)
	}
	g.advance(10 * time.Minute)
	if err := right(); err == nil || err.Error() != "Too many failed attempts; try again in 1 minute" {
		t.Fatalf("locked, right password: %v", err)
	}
	// Refused attempts are not counted, so they do not lengthen the wait.
	g.advance(time.Minute)
	if err := right(); err != nil {
		t.Fatalf("after the oldest failure left the window: %v", err)
	}
	if n := g.failures(t, "ann@example.test"); n != 9 {
		t.Fatalf("%d failures in the audit log, want 9 (refusals are not failures)", n)
	}
}

func TestParallelGuessesGetNoMoreTries(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	g.user(t, "ann@example.test", auth.RoleViewer)
	var wg sync.WaitGroup
	var mu sync.Mutex
	outcomes := map[string]int{}
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// From many addresses, so only the account limit applies.
			_, _, _, err := g.svc.Login(ctx, "ann@example.test", "guess", auth.Client{IP: "198.51.100." + string(rune('0'+i%10))})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, auth.ErrBadCredentials):
				outcomes["wrong"]++
			case errors.Is(err, apperr.ErrRateLimited):
				outcomes["limited"]++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := g.failures(t, "ann@example.test"); n > 5 || outcomes["wrong"]+outcomes["limited"] != 30 {
		t.Fatalf("%d passwords were checked in a burst of 30 (outcomes %v), want at most 5", n, outcomes)
	}
	// Refused attempts left no trace: one by one, the account gets exactly
	// its five checks in the window.
	for g.failures(t, "ann@example.test") < 5 {
		if _, _, _, err := g.svc.Login(ctx, "ann@example.test", "guess", here); err == nil {
			t.Fatal("a guess signed in")
		}
	}
	if _, _, _, err := g.svc.Login(ctx, "ann@example.test", "guess", here); !errors.Is(err, apperr.ErrRateLimited) {
		t.Fatalf("a sixth check: %v", err)
	}
	if n := g.failures(t, "ann@example.test"); n != 5 {
		t.Fatalf("%d checks in the window, want 5", n)
	}
}

func TestTokensExpireAndStopWithTheAccount(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	u := g.user(t, "ann@example.test", auth.RoleViewer)
	by := audit.Actor{Kind: audit.KindStaff, ID: u.ID, Email: u.Email}
	for _, tt := range []struct {
		name string
		ttl  time.Duration
	}{{"", time.Hour}, {"x", -time.Hour}, {"x", auth.MaxTokenTTL + time.Hour}, {strings.Repeat("n", 81), time.Hour}} {
		if _, _, err := g.svc.CreateToken(ctx, by, u, tt.name, tt.ttl); apperr.Fields(err) == nil {
			t.Errorf("token %q for %v: %v, want a field error", tt.name, tt.ttl, err)
		}
	}
	secret, tok, err := g.svc.CreateToken(ctx, by, u, "ci", time.Hour)
	if err != nil || !strings.HasPrefix(secret, auth.TokenPrefix) {
		t.Fatal(err)
	}
	if got, err := g.svc.TokenUser(ctx, secret); err != nil || got.ID != u.ID {
		t.Fatalf("fresh token: %v", err)
	}
	other := g.user(t, "bob@example.test", auth.RoleViewer)
	if err := g.svc.RevokeToken(ctx, by, other, tok.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("revoking another user's token: %v", err)
	}
	if _, err := g.svc.SetDisabled(ctx, audit.System, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := g.svc.TokenUser(ctx, secret); !errors.Is(err, apperr.ErrUnauthorized) {
		t.Fatalf("token of a disabled account: %v", err)
	}
	if _, err := g.svc.SetDisabled(ctx, audit.System, u.ID, false); err != nil {
		t.Fatal(err)
	}
	g.advance(time.Hour)
	if _, err := g.svc.TokenUser(ctx, secret); !errors.Is(err, apperr.ErrUnauthorized) {
		t.Fatalf("expired token: %v", err)
	}
	list, err := g.svc.Tokens(ctx, u)
	if err != nil || len(list) != 1 || !list[0].Expired(g.clock()) {
		t.Fatalf("expired tokens stay listed: %+v %v", list, err)
	}
}

func TestResetLinks(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	u := g.user(t, "ann@example.test", auth.RoleViewer)
	// Issue a link the way the admin page does and read it from the
	// outbox store, as the mail worker would.
	if _, err := g.svc.SendReset(ctx, audit.System, u.ID); err != nil {
		t.Fatal(err)
	}
	secret := lastResetSecret(t, g)
	if err := g.svc.CheckReset(ctx, secret); err != nil {
		t.Fatalf("fresh link: %v", err)
	}
	if _, err := g.svc.ResetPassword(ctx, audit.Actor{Kind: audit.KindAnonymous}, secret, "short"); apperr.Fields(err) == nil {
		t.Fatalf("short password: %v", err)
	}
	if _, err := g.svc.ResetPassword(ctx, audit.Actor{Kind: audit.KindAnonymous}, secret, "a brand new password"); err != nil {
		t.Fatalf("reset after a refused password: %v", err)
	}
	if _, err := g.svc.ResetPassword(ctx, audit.Actor{Kind: audit.KindAnonymous}, secret, "another new password"); !errors.Is(err, apperr.ErrGone) {
		t.Fatalf("second use: %v", err)
	}
	if _, _, _, err := g.svc.Login(ctx, u.Email, "a brand new password", here); err != nil {
		t.Fatalf("login with the new password: %v", err)
	}
	// Links last an hour.
	if err := g.svc.RequestReset(ctx, audit.Actor{Kind: audit.KindAnonymous}, u.Email); err != nil {
		t.Fatal(err)
	}
	late := lastResetSecret(t, g)
	g.advance(time.Hour)
	if err := g.svc.CheckReset(ctx, late); !errors.Is(err, apperr.ErrGone) {
		t.Fatalf("link after an hour: %v", err)
	}
	// Unknown addresses get no mail and no error.
	if err := g.svc.RequestReset(ctx, audit.Actor{Kind: audit.KindAnonymous}, "nobody@example.test"); err != nil {
		t.Fatal(err)
	}
	if err := g.svc.RequestReset(ctx, audit.Actor{Kind: audit.KindAnonymous}, "not an email"); apperr.Fields(err) == nil {
		t.Fatalf("malformed address: %v", err)
	}
	// A sixth request in the window sends nothing.
	for range 6 {
		if err := g.svc.RequestReset(ctx, audit.Actor{Kind: audit.KindAnonymous}, u.Email); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(g.mails(t, u.Email)); n != 2+5 {
		t.Fatalf("%d reset mails, want 7 (the sixth request of the window is dropped)", n)
	}
	if err := g.svc.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestLastAdminStays(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	a := g.user(t, "a@example.test", auth.RoleAdmin)
	if _, err := g.svc.UpdateUser(ctx, audit.System, a.ID, auth.UserChange{Name: "A", Role: auth.RoleViewer}); apperr.Fields(err) == nil {
		t.Fatalf("demoting the only admin: %v", err)
	}
	if _, err := g.svc.SetDisabled(ctx, audit.Actor{Kind: audit.KindStaff, ID: "someone else"}, a.ID, true); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("disabling the only admin: %v", err)
	}
	b := g.user(t, "b@example.test", auth.RoleAdmin)
	if _, err := g.svc.UpdateUser(ctx, audit.System, a.ID, auth.UserChange{Name: "A", Role: auth.RoleViewer}); err != nil {
		t.Fatalf("demoting one of two admins: %v", err)
	}
	if _, err := g.svc.SetDisabled(ctx, audit.Actor{Kind: audit.KindStaff, ID: b.ID}, b.ID, true); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("disabling oneself: %v", err)
	}
}

// TestTwoAdminsDemotingEachOther: two admins who demote (or disable)
// each other at the same moment both pass the count before either writes;
// whatever the interleaving, an active admin must remain.
func TestTwoAdminsDemotingEachOther(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	a := g.user(t, "a@example.test", auth.RoleAdmin)
	b := g.user(t, "b@example.test", auth.RoleAdmin)
	restore := func(u *auth.User) {
		t.Helper()
		if _, err := g.svc.SetDisabled(ctx, audit.System, u.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := g.svc.UpdateUser(ctx, audit.System, u.ID, auth.UserChange{Name: "Admin", Role: auth.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
	}
	for round := range 12 {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, pair := range [][2]*auth.User{{a, b}, {b, a}} {
			by, target := pair[0], pair[1]
			wg.Go(func() {
				if round%2 == 0 {
					_, errs[i] = g.svc.UpdateUser(ctx, audit.Actor{Kind: audit.KindStaff, ID: by.ID}, target.ID, auth.UserChange{Name: "Admin", Role: auth.RoleViewer})
				} else {
					_, errs[i] = g.svc.SetDisabled(ctx, audit.Actor{Kind: audit.KindStaff, ID: by.ID}, target.ID, true)
				}
			})
		}
		wg.Wait()
		left, _, err := g.svc.Users(ctx, auth.UserFilter{Role: auth.RoleAdmin, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		ok := 0
		for _, e := range errs {
			if e == nil {
				ok++
			}
		}
		if len(left) == 0 || len(left) != 2-ok {
			t.Fatalf("round %d: %d active admins left, %d changes reported done (errors %v)", round, len(left), ok, errs)
		}
		restore(a)
		restore(b)
	}
}

func TestBootstrap(t *testing.T) {
	g := newRig(t)
	ctx := context.Background()
	created, generated, err := g.svc.Bootstrap(ctx, "root@example.test", "")
	if err != nil || !created || len(generated) != 24 {
		t.Fatalf("first start: %v %q %v", created, generated, err)
	}
	if _, _, _, err := g.svc.Login(ctx, "root@example.test", generated, here); err != nil {
		t.Fatalf("the generated password does not sign in: %v", err)
	}
	if created, _, err := g.svc.Bootstrap(ctx, "root@example.test", ""); created || err != nil {
		t.Fatalf("second start created again: %v", err)
	}
	if _, _, err := newRig(t).svc.Bootstrap(ctx, "root@example.test", "short"); apperr.Fields(err) == nil {
		t.Fatalf("a short configured password: %v", err)
	}
}

func (g *rig) mails(t *testing.T, to string) []mail.Message {
	t.Helper()
	list, _, err := g.box.List(context.Background(), mail.Filter{To: to, Kind: "password_reset", Per: 200})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// lastResetSecret reads the secret of the newest reset link mailed.
func lastResetSecret(t *testing.T, g *rig) string {
	t.Helper()
	list, _, err := g.box.List(context.Background(), mail.Filter{Kind: "password_reset", Per: 1})
	if err != nil || len(list) == 0 {
		t.Fatalf("no reset mail: %v", err)
	}
	link, err := testenv.LinkIn(list[0].Text, "https://assay.example.test/reset/")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(link, "https://assay.example.test/reset/")
}
