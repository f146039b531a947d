package handlers_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/auth"
)

// vndAPI calls the JSON API with a bearer token and decodes the answer.
func vndAPI(t testing.TB, env *apptest.Env, method, path, token string, body any, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, env.URL+path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := env.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %s: %v\n%s", method, path, resp.Status, err, raw)
		}
	}
	return resp.StatusCode
}

// vndCreate adds a vendor through the API and returns its id.
func vndCreate(t testing.TB, env *apptest.Env, token string, body map[string]any) string {
	t.Helper()
	var v struct {
		ID string `json:"id"`
	}
	if code := vndAPI(t, env, http.MethodPost, "/api/v1/vendors", token, body, &v); code != http.StatusCreated || v.ID == "" {
		t.Fatalf("POST /api/v1/vendors %v: %d", body, code)
	}
	return v.ID
}

// vndGet loads a staff page and returns its status and body.
func vndGet(t testing.TB, env *apptest.Env, c *http.Client, path string) (int, string) {
	t.Helper()
	resp, err := c.Get(env.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// vndPost submits a form with the CSRF token of csrfFrom, as a browser
// would after loading that page.
func vndPost(t testing.TB, env *apptest.Env, c *http.Client, csrfFrom, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	form.Set("_csrf", env.CSRF(t, c, csrfFrom))
	resp, err := c.PostForm(env.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// vndUpload posts a multipart form with one file.
func vndUpload(t testing.TB, env *apptest.Env, c *http.Client, csrfFrom, path, field, filename string, data []byte) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("_csrf", env.CSRF(t, c, csrfFrom))
	fw, _ := w.CreateFormFile(field, filename)
	_, _ = fw.Write(data)
	_ = w.Close()
	resp, err := c.Post(env.URL+path, w.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func vndContains(t testing.TB, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

type vndVendorJSON struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Tier         int      `json:"tier"`
	LatestScore  *float64 `json:"latest_score"`
	ResidualRisk *string  `json:"residual_risk"`
	Contacts     []struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"contacts"`
}

func TestVendorAPI(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	proc := env.Token(t, auth.RoleProcurement)
	viewer := env.Token(t, auth.RoleViewer)

	id := vndCreate(t, env, proc, map[string]any{"name": "Acme Cloud", "website": "https://acme.example", "tier": 1,
		"contacts": []map[string]string{{"name": "Ann", "email": "ann@acme.example"}}})
	vndCreate(t, env, proc, map[string]any{"name": "Beta Payroll", "tier": 3})

	var got vndVendorJSON
	if code := vndAPI(t, env, http.MethodGet, "/api/v1/vendors/"+id, viewer, nil, &got); code != http.StatusOK {
		t.Fatalf("GET vendor: %d", code)
	}
	if got.Name != "Acme Cloud" || got.Tier != 1 || got.LatestScore != nil || got.ResidualRisk != nil || len(got.Contacts) != 1 {
		t.Fatalf("vendor %+v", got)
	}
	// latest_score and residual_risk are present (null) before any assessment.
	var raw map[string]any
	vndAPI(t, env, http.MethodGet, "/api/v1/vendors/"+id, viewer, nil, &raw)
	for _, k := range []string{"latest_score", "residual_risk"} {
		if v, ok := raw[k]; !ok || v != nil {
			t.Errorf("%s = %v, %v; want present and null", k, v, ok)
		}
	}

	var list struct {
		Items []vndVendorJSON `json:"items"`
		Total int             `json:"total"`
	}
	cases := []struct {
		query string
		want  []string
	}{
		{"", []string{"Acme Cloud", "Beta Payroll"}},
		{"?q=PAYROLL", []string{"Beta Payroll"}},
		{"?tier=1", []string{"Acme Cloud"}},
		{"?risk=none&per_page=1&page=2", []string{"Beta Payroll"}},
		{"?risk=high", nil},
	}
	for _, c := range cases {
		list.Items = nil
		if code := vndAPI(t, env, http.MethodGet, "/api/v1/vendors"+c.query, viewer, nil, &list); code != http.StatusOK {
			t.Fatalf("list %s: %d", c.query, code)
		}
		var names []string
		for _, v := range list.Items {
			names = append(names, v.Name)
		}
		if strings.Join(names, ",") != strings.Join(c.want, ",") {
			t.Errorf("list %s: %v, want %v", c.query, names, c.want)
		}
	}
	if list.Total != 0 {
		t.Errorf("total for risk=high: %d", list.Total)
	}

	var errBody struct {
		Error struct {
			Code   string `json:"code"`
			Fields []struct {
				Path string `json:"path"`
			} `json:"fields"`
		} `json:"error"`
	}
	code := vndAPI(t, env, http.MethodPost, "/api/v1/vendors", proc, map[string]any{"name": "", "tier": 7,
		"contacts": []map[string]string{{"name": "X", "email": "not-an-email"}}}, &errBody)
	var paths []string
	for _, f := range errBody.Error.Fields {
		paths = append(paths, f.Path)
	}
	if code != http.StatusUnprocessableEntity || strings.Join(paths, ",") != "name,tier,contacts[0].email" {
		t.Fatalf("invalid vendor: %d %v", code, paths)
	}
	if code := vndAPI(t, env, http.MethodPost, "/api/v1/vendors", proc, map[string]any{"name": "acme cloud", "tier": 2}, &errBody); code != http.StatusUnprocessableEntity {
		t.Fatalf("duplicate name: %d", code)
	}
	if code := vndAPI(t, env, http.MethodPost, "/api/v1/vendors", viewer, map[string]any{"name": "Gamma", "tier": 2}, nil); code != http.StatusForbidden {
		t.Fatalf("viewer creating a vendor: %d, want 403", code)
	}
	if code := vndAPI(t, env, http.MethodGet, "/api/v1/vendors", "", nil, nil); code != http.StatusUnauthorized {
		t.Fatalf("no token: %d, want 401", code)
	}
	if code := vndAPI(t, env, http.MethodGet, "/api/v1/vendors/nope", viewer, nil, &errBody); code != http.StatusNotFound || errBody.Error.Code != "not_found" {
		t.Fatalf("unknown vendor: %d %+v", code, errBody)
	}
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/api/v1/vendors", strings.NewReader("{nope"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+proc)
	resp, err := env.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("malformed JSON: %s, want 400", resp.Status)
	}
	if code := vndAPI(t, env, http.MethodGet, "/api/v1/vendors?q=gamma", viewer, nil, &list); code != http.StatusOK || list.Total != 0 {
		t.Fatalf("refused creates left vendors behind: %d", list.Total)
	}
}
