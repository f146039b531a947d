package handlers_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/vendors"
)

var vndLocation = regexp.MustCompile(`^/app/vendors/([0-9a-f]+)\?done=`)

func TestVendorFormCreateEditArchive(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	proc := env.Login(t, auth.RoleProcurement)

	// Everything wrong: 422, each problem beside its field, what was typed kept.
	form := url.Values{"name": {""}, "website": {"acme.example"}, "tier": {"9"}, "tags": {"Cloud, EU"},
		"contact_name": {"Ann", ""}, "contact_email": {"ann@", ""}, "services": {"Hosting <b>"}}
	resp, body := vndPost(t, env, proc, "/app/vendors/new", "/app/vendors", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad form: %s", resp.Status)
	}
	vndContains(t, "refused form", body, "Enter the vendor&#39;s name.", "Enter a full web address", "Choose a tier from 1",
		`id="c-email-0-err"`, `value="acme.example"`, `value="ann@"`, `value="Ann"`, `value="cloud, eu"`, "Hosting &lt;b&gt;",
		`aria-invalid="true"`, "nothing was saved")
	if list, total, _ := env.App.Vendors.List(context.Background(), vendors.Filter{Status: vendors.StatusAll}); total != 0 {
		t.Fatalf("refused form created %v", list)
	}

	form = url.Values{"name": {"Acme Cloud"}, "website": {"https://acme.example"}, "tier": {"2"}, "tags": {"cloud"},
		"contact_name": {"Ann", ""}, "contact_email": {"ann@acme.example", ""}}
	resp, _ = vndPost(t, env, proc, "/app/vendors/new", "/app/vendors", form)
	m := vndLocation.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("create: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
	id := m[1]
	code, page := vndGet(t, env, proc, "/app/vendors/"+id+"?done=created")
	if code != http.StatusOK {
		t.Fatalf("vendor page: %d", code)
	}
	vndContains(t, "vendor page", page, "<h1>Acme Cloud", "The vendor is in the register.", "2 · high", "ann@acme.example",
		"Not assessed yet", "No completed assessment yet", "No questionnaire sent yet", `href="/app/vendors/`+id+`/send"`)

	code, page = vndGet(t, env, proc, "/app/vendors/"+id+"/edit")
	if code != http.StatusOK {
		t.Fatalf("edit form: %d", code)
	}
	vndContains(t, "edit form", page, `value="Acme Cloud"`, `value="ann@acme.example"`, `<option value="2" selected>`)
	form.Set("tier", "1")
	form.Set("name", "Acme Cloud Ltd")
	resp, _ = vndPost(t, env, proc, "/app/vendors/"+id+"/edit", "/app/vendors/"+id, form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %s", resp.Status)
	}
	v, _ := env.App.Vendors.Get(context.Background(), id)
	if v.Name != "Acme Cloud Ltd" || v.Tier != 1 {
		t.Fatalf("after update: %+v", v)
	}

	resp, _ = vndPost(t, env, proc, "/app/vendors/"+id, "/app/vendors/"+id+"/archive", url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("archive: %s", resp.Status)
	}
	_, page = vndGet(t, env, proc, "/app/vendors/"+id)
	vndContains(t, "archived vendor page", page, "Archived", "/unarchive")
	if strings.Contains(page, `href="/app/vendors/`+id+`/send"`) {
		t.Error("an archived vendor offers sending")
	}
	_, page = vndGet(t, env, proc, "/app/vendors")
	if strings.Contains(page, "Acme Cloud Ltd") {
		t.Error("archived vendor in the default list")
	}
	resp, _ = vndPost(t, env, proc, "/app/vendors/"+id, "/app/vendors/"+id+"/unarchive", url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("unarchive: %s", resp.Status)
	}
	if v, _ := env.App.Vendors.Get(context.Background(), id); v.Archived() {
		t.Fatal("still archived")
	}
	entries, _, err := env.App.Audit.List(context.Background(), audit.Filter{ObjectID: id, Per: 50})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"vendor.create", "vendor.update", "vendor.archive", "vendor.unarchive"} {
		if !strings.Contains(strings.Join(actions, " "), want) {
			t.Errorf("audit lacks %s: %v", want, actions)
		}
	}
}

func TestVendorPagesByRole(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	proc := env.Token(t, auth.RoleProcurement)
	id := vndCreate(t, env, proc, map[string]any{"name": "Acme", "tier": 2})
	viewer := env.Login(t, auth.RoleViewer)
	for path, want := range map[string]int{
		"/app/vendors": 200, "/app/vendors/" + id: 200, "/app/vendors.csv": 200,
		"/app/vendors/new": 403, "/app/vendors/" + id + "/edit": 403, "/app/vendors/import": 403,
		"/app/vendors/" + id + "/send": 403, "/app/send": 403, "/app/outbox": 403, "/app/vendors/nope": 404,
	} {
		if code, _ := vndGet(t, env, viewer, path); code != want {
			t.Errorf("viewer GET %s: %d, want %d", path, code, want)
		}
	}
	_, page := vndGet(t, env, viewer, "/app/vendors/"+id)
	if strings.Contains(page, "/archive") || strings.Contains(page, "/edit") {
		t.Error("a viewer is offered changes")
	}
	anon := env.Client()
	if resp, err := anon.Get(env.URL + "/app/vendors"); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: %v %v, want a redirect to sign in", resp.Status, err)
	}
}

func TestVendorListFiltersSortsAndPages(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	proc := env.Token(t, auth.RoleProcurement)
	ids := map[string]string{}
	for i, name := range []string{"Alpha", "Bravo", "Charlie", "Delta"} {
		ids[name] = vndCreate(t, env, proc, map[string]any{"name": name, "tier": i + 1, "tags": []string{"t" + name[:1]}})
	}
	at := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	_ = env.App.Vendors.RecordAssessment(ctx, ids["Bravo"], assessments.VendorRisk{AssessmentID: "a1", Overall: 41, Grade: "D", Residual: "high", CompletedAt: at})
	_ = env.App.Vendors.RecordAssessment(ctx, ids["Charlie"], assessments.VendorRisk{AssessmentID: "a2", Overall: 88, Grade: "A", Residual: "low", CompletedAt: at})
	c := env.Login(t, auth.RoleViewer)
	rows := regexp.MustCompile(`<td><a href="/app/vendors/[0-9a-f]+">([^<]+)</a>`)
	names := func(path string) []string {
		code, page := vndGet(t, env, c, path)
		if code != http.StatusOK {
			t.Fatalf("%s: %d", path, code)
		}
		var out []string
		for _, m := range rows.FindAllStringSubmatch(page, -1) {
			out = append(out, m[1])
		}
		return out
	}
	cases := map[string]string{
		"/app/vendors":                    "Alpha,Bravo,Charlie,Delta",
		"/app/vendors?q=ar":               "Charlie",
		"/app/vendors?tier=2":             "Bravo",
		"/app/vendors?risk=low":           "Charlie",
		"/app/vendors?risk=none":          "Alpha,Delta",
		"/app/vendors?sort=-risk":         "Bravo,Charlie,Alpha,Delta",
		"/app/vendors?sort=-score":        "Charlie,Bravo,Alpha,Delta",
		"/app/vendors?sort=-name":         "Delta,Charlie,Bravo,Alpha",
		"/app/vendors?tags=tD":            "Delta",
		"/app/vendors?q=%28*%2B":          "",
		"/app/vendors?sort=bogus&tier=99": "Alpha,Bravo,Charlie,Delta",
	}
	for path, want := range cases {
		if got := strings.Join(names(path), ","); got != want {
			t.Errorf("%s: %s, want %s", path, got, want)
		}
	}
	_ = env.App.Vendors.RecordAssessment(ctx, ids["Bravo"], assessments.VendorRisk{AssessmentID: "a3", Overall: 57, Grade: "C", Residual: "medium",
		Decision: assessments.TreatMitigate, CompletedAt: at.AddDate(0, 6, 0)})
	_, page := vndGet(t, env, c, "/app/vendors/"+ids["Bravo"])
	vndContains(t, "assessed vendor", page, `<span class="grade grade-C" aria-label="Grade C">C</span>`, `<span class="badge badge-medium">Medium</span>`,
		"Mitigate", `role="img"`, "Overall score over time", "2 assessments from 2026-01-05 to 2026-07-05", "Show the values as a table")
	_, page = vndGet(t, env, c, "/app/vendors?sort=tier")
	vndContains(t, "sorted list", page, `aria-sort="ascending"`, `href="/app/vendors?sort=-tier"`, `<span class="badge badge-medium">Medium</span>`, ">57 <span class=\"muted\">(C)</span>")

	// 60 more vendors: the list pages by 50 with a pager keeping the filters.
	for i := range 60 {
		vndCreate(t, env, proc, map[string]any{"name": "Zulu " + string(rune('A'+i/26)) + string(rune('a'+i%26)), "tier": 4})
	}
	_, page = vndGet(t, env, c, "/app/vendors?tier=4")
	vndContains(t, "first page", page, "61 in all · page 1 of 2", `href="/app/vendors?tier=4&amp;page=2"`)
	if got := names("/app/vendors?tier=4&page=2"); len(got) != 11 {
		t.Errorf("page 2 holds %d vendors, want 11", len(got))
	}
}

func TestVendorImportAndExport(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	proc := env.Login(t, auth.RoleProcurement)
	owner, _ := env.CreateUser(t, auth.RoleReviewer)
	file := "name,tier,contact_email,tags,owner_email\n" +
		"Acme,1,ann@acme.example,cloud;eu," + owner + "\n" +
		"Bad Email,2,ann@,,\n" +
		",3,,,\n" +
		"Beta,4,,payroll,\n"
	code, page := vndUpload(t, env, proc, "/app/vendors/import", "/app/vendors/import", "file", "vendors.csv", []byte(file))
	if code != http.StatusOK {
		t.Fatalf("import: %d\n%s", code, page)
	}
	vndContains(t, "import report", page, "<strong>2</strong> vendors were added", "<strong>2</strong> rows were not imported",
		`<td class="num">3</td><td>Bad Email</td>`, `<td class="num">4</td>`, "contact_email:", "name:")

	code, page = vndUpload(t, env, proc, "/app/vendors/import", "/app/vendors/import", "file", "x.csv", []byte("colour\nred\n"))
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, "not one of") {
		t.Fatalf("bad header: %d", code)
	}

	resp, err := proc.Get(env.URL + "/app/vendors.csv?tags=cloud")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	recs, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %s %v", resp.Status, err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("export headers: %q %q", ct, resp.Header.Get("Content-Disposition"))
	}
	if len(recs) != 2 || recs[1][0] != "Acme" || recs[1][4] != "ann@acme.example" || recs[1][7] != owner {
		t.Fatalf("export of tag cloud: %q", recs)
	}
}

func TestVendorIntakeSetsTier(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	proc := env.Login(t, auth.RoleProcurement)
	id := vndCreate(t, env, env.Token(t, auth.RoleProcurement), map[string]any{"name": "Acme", "tier": 4})
	code, page := vndGet(t, env, proc, "/app/vendors/"+id+"/intake")
	if code != http.StatusOK {
		t.Fatalf("intake form: %d", code)
	}
	vndContains(t, "intake form", page, "Vendor intake", `name="q.in-service"`)
	// Nothing answered: 422 with a message beside each required question.
	resp, body := vndPost(t, env, proc, "/app/vendors/"+id+"/intake", "/app/vendors/"+id+"/intake", url.Values{"q.in-service": {"Payroll <SaaS>"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty intake: %s", resp.Status)
	}
	vndContains(t, "refused intake", body, "Answer this question.", "Payroll &lt;SaaS&gt;", "nothing was saved")

	tmpl, err := env.App.Vendors.IntakeTemplate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{}
	for _, q := range tmpl.Questions() {
		opts := q.EffectiveOptions()
		switch {
		case len(opts) > 0:
			low := opts[0]
			for _, o := range opts {
				if o.Score != nil && (low.Score == nil || *o.Score < *low.Score) {
					low = o
				}
			}
			form.Set("q."+q.ID, low.Value)
		case q.Type == "number":
			form.Set("q."+q.ID, "1")
		case q.Type == "date":
			form.Set("q."+q.ID, "2026-01-01")
		case q.Type != "file":
			form.Set("q."+q.ID, "an answer")
		}
	}
	resp, _ = vndPost(t, env, proc, "/app/vendors/"+id+"/intake", "/app/vendors/"+id+"/intake", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("intake: %s", resp.Status)
	}
	v, _ := env.App.Vendors.Get(context.Background(), id)
	if v.TierSource != vendors.TierIntake || v.Tier != 4 || len(v.IntakeAnswers) == 0 {
		t.Fatalf("after the lowest-risk intake: tier %d from %s", v.Tier, v.TierSource)
	}
	_, page = vndGet(t, env, proc, "/app/vendors/"+id)
	vndContains(t, "vendor page", page, "from the intake", "Review the intake")
}
