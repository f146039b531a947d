package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
)

// tplBasicsYAML is a small valid template; tplBrokenYAML breaks five
// rules, each on its own line.
const tplBasicsYAML = `key: basics
version: 1
title: Basics
sections:
  - id: gov
    title: Governance
    questions:
      - id: policy
        text: Do you have a security policy?
        type: yes_no
        controls: [A.5.1]
      - id: policy-file
        text: Upload it.
        type: file
        controls: [A.5.1]
        show_if: {question: policy, equals: "yes"}
`

const tplBrokenYAML = `key: vendor-lite
version: 1
title: Broken
sections:
  - id: gov
    title: Governance
    questions:
      - id: policy
        text: Do you have a security policy?
        type: yes_no
        controls:
          - A.5.99
          - A.15.1.1
        show_if: {question: later, equals: "yes"}
      - id: later
        type: single_choice
        options:
          - {value: a, label: A}
          - {value: b, label: B, score: 140}
        controls: [A.5.2]
`

type tplAPICall struct {
	status int
	body   []byte
}

func tplCall(t *testing.T, env *apptest.Env, method, path, token, contentType string, body []byte) tplAPICall {
	t.Helper()
	req, err := http.NewRequest(method, env.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := env.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return tplAPICall{resp.StatusCode, b}
}

type tplOut struct {
	Key           string   `json:"key"`
	Version       int      `json:"version"`
	Title         string   `json:"title"`
	QuestionCount int      `json:"question_count"`
	Controls      []string `json:"controls"`
	Created       *bool    `json:"created"`
}

func tplVersionCount(t *testing.T, env *apptest.Env, key string) int {
	t.Helper()
	vs, err := env.App.Library.Versions(context.Background(), key)
	if err != nil {
		return 0
	}
	return len(vs)
}

func TestTemplatesAPIList(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	viewer := env.Token(t, auth.RoleViewer)

	res := tplCall(t, env, http.MethodGet, "/api/v1/templates", viewer, "", nil)
	if res.status != http.StatusOK {
		t.Fatalf("GET: %d %s", res.status, res.body)
	}
	// The contract's exact shape: these five fields and no others.
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(res.body, &raw); err != nil || len(raw) != 4 {
		t.Fatalf("want the 4 built-in templates, got %s (%v)", res.body, err)
	}
	for _, item := range raw {
		if len(item) != 5 || item["key"] == nil || item["version"] == nil || item["title"] == nil || item["question_count"] == nil || item["controls"] == nil {
			t.Errorf("item %v", item)
		}
	}
	var list []tplOut
	_ = json.Unmarshal(res.body, &list)
	byKey := map[string]tplOut{}
	for _, tm := range list {
		byKey[tm.Key] = tm
	}
	full := byKey["iso27001-2022-supplier-full"]
	if full.Version != 1 || len(full.Controls) != 93 || full.QuestionCount < 93 || full.Controls[0] != "A.5.1" {
		t.Errorf("full template: v%d, %d controls, %d questions", full.Version, len(full.Controls), full.QuestionCount)
	}
	if byKey["vendor-lite"].Title == "" {
		t.Errorf("vendor-lite missing: %v", byKey)
	}

	if res := tplCall(t, env, http.MethodGet, "/api/v1/templates", "", "", nil); res.status != http.StatusUnauthorized {
		t.Errorf("without a token: %d", res.status)
	}
}

func TestTemplatesAPIPublish(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	admin := env.Token(t, auth.RoleAdmin)

	// A broken upload answers 422, one field per problem with its path and
	// line, and changes nothing, not even for a built-in key.
	before := tplVersionCount(t, env, "vendor-lite")
	res := tplCall(t, env, http.MethodPost, "/api/v1/templates", admin, "application/yaml", []byte(tplBrokenYAML))
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("broken template: %d %s", res.status, res.body)
	}
	var errBody struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Fields  []struct {
				Path    string `json:"path"`
				Message string `json:"message"`
			} `json:"fields"`
		} `json:"error"`
	}
	if err := json.Unmarshal(res.body, &errBody); err != nil {
		t.Fatal(err)
	}
	wantFields := []struct{ path, line string }{
		{"sections[0].questions[0].controls[0]", "line 12: "},
		{"sections[0].questions[0].controls[1]", "line 13: "},
		{"sections[0].questions[0].show_if.question", "line 14: "},
		{"sections[0].questions[1].text", "line 15: "},
		{"sections[0].questions[1].options[1].score", "line 19: "},
	}
	if errBody.Error.Code != "invalid" || len(errBody.Error.Fields) != len(wantFields) {
		t.Fatalf("want %d fields, got %s", len(wantFields), res.body)
	}
	for i, w := range wantFields {
		f := errBody.Error.Fields[i]
		if f.Path != w.path || !strings.HasPrefix(f.Message, w.line) {
			t.Errorf("field %d = %+v, want %s at %s", i, f, w.path, w.line)
		}
	}
	if after := tplVersionCount(t, env, "vendor-lite"); after != before || before != 1 {
		t.Errorf("vendor-lite versions %d before, %d after a rejected upload", before, after)
	}

	// A file that does not parse is one field per located error.
	res = tplCall(t, env, http.MethodPost, "/api/v1/templates", admin, "application/json", []byte(`{"key": "x", "title": 3}`))
	if res.status != http.StatusUnprocessableEntity || !bytes.Contains(res.body, []byte(`"line 1: `)) {
		t.Errorf("unparsable JSON: %d %s", res.status, res.body)
	}

	// Publish, republish unchanged, then an edit sent as JSON.
	for i, step := range []struct {
		ct, body string
		version  int
		created  bool
	}{
		{"application/yaml", tplBasicsYAML, 1, true},
		{"text/yaml; charset=utf-8", tplBasicsYAML, 1, false},
		{"application/json", `{"key":"basics","version":1,"title":"Basics, revised","sections":[{"id":"gov","title":"Governance","questions":[{"id":"policy","text":"Do you have a security policy?","type":"yes_no","controls":["A.5.1"]}]}]}`, 2, true},
	} {
		res := tplCall(t, env, http.MethodPost, "/api/v1/templates", admin, step.ct, []byte(step.body))
		var out tplOut
		if err := json.Unmarshal(res.body, &out); err != nil || res.status != http.StatusCreated {
			t.Fatalf("step %d: %d %s", i, res.status, res.body)
		}
		if out.Key != "basics" || out.Version != step.version || out.Created == nil || *out.Created != step.created || len(out.Controls) != 1 {
			t.Errorf("step %d: %s", i, res.body)
		}
	}

	// An admin's version of a built-in key is the next version, not built-in.
	lite := strings.Replace(strings.Replace(tplBasicsYAML, "key: basics", "key: vendor-lite", 1), "title: Basics", "title: Our essentials", 1)
	res = tplCall(t, env, http.MethodPost, "/api/v1/templates", admin, "application/x-yaml", []byte(lite))
	if res.status != http.StatusCreated || !bytes.Contains(res.body, []byte(`"version":2`)) {
		t.Fatalf("upload over a built-in: %d %s", res.status, res.body)
	}
	vs, err := env.App.Library.Versions(context.Background(), "vendor-lite")
	if err != nil || len(vs) != 2 || vs[0].Builtin || !vs[1].Builtin {
		t.Fatalf("vendor-lite versions %+v, %v", vs, err)
	}

	entries, _, err := env.App.Audit.List(context.Background(), audit.Filter{Action: "template.publish", ObjectID: "basics"})
	if err != nil || len(entries) != 2 || entries[0].Actor.Kind != audit.KindStaff || entries[0].Actor.Email == "" {
		t.Errorf("audit entries %+v, %v", entries, err)
	}
}

func TestTemplatesAPIPublishRefusals(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	admin := env.Token(t, auth.RoleAdmin)
	cases := []struct {
		name, token, ct string
		body            []byte
		status          int
		message         *regexp.Regexp
	}{
		{"procurement may not publish", env.Token(t, auth.RoleProcurement), "application/yaml", []byte(tplBasicsYAML), http.StatusForbidden, regexp.MustCompile(`procurement`)},
		{"no token", "", "application/yaml", []byte(tplBasicsYAML), http.StatusUnauthorized, regexp.MustCompile(`token`)},
		{"plain text", admin, "text/plain", []byte(tplBasicsYAML), http.StatusUnsupportedMediaType, regexp.MustCompile(`application/yaml or application/json`)},
		{"no content type", admin, "", []byte(tplBasicsYAML), http.StatusUnsupportedMediaType, regexp.MustCompile(`application/yaml`)},
		{"over 2 MiB", admin, "application/yaml", append([]byte(tplBasicsYAML+"#"), bytes.Repeat([]byte("x"), 2<<20)...), http.StatusRequestEntityTooLarge, regexp.MustCompile(`2 MiB`)},
		{"empty", admin, "application/yaml", nil, http.StatusUnprocessableEntity, regexp.MustCompile(`the file is empty`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := tplCall(t, env, http.MethodPost, "/api/v1/templates", tc.token, tc.ct, tc.body)
			if res.status != tc.status || !tc.message.Match(res.body) {
				t.Errorf("%d %s, want %d matching %s", res.status, res.body, tc.status, tc.message)
			}
		})
	}
	if n := tplVersionCount(t, env, "basics"); n != 0 {
		t.Errorf("refused uploads published %d versions", n)
	}
}
