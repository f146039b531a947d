package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/auth"
)

// openAPIDoc fetches the served document the way a client does.
func openAPIDoc(t *testing.T, env *apptest.Env) map[string]any {
	t.Helper()
	resp, err := env.Client().Get(env.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.json: %s", resp.Status)
	}
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("the document is not JSON: %v", err)
	}
	return doc
}

var routeParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// apiOperations lists "METHOD /path/{param}" of every /api/v1 route.
func apiOperations(routes [][2]string) []string {
	var out []string
	for _, r := range routes {
		if strings.HasPrefix(r[1], "/api/v1/") {
			out = append(out, r[0]+" "+routeParam.ReplaceAllString(r[1], "{$1}"))
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

var httpMethods = []string{"get", "put", "post", "delete", "patch", "head", "options", "trace"}

// documentedOperations lists "METHOD /path" of every operation of doc.
func documentedOperations(doc map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for path, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			if slices.Contains(httpMethods, method) {
				out[strings.ToUpper(method)+" "+path] = op.(map[string]any)
			}
		}
	}
	return out
}

// contractOperations are the calls shared/design/api.md fixes; every other
// documented operation must be marked as an extension.
var contractOperations = []string{
	"POST /api/v1/auth/token",
	"POST /api/v1/vendors", "GET /api/v1/vendors", "GET /api/v1/vendors/{id}",
	"GET /api/v1/templates", "POST /api/v1/templates",
	"POST /api/v1/assessments", "GET /api/v1/assessments/{id}",
	"POST /api/v1/assessments/{id}/resend", "POST /api/v1/assessments/{id}/revoke",
	"GET /api/v1/assessments/{id}/answers", "GET /api/v1/assessments/{id}/evidence",
	"GET /api/v1/assessments/{id}/evidence/{eid}", "GET /api/v1/assessments/{id}/score",
	"POST /api/v1/assessments/{id}/clarifications", "POST /api/v1/assessments/{id}/complete",
	"GET /api/v1/assessments/{id}/report",
	"GET /api/v1/portal/{token}", "PUT /api/v1/portal/{token}/answers", "POST /api/v1/portal/{token}/evidence",
	"DELETE /api/v1/portal/{token}/evidence/{eid}", "POST /api/v1/portal/{token}/submit",
	"GET /api/v1/openapi.json",
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoWorkers: true})
	doc := openAPIDoc(t, env)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Fatalf("openapi %q, want 3.1.x", v)
	}
	documented := documentedOperations(doc)

	var declared, router [][2]string
	for _, r := range env.Server.Routes() {
		declared = append(declared, [2]string{r.Method, r.Path})
	}
	for _, r := range env.Server.Echo().Routes() {
		router = append(router, [2]string{r.Method, r.Path})
	}
	for name, routes := range map[string][]string{"declared": apiOperations(declared), "router": apiOperations(router)} {
		if len(routes) < len(contractOperations) {
			t.Fatalf("only %d %s /api/v1 routes: %v", len(routes), name, routes)
		}
		for _, r := range routes {
			if documented[r] == nil {
				t.Errorf("%s route %s is not in openapi.json", name, r)
			}
		}
		for op := range documented {
			if !slices.Contains(routes, op) {
				t.Errorf("openapi.json documents %s, which is no %s route", op, name)
			}
		}
	}

	for _, op := range contractOperations {
		if documented[op] == nil {
			t.Errorf("the contract's %s is not documented", op)
		}
	}
	ids := map[string]string{}
	for key, op := range documented {
		ext, _ := op["x-assay-extension"].(bool)
		if inContract := slices.Contains(contractOperations, key); ext == inContract {
			t.Errorf("%s: x-assay-extension %v, but it is %s the api.md contract", key, ext, map[bool]string{true: "in", false: "not in"}[inContract])
		}
		id, _ := op["operationId"].(string)
		if id == "" || ids[id] != "" {
			t.Errorf("%s: operationId %q missing or also used by %s", key, id, ids[id])
		}
		ids[id] = key
		checkOperationShape(t, doc, key, op)
	}

	var refs []string
	collectRefs(doc, &refs)
	if len(refs) < 50 {
		t.Errorf("only %d $refs: the walk is broken", len(refs))
	}
	for _, ref := range refs {
		if _, err := resolvePointer(doc, ref); err != nil {
			t.Errorf("$ref %s: %v", ref, err)
		}
	}

	score := schemaAt(t, doc, "#/components/schemas/Score")
	var required []string
	for _, r := range score["required"].([]any) {
		required = append(required, r.(string))
	}
	sort.Strings(required)
	want := []string{"controls", "coverage", "domains_2013", "evidence_coverage", "findings", "grade", "method_version",
		"overall", "risk", "supplier_controls", "themes"}
	if !slices.Equal(required, want) {
		t.Errorf("Score requires %v, want exactly api.md's %v", required, want)
	}
	props := score["properties"].(map[string]any)
	for _, extra := range []string{"questions", "overrides", "not_assessed"} {
		if props[extra] == nil {
			t.Errorf("Score lacks the scoring package's %s", extra)
		}
	}

	errShape := schemaAt(t, doc, "#/components/schemas/Error")
	inner := errShape["properties"].(map[string]any)["error"].(map[string]any)
	if got := fmt.Sprint(inner["required"]); got != "[code message]" || inner["properties"].(map[string]any)["fields"] == nil {
		t.Errorf("error shape: required %s, properties %v", got, inner["properties"])
	}
	for _, status := range []string{"400", "401", "403", "404", "409", "410", "413", "415", "422", "429"} {
		used := false
		for _, op := range documented {
			if op["responses"].(map[string]any)[status] != nil {
				used = true
				break
			}
		}
		if !used {
			t.Errorf("no operation documents a %s answer", status)
		}
	}
}

// checkOperationShape checks what a generator relies on: a success
// answer, a declared parameter for every {param} of the path, and the
// security staff and supplier routes have.
func checkOperationShape(t *testing.T, doc map[string]any, key string, op map[string]any) {
	t.Helper()
	responses, _ := op["responses"].(map[string]any)
	success := false
	for status := range responses {
		success = success || strings.HasPrefix(status, "2")
	}
	if !success {
		t.Errorf("%s: no 2xx answer", key)
	}
	inPath := map[string]bool{}
	for _, p := range asList(op["parameters"]) {
		p, err := resolved(doc, p)
		if err != nil {
			t.Errorf("%s: %v", key, err)
			continue
		}
		if p["in"] == "path" {
			inPath[p["name"].(string)] = true
		}
	}
	path := strings.SplitN(key, " ", 2)[1]
	for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(path, -1) {
		if !inPath[m[1]] {
			t.Errorf("%s: path parameter %s is not declared", key, m[1])
		}
		delete(inPath, m[1])
	}
	for name := range inPath {
		t.Errorf("%s: declares path parameter %s the path lacks", key, name)
	}
	security, _ := op["security"].([]any)
	public := strings.HasPrefix(path, "/api/v1/portal/") || path == "/api/v1/auth/token" || path == "/api/v1/openapi.json"
	if public != (len(security) == 0) {
		t.Errorf("%s: security %v", key, security)
	}
}

func collectRefs(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "$ref" {
				*out = append(*out, s)
			} else {
				collectRefs(e, out)
			}
		}
	case []any:
		for _, e := range x {
			collectRefs(e, out)
		}
	}
}

// resolvePointer follows a local JSON pointer such as
// #/components/schemas/Score.
func resolvePointer(doc map[string]any, ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("not a local reference")
	}
	var cur any = doc
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		m, ok := cur.(map[string]any)
		if !ok || m[part] == nil {
			return nil, fmt.Errorf("no %q", part)
		}
		cur = m[part]
	}
	return cur, nil
}

// resolved returns v, or what its $ref names.
func resolved(doc map[string]any, v any) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%v is not an object", v)
	}
	for depth := 0; m["$ref"] != nil; depth++ {
		if depth > 10 {
			return nil, fmt.Errorf("reference loop at %v", m["$ref"])
		}
		target, err := resolvePointer(doc, m["$ref"].(string))
		if err != nil {
			return nil, err
		}
		if m, ok = target.(map[string]any); !ok {
			return nil, fmt.Errorf("%v names no object", m["$ref"])
		}
	}
	return m, nil
}

func schemaAt(t *testing.T, doc map[string]any, ref string) map[string]any {
	t.Helper()
	s, err := resolved(doc, map[string]any{"$ref": ref})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// schemaCheck checks a JSON value against the parts of JSON Schema the
// document uses: $ref, allOf/oneOf/anyOf, type, enum, required, properties,
// additionalProperties, patternProperties, items, minimum/maximum and the
// date and date-time formats. It returns every mismatch with its path.
func schemaCheck(doc map[string]any, schema any, v any, at string) []string {
	s, err := resolved(doc, schema)
	if err != nil {
		return []string{at + ": " + err.Error()}
	}
	var errs []string
	for _, sub := range asList(s["allOf"]) {
		errs = append(errs, schemaCheck(doc, sub, v, at)...)
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		alts := asList(s[key])
		if len(alts) == 0 {
			continue
		}
		pass := 0
		for _, sub := range alts {
			if len(schemaCheck(doc, sub, v, at)) == 0 {
				pass++
			}
		}
		if pass == 0 || (key == "oneOf" && pass > 1) {
			errs = append(errs, fmt.Sprintf("%s: %d of the %s alternatives match %v", at, pass, key, v))
		}
	}
	if types := typesOf(s["type"]); len(types) > 0 && !slices.Contains(types, jsonType(v)) &&
		!(jsonType(v) == "integer" && slices.Contains(types, "number")) {
		return append(errs, fmt.Sprintf("%s: %s %v, want %v", at, jsonType(v), v, types))
	}
	if enum := asList(s["enum"]); enum != nil && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) && jsonType(e) == jsonType(v) }) {
		errs = append(errs, fmt.Sprintf("%s: %v is not one of %v", at, v, enum))
	}
	switch x := v.(type) {
	case map[string]any:
		for _, r := range asList(s["required"]) {
			if _, ok := x[r.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: required %s missing", at, r))
			}
		}
		props, _ := s["properties"].(map[string]any)
		patterns, _ := s["patternProperties"].(map[string]any)
		for k, e := range x {
			if p, ok := props[k]; ok {
				errs = append(errs, schemaCheck(doc, p, e, at+"."+k)...)
				continue
			}
			matched := false
			for pat, p := range patterns {
				if regexp.MustCompile(pat).MatchString(k) {
					matched = true
					errs = append(errs, schemaCheck(doc, p, e, at+"."+k)...)
				}
			}
			switch add := s["additionalProperties"].(type) {
			case bool:
				if !add && !matched {
					errs = append(errs, fmt.Sprintf("%s: property %s is not allowed", at, k))
				}
			case map[string]any:
				if !matched {
					errs = append(errs, schemaCheck(doc, add, e, at+"."+k)...)
				}
			}
		}
	case []any:
		if items, ok := s["items"]; ok {
			for i, e := range x {
				errs = append(errs, schemaCheck(doc, items, e, at+"["+strconv.Itoa(i)+"]")...)
			}
		}
	case float64:
		if lo, ok := s["minimum"].(float64); ok && x < lo {
			errs = append(errs, fmt.Sprintf("%s: %v below %v", at, x, lo))
		}
		if hi, ok := s["maximum"].(float64); ok && x > hi {
			errs = append(errs, fmt.Sprintf("%s: %v above %v", at, x, hi))
		}
	case string:
		layout := map[string]string{"date": time.DateOnly, "date-time": time.RFC3339}[fmt.Sprint(s["format"])]
		if _, err := time.Parse(layout, x); layout != "" && err != nil {
			errs = append(errs, fmt.Sprintf("%s: %q is not a %s", at, x, s["format"]))
		}
	}
	return errs
}

func asList(v any) []any { l, _ := v.([]any); return l }

func typesOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = e.(string)
		}
		return out
	}
	return nil
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64:
		if x == math.Trunc(x) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// checkAgainstDoc checks an API answer against the schema the document
// gives for its operation and status.
func checkAgainstDoc(t *testing.T, doc map[string]any, method, path string, r asmResp) {
	t.Helper()
	op := documentedOperations(doc)[method+" "+path]
	if op == nil {
		t.Fatalf("%s %s is not documented", method, path)
	}
	responses := op["responses"].(map[string]any)
	resp := responses[strconv.Itoa(r.Status)]
	if resp == nil {
		t.Errorf("%s %s answered %d, which the document does not list", method, path, r.Status)
		resp = responses["default"]
	}
	rs, err := resolved(doc, resp)
	if err != nil {
		t.Fatal(err)
	}
	media, _ := rs["content"].(map[string]any)["application/json"].(map[string]any)
	if media == nil {
		t.Fatalf("%s %s %d: no application/json schema", method, path, r.Status)
	}
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	for _, e := range schemaCheck(doc, media["schema"], v, method+" "+path) {
		t.Error(e)
	}
}

// TestOpenAPIDescribesRealAnswers walks an assessment from sending to
// completion and checks each answer against its documented schema.
func TestOpenAPIDescribesRealAnswers(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoWorkers: true})
	doc := openAPIDoc(t, env)
	proc := env.Token(t, auth.RoleProcurement)
	rev := env.Token(t, auth.RoleReviewer)
	check := func(method, docPath, path, token string, body any, status int) asmResp {
		t.Helper()
		r := asmCall(t, env, method, path, token, body).want(t, status, method+" "+path)
		checkAgainstDoc(t, doc, method, docPath, r)
		return r
	}

	email, password := env.CreateUser(t, auth.RoleViewer)
	check(http.MethodPost, "/api/v1/auth/token", "/api/v1/auth/token", "", map[string]string{"email": email, "password": password}, http.StatusCreated)
	check(http.MethodPost, "/api/v1/auth/token", "/api/v1/auth/token", "", map[string]string{"email": email}, http.StatusUnprocessableEntity)

	var v struct {
		ID string `json:"id"`
	}
	check(http.MethodPost, "/api/v1/vendors", "/api/v1/vendors", proc, map[string]any{
		"name": "Northwind Traders", "website": "https://northwind.example", "tier": 1,
		"contacts": []map[string]string{{"name": "Nina", "email": "nina@northwind.example"}}, "tags": []string{"payments"},
	}, http.StatusCreated).decode(t, &v)
	check(http.MethodPost, "/api/v1/vendors", "/api/v1/vendors", proc, map[string]any{"name": "", "tier": 9}, http.StatusUnprocessableEntity)
	check(http.MethodGet, "/api/v1/vendors/{id}", "/api/v1/vendors/"+v.ID, rev, nil, http.StatusOK)
	check(http.MethodGet, "/api/v1/vendors/{id}", "/api/v1/vendors/nope", rev, nil, http.StatusNotFound)
	check(http.MethodGet, "/api/v1/vendors", "/api/v1/vendors?tier=1", rev, nil, http.StatusOK)
	check(http.MethodGet, "/api/v1/vendors", "/api/v1/vendors", "", nil, http.StatusUnauthorized)
	check(http.MethodGet, "/api/v1/templates", "/api/v1/templates", rev, nil, http.StatusOK)

	var a asmAssessment
	check(http.MethodPost, "/api/v1/assessments", "/api/v1/assessments", proc, map[string]any{
		"vendor_id": v.ID, "template_key": "vendor-lite", "due_date": asmDue(10), "message": "Thanks!",
	}, http.StatusCreated).decode(t, &a)
	check(http.MethodPost, "/api/v1/assessments", "/api/v1/assessments", rev, map[string]any{"vendor_id": v.ID}, http.StatusForbidden)
	tok := env.InvitationToken(t, a.ID)
	base := "/api/v1/portal/" + tok
	check(http.MethodGet, "/api/v1/portal/{token}", base, "", nil, http.StatusOK)
	answers := asmLiteAnswers(t, env, tok)
	check(http.MethodPut, "/api/v1/portal/{token}/answers", base+"/answers", "", map[string]any{"answers": map[string]any{"vl-policy": "perhaps"}},
		http.StatusUnprocessableEntity)
	check(http.MethodPut, "/api/v1/portal/{token}/answers", base+"/answers", "", map[string]any{"answers": answers}, http.StatusOK)
	up := asmUpload(t, env, tok, "vl-certification-file", "iso-cert.pdf", bytes.NewReader(asmPDF(20_000))).want(t, http.StatusCreated, "upload")
	checkAgainstDoc(t, doc, http.MethodPost, "/api/v1/portal/{token}/evidence", up)
	check(http.MethodGet, "/api/v1/portal/{token}", base, "", nil, http.StatusOK)
	check(http.MethodPost, "/api/v1/portal/{token}/submit", base+"/submit", "", nil, http.StatusOK)
	check(http.MethodPut, "/api/v1/portal/{token}/answers", base+"/answers", "", map[string]any{"answers": answers}, http.StatusConflict)
	check(http.MethodGet, "/api/v1/portal/{token}", "/api/v1/portal/not-a-token", "", nil, http.StatusNotFound)

	id := "/api/v1/assessments/" + a.ID
	check(http.MethodGet, "/api/v1/assessments/{id}", id, rev, nil, http.StatusOK)
	check(http.MethodGet, "/api/v1/assessments", "/api/v1/assessments?status=submitted", rev, nil, http.StatusOK)
	check(http.MethodGet, "/api/v1/assessments/{id}/answers", id+"/answers", rev, nil, http.StatusOK)
	check(http.MethodGet, "/api/v1/assessments/{id}/evidence", id+"/evidence", rev, nil, http.StatusOK)
	var score struct {
		Findings []struct {
			Control string `json:"control"`
		} `json:"findings"`
	}
	check(http.MethodPut, "/api/v1/assessments/{id}/reviews/{qid}", id+"/reviews/vl-incident-notify", rev, map[string]any{
		"status": "flagged", "override": map[string]any{"score": 0, "reason": "Seven days, not 72 hours."},
	}, http.StatusOK).decode(t, &score)
	if len(score.Findings) == 0 {
		t.Fatal("no finding to decide")
	}
	check(http.MethodPost, "/api/v1/assessments/{id}/findings", id+"/findings", rev, map[string]any{
		"control": score.Findings[0].Control, "treatment": "mitigate", "due_date": asmDue(30),
	}, http.StatusOK)
	check(http.MethodPost, "/api/v1/assessments/{id}/complete", id+"/complete", rev, map[string]any{"decision": "mitigate"}, http.StatusOK)
	check(http.MethodGet, "/api/v1/assessments/{id}/score", id+"/score", rev, nil, http.StatusOK)
	check(http.MethodGet, "/api/v1/assessments/{id}", id, rev, nil, http.StatusOK)
	check(http.MethodGet, "/api/v1/vendors/{id}", "/api/v1/vendors/"+v.ID, rev, nil, http.StatusOK)
	check(http.MethodGet, "/api/v1/assessments/{id}/report", id+"/report?format=json", rev, nil, http.StatusOK)
}

// TestOpenAPIServedCacheable: the document is public, JSON and cacheable,
// and revalidates with its ETag.
func TestOpenAPIServedCacheable(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoWorkers: true})
	resp, err := env.Client().Get(env.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
		!strings.HasPrefix(resp.Header.Get("Cache-Control"), "public") || etag == "" {
		t.Fatalf("%s, Content-Type %q, Cache-Control %q, ETag %q", resp.Status, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"), etag)
	}
	for header, want := range map[string]int{etag: http.StatusNotModified, "W/" + etag: http.StatusNotModified, `"other", ` + etag: http.StatusNotModified,
		`"stale"`: http.StatusOK} {
		req, _ := http.NewRequest(http.MethodGet, env.URL+"/api/v1/openapi.json", nil)
		req.Header.Set("If-None-Match", header)
		resp, err := env.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("If-None-Match %s: %d, want %d", header, resp.StatusCode, want)
		}
	}
}
