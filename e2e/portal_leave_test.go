package e2e

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/browsertest"
	"github.com/assayhq/assay/mail"
	storemongo "github.com/assayhq/assay/storage/mongo"
	"github.com/assayhq/assay/testenv"
	"github.com/assayhq/assay/vendors"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// "Save and continue" right after changing an answer posts that answer with
// the section, so leaving asks nothing; leaving any other way while a save
// is still failing keeps the browser's "leave site?" question.
func TestSaveAndContinueDuringAutosaveDoesNotWarn(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	v, err := env.App.Vendors.Create(ctx, audit.System, vendors.Input{
		Name: "Quick Clicker Ltd", Tier: 2, Contacts: []vendors.Contact{{Name: "Quinn", Email: "quinn@quickclicker.test"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := env.App.Assessments.Send(ctx, audit.System, assessments.SendRequest{
		VendorID: v.ID, TemplateKey: "vendor-lite", DueDate: time.Now().AddDate(0, 0, 14),
	})
	if err != nil {
		t.Fatal(err)
	}
	// Without a relay the invitation stays in the outbox, link included.
	msgs, _, err := storemongo.NewOutbox(env.App.DB).List(ctx, mail.Filter{Ref: a.ID, Kind: assessments.MailInvitation, Per: 10})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("%d invitations: %v", len(msgs), err)
	}
	link, err := testenv.LinkIn(msgs[0].Text, env.URL+"/q/")
	if err != nil {
		t.Fatalf("%v:\n%s", err, msgs[0].Text)
	}

	b := browsertest.New(t)
	consoleErrors := browsertest.ConsoleErrors(b)
	// A headless page waits for its dialog to be closed: each one is
	// recorded and answered, staying on the page (dismiss) or leaving.
	var mu sync.Mutex
	var dialogs []page.DialogType
	leave := false
	opening := chromedp.Events(b, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range opening {
			if err != nil {
				return
			}
			mu.Lock()
			dialogs = append(dialogs, ev.Type)
			accept := leave
			mu.Unlock()
			_, _ = chromedp.Call(b, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
		}
	}()
	seen := func() []page.DialogType {
		mu.Lock()
		defer mu.Unlock()
		return append([]page.DialogType(nil), dialogs...)
	}

	browsertest.Do(t, b, chromedp.Navigate(link+"/s/organization"), chromedp.WaitVisible(chromedp.ID("section-title")))

	// The guard still stands: offline, an answer waits to be retried, and
	// a click on another section asks before leaving. Dismissed, the page
	// stays.
	setOffline(t, b, true)
	browsertest.Do(t, b, chromedp.Click(chromedp.CSS(`input[name="q.vl-security-owner"][value="yes"]`)))
	browsertest.Run(t, b, chromedp.Poll[bool](`document.getElementById("savestate").textContent === "Not saved — retrying"`,
		chromedp.WithPollingTimeout(20*time.Second)))
	browsertest.Do(t, b, chromedp.Click(chromedp.CSS(`#portal-nav a[href$="/s/people"]`)))
	for deadline := time.Now().Add(10 * time.Second); len(seen()) == 0 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	if got := seen(); len(got) != 1 || got[0] != page.DialogTypeBeforeunload {
		t.Fatalf("leaving with a failed save opened dialogs %v, want one beforeunload", got)
	}
	if loc := browsertest.Run(t, b, chromedp.Location()); !strings.HasSuffix(loc, "/s/organization") {
		t.Fatalf("after staying, the page is %s", loc)
	}
	setOffline(t, b, false)
	waitSaved(t, b)

	// A change and "Save and continue" within the autosave's pause, in
	// one task so that the click surely falls inside it: no dialog, the
	// next section, and the answer saved by the post.
	mu.Lock()
	dialogs, leave = nil, true
	mu.Unlock()
	pending := browsertest.Run(t, b, chromedp.Evaluate[bool](`(() => {
		document.querySelector('input[name="q.vl-policy"][value="no"]').click();
		if (document.getElementById("savestate").dataset.state !== "saving") { return false; }
		document.querySelector("#qform .portal-actions button[type=submit]").click();
		return true; })()`))
	if !pending {
		t.Fatal("changing an answer left no save pending, so the click below tests nothing")
	}
	browsertest.Do(t, b, chromedp.WaitVisible(chromedp.ID("q-vl-screening")))
	if got := seen(); len(got) != 0 {
		t.Errorf("Save and continue during autosave opened dialogs %v", got)
	}
	if title := browsertest.Run(t, b, chromedp.Text(chromedp.ID("section-title"))); title != "People" {
		t.Errorf("landed on section %q, want People", title)
	}
	got, err := env.App.Assessments.Get(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ans := got.AnswerValues(); ans["vl-policy"] != "no" || ans["vl-security-owner"] != "yes" {
		t.Errorf("saved answers %v, want vl-policy no and vl-security-owner yes", ans)
	}
	var errs []string
	for _, e := range consoleErrors() {
		// The offline spell fails its requests on purpose.
		if !strings.Contains(e, "ERR_INTERNET_DISCONNECTED") {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		t.Errorf("the portal reported errors:\n%s", strings.Join(errs, "\n"))
	}
}
