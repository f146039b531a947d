package handlers_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/questionnaires"
)

type tplPage struct {
	status int
	header http.Header
	body   string
}

func tplGet(t *testing.T, env *apptest.Env, c *http.Client, path string) tplPage {
	t.Helper()
	resp, err := c.Get(env.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return tplPage{resp.StatusCode, resp.Header, string(b)}
}

// tplUpload sends the upload form as a browser does: multipart, with the
// CSRF token, a file (possibly empty) and the pasted source.
func tplUpload(t *testing.T, env *apptest.Env, c *http.Client, csrf, filename, file, source string) tplPage {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", csrf)
	fw, _ := w.CreateFormFile("file", filename)
	_, _ = fw.Write([]byte(file))
	_ = w.WriteField("source", source)
	_ = w.Close()
	resp, err := c.Post(env.URL+"/app/templates", w.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return tplPage{resp.StatusCode, resp.Header, string(b)}
}

func tplMustContain(t *testing.T, what string, p tplPage, status int, parts ...string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("%s: status %d, want %d\n%.2000s", what, p.status, status, p.body)
	}
	for _, s := range parts {
		if !strings.Contains(p.body, s) {
			t.Errorf("%s: page lacks %q", what, s)
		}
	}
}

func TestTemplatePagesRead(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	viewer := env.Login(t, auth.RoleViewer)

	list := tplGet(t, env, viewer, "/app/templates")
	tplMustContain(t, "list", list, http.StatusOK,
		`<a href="/app/templates/iso27001-2022-supplier-full">`, `<code>vendor-intake</code>`, `badge-info">Built-in`,
		`aria-current="page">Questionnaires`, `<td class="num">93</td>`)
	if strings.Contains(list.body, "/app/templates/new") {
		t.Error("a viewer is offered the upload")
	}
	if p := tplGet(t, env, viewer, "/app/templates/new"); p.status != http.StatusForbidden {
		t.Errorf("viewer on the upload form: %d", p.status)
	}

	show := tplGet(t, env, viewer, "/app/templates/vendor-lite")
	tplMustContain(t, "versions", show, http.StatusOK, "Vendor security essentials", `href="/app/templates/vendor-lite/1"`, `href="/app/templates/vendor-lite/1.yaml"`, "<td>Assay</td>")

	preview := tplGet(t, env, viewer, "/app/templates/vendor-lite/1")
	tplMustContain(t, "preview", preview, http.StatusOK,
		"Do you hold a current ISO/IEC 27001 certificate or SOC 2 Type II report",
		`<fieldset class="tpl-field" disabled>`,
		"Shown when</dt><dd><span class=\"badge badge-info\">Conditional</span> 1.1 “Do you hold a current ISO/IEC 27001",
		"<code>A.5.35</code> Independent review of information security",
		"2013: A.18", "<strong>Evidence required</strong>: ISO/IEC 27001 certificate or SOC 2 Type II report",
		"(latest)")

	dl := tplGet(t, env, viewer, "/app/templates/vendor-lite/1.yaml")
	if dl.status != http.StatusOK || !strings.HasPrefix(dl.header.Get("Content-Disposition"), `attachment; filename="vendor-lite-v1.yaml"`) ||
		!strings.HasPrefix(dl.header.Get("Content-Type"), "application/yaml") {
		t.Fatalf("download: %d %v", dl.status, dl.header)
	}
	back, err := questionnaires.Parse([]byte(dl.body), questionnaires.FormatYAML)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := env.App.Library.Latest(context.Background(), "vendor-lite")
	if questionnaires.Fingerprint(back) != questionnaires.Fingerprint(stored) || back.Version != 1 {
		t.Error("the downloaded YAML is not the published version")
	}

	for _, path := range []string{"/app/templates/nope", "/app/templates/vendor-lite/9", "/app/templates/vendor-lite/x", "/app/templates/vendor-lite/0.yaml"} {
		if p := tplGet(t, env, viewer, path); p.status != http.StatusNotFound {
			t.Errorf("%s: %d", path, p.status)
		}
	}
}

func TestTemplatePagesUpload(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	email, password := env.CreateUser(t, auth.RoleAdmin)
	admin := env.LoginAs(t, email, password)
	form := tplGet(t, env, admin, "/app/templates/new")
	tplMustContain(t, "upload form", form, http.StatusOK, `<label for="tpl-file">`, `<label for="tpl-source">`, `enctype="multipart/form-data"`)
	csrf := env.CSRF(t, admin, "/app/templates/new")

	// Pasted with problems: the source comes back numbered, the bad lines
	// marked and each problem beside its line; nothing is published.
	bad := tplUpload(t, env, admin, csrf, "", "", strings.ReplaceAll(tplBrokenYAML, "key: vendor-lite", "key: pasted"))
	tplMustContain(t, "rejected upload", bad, http.StatusUnprocessableEntity,
		"Nothing was published: the template has 5 problems.",
		`<div class="tpl-line tpl-bad" id="L14"><span class="tpl-ln" aria-hidden="true">14</span><code>        show_if: {question: later, equals: &#34;yes&#34;}</code></div>`,
		`<p class="tpl-line-error"><span class="sr-only">Line 14: </span><code>sections[0].questions[0].show_if.question</code>: question &#34;later&#34; comes later`,
		`<a href="#L19">Line 19</a>: <code>sections[0].questions[1].options[1].score</code>: score must be between 0 and 100`,
		`<div class="tpl-line" id="L1">`, "key: pasted\n")
	if n := tplVersionCount(t, env, "pasted"); n != 0 {
		t.Fatalf("a rejected upload published %d versions", n)
	}

	empty := tplUpload(t, env, admin, csrf, "", "", "  ")
	tplMustContain(t, "empty upload", empty, http.StatusUnprocessableEntity, "Choose a template file or paste one")

	// A chosen file wins over the pasted text.
	ok := tplUpload(t, env, admin, csrf, "basics.yml", tplBasicsYAML, "ignored")
	if ok.status != http.StatusSeeOther || ok.header.Get("Location") != "/app/templates/basics/1?done=published" {
		t.Fatalf("upload: %d %q\n%.1500s", ok.status, ok.header.Get("Location"), ok.body)
	}
	done := tplGet(t, env, admin, "/app/templates/basics/1?done=published")
	tplMustContain(t, "after upload", done, http.StatusOK, "The template is published.", "Upload it.")

	again := tplUpload(t, env, admin, csrf, "", "", tplBasicsYAML)
	if again.header.Get("Location") != "/app/templates/basics/1?done=unchanged" {
		t.Errorf("identical upload: %d %q", again.status, again.header.Get("Location"))
	}

	// An edit becomes version 2; version 1 stays, marked as older.
	edited := strings.Replace(tplBasicsYAML, "text: Upload it.", "text: Upload your policy.", 1)
	if p := tplUpload(t, env, admin, csrf, "basics.json.yaml", edited, ""); p.header.Get("Location") != "/app/templates/basics/2?done=published" {
		t.Fatalf("edit: %d %q", p.status, p.header.Get("Location"))
	}
	tplMustContain(t, "older version", tplGet(t, env, admin, "/app/templates/basics/1"), http.StatusOK,
		`This is an older version. New assessments use <a href="/app/templates/basics/2">version 2</a>.`, "Upload it.")
	if p := tplGet(t, env, admin, "/app/templates/basics/2"); strings.Contains(p.body, "older version") {
		t.Error("the latest version is called older")
	}
	tplMustContain(t, "list after uploads", tplGet(t, env, admin, "/app/templates"), http.StatusOK,
		`<a href="/app/templates/basics">Basics</a>`, `badge-ok">Uploaded`, `href="/app/templates/new"`)
	tplMustContain(t, "versions after uploads", tplGet(t, env, admin, "/app/templates/basics"), http.StatusOK,
		"Upload a new version", `<td>`+email+`</td>`)

	// Without the CSRF token the form is refused.
	resp, err := admin.PostForm(env.URL+"/app/templates", url.Values{"source": {tplBasicsYAML}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("without CSRF: %d", resp.StatusCode)
	}

	// Procurement reads templates but may not upload them.
	proc := env.Login(t, auth.RoleProcurement)
	if p := tplUpload(t, env, proc, env.CSRF(t, proc, "/app/templates"), "", "", tplBasicsYAML); p.status != http.StatusForbidden {
		t.Errorf("procurement upload: %d", p.status)
	}
	if n := tplVersionCount(t, env, "basics"); n != 2 {
		t.Errorf("basics has %d versions, want 2", n)
	}
}
