package handlers_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
)

func TestAuditCSVExport(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	// A failed login whose email is a spreadsheet formula.
	formula := "=cmd|'/c calc'!a0@example.test"
	resp := env.PostLogin(t, env.Client(), formula, "whatever password")
	resp.Body.Close()
	reviewer := env.Login(t, auth.RoleReviewer)

	resp, err := reviewer.Get(env.URL + "/app/audit.csv?action=login.&from=" + time.Now().UTC().Format("2006-01-02"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="assay-audit-`) {
		t.Fatalf("%s %v", resp.Status, resp.Header)
	}
	rows, err := csv.NewReader(resp.Body).ReadAll()
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != strings.Join(audit.CSVHeader, ",") {
		t.Fatalf("header %v", rows[0])
	}
	var failed, login int
	for _, r := range rows[1:] {
		switch r[5] {
		case "login.failed":
			failed++
			if r[2] != "'"+formula || r[1] != "anonymous" || r[10] != "no such account" {
				t.Errorf("failed login row %q: the email must be defused", r)
			}
		case "login":
			login++
		default:
			t.Errorf("the filter let %q through", r[5])
		}
	}
	if failed != 1 || login != 1 {
		t.Fatalf("%d failed and %d successful logins exported, want 1 and 1:\n%v", failed, login, rows)
	}

	// Dates are checked, and a wrong one says so beside its field.
	status, page := get(t, env, reviewer, "/app/audit?from=31/12/2025&to="+url.QueryEscape("2025-01-01"))
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "use a date such as 2025-01-31") {
		t.Fatalf("bad date: %d", status)
	}
	if status, _ := get(t, env, reviewer, "/app/audit.csv?to=yesterday"); status != http.StatusUnprocessableEntity {
		t.Fatalf("bad date in the export: %d", status)
	}
	// The day in "to" is included; the day after it is not.
	today := time.Now().UTC().Format("2006-01-02")
	if _, page := get(t, env, reviewer, "/app/audit?action=login&to="+today); !strings.Contains(page, "<code>login</code>") {
		t.Fatal("entries of the last day are missing")
	}
	if _, page := get(t, env, reviewer, "/app/audit?action=login&from="+time.Now().UTC().AddDate(0, 0, 1).Format("2006-01-02")); !strings.Contains(page, "No entries match") {
		t.Fatal("entries before the start date are listed")
	}
}
