package vendors_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/vendors"
)

func TestImportCSVReportsEachBadRow(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.create(t, vendors.Input{Name: "Existing Co", Tier: 2})
	file := "\ufeffName,Tier,Contact_Email,contact_name,tags,website,owner_email,services\n" +
		"Acme,1,ann@acme.example,Ann,cloud;EU,https://acme.example,owner@example.test,Hosting\n" + // row 2 ok
		",2,,,,,,\n" + // row 3: no name
		"Beta,five,,,,,,\n" + // row 4: tier not a number
		"Gamma,3,not-an-email,,,,,\n" + // row 5: bad email
		"existing co,2,,,,,,\n" + // row 6: name taken
		",,,,,,,\n" + // blank line: skipped
		"Delta,4,,,,ftp://delta,nobody@example.test,\n" + // row 8: website and owner
		"\"Epsilon, Inc.\",2,\"e@eps.example\",,,,,\"line one\nline two\"\n" + // row 9 ok, quoted
		"acme,3,,,,,,\n" // row 10: duplicate within the file
	rep, err := r.svc.ImportCSV(ctx, staffActor, strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 2 {
		t.Errorf("created %d, want 2", rep.Created)
	}
	wantRows := []int{3, 4, 5, 6, 8, 10}
	var rows []int
	for _, e := range rep.Errors {
		rows = append(rows, e.Row)
	}
	if !slices.Equal(rows, wantRows) {
		t.Fatalf("error rows %v, want %v: %+v", rows, wantRows, rep.Errors)
	}
	checks := map[int][]string{
		3: {"name:"}, 4: {"tier:", "five"}, 5: {"contact_email:"}, 6: {"already exists"},
		8: {"website:", "owner_email:", "nobody@example.test"}, 10: {"already exists"},
	}
	for _, e := range rep.Errors {
		for _, want := range checks[e.Row] {
			if !strings.Contains(e.Message, want) {
				t.Errorf("row %d: message %q lacks %q", e.Row, e.Message, want)
			}
		}
	}
	list, _, _ := r.svc.List(ctx, vendors.Filter{Q: "acme"})
	if len(list) == 1 {
		list[0] = *must(r.svc.Get(ctx, list[0].ID))
	}
	if len(list) != 1 || list[0].Tier != 1 || list[0].OwnerEmail != "owner@example.test" || !slices.Equal(list[0].Tags, []string{"cloud", "eu"}) ||
		len(list[0].Contacts) != 1 || list[0].Contacts[0].Name != "Ann" || list[0].Services != "Hosting" {
		t.Fatalf("imported %+v", list)
	}
	if eps, _, _ := r.svc.List(ctx, vendors.Filter{Q: "epsilon"}); len(eps) != 1 || must(r.svc.Get(ctx, eps[0].ID)).Services != "line one\nline two" {
		t.Fatalf("quoted row imported as %+v", eps)
	}
	if a := r.audit.actions(); a[len(a)-1] != "vendor.import" {
		t.Errorf("last audit action %q", a[len(a)-1])
	}
}

func TestImportCSVRefusesBadFiles(t *testing.T) {
	r := newRig(t)
	for name, file := range map[string]string{
		"empty":          "",
		"unknown column": "name,colour\nAcme,red\n",
		"no name column": "tier,website\n1,https://x.example\n",
		"repeated":       "name,name\nA,B\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := r.svc.ImportCSV(context.Background(), staffActor, strings.NewReader(file))
			if f := apperr.Fields(err); len(f) != 1 || f[0].Path != "file" {
				t.Fatalf("got %v", err)
			}
		})
	}
	rep, err := r.svc.ImportCSV(context.Background(), staffActor, strings.NewReader("name,tier\nGood,2\n\"broken,2\nLater,3\n"))
	if err != nil || rep.Created != 1 || len(rep.Errors) != 1 || rep.Errors[0].Row != 3 {
		t.Fatalf("broken quote: %+v %v", rep, err)
	}
}

func TestExportCSVImportsBack(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.create(t, vendors.Input{Name: "=HYPERLINK(\"x\")", Tier: 2, Tags: []string{"a", "b"},
		Contacts: []vendors.Contact{{Name: "Ann", Email: "ann@x.example"}, {Name: "Bob", Email: "bob@x.example"}}})
	r.create(t, vendors.Input{Name: "Plain", Tier: 4, Website: "https://plain.example", OwnerEmail: "owner@example.test"})
	var buf bytes.Buffer
	if err := r.svc.ExportCSV(ctx, &buf, vendors.Filter{}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || !slices.Equal(recs[0], vendors.ExportColumns) {
		t.Fatalf("export:\n%s", buf.String())
	}
	// Sorted by name: the formula-looking name sorts first and is defused.
	if recs[1][0] != "'=HYPERLINK(\"x\")" || recs[1][5] != "a;b" || recs[1][18] != "Bob <bob@x.example>" {
		t.Errorf("row 1: %q", recs[1])
	}
	if recs[2][0] != "Plain" || recs[2][7] != "owner@example.test" || recs[2][9] != "active" {
		t.Errorf("row 2: %q", recs[2])
	}

	// The import columns of an export load into an empty register.
	other := newRig(t)
	var in bytes.Buffer
	w := csv.NewWriter(&in)
	for _, rec := range recs {
		_ = w.Write(rec[:len(vendors.ImportColumns)])
	}
	w.Flush()
	rep, err := other.svc.ImportCSV(ctx, staffActor, &in)
	if err != nil || rep.Created != 2 || len(rep.Errors) != 0 {
		t.Fatalf("re-import: %+v %v", rep, err)
	}
}
