package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// CSVColumns are the columns of the CSV export. Each row is one record:
// "assessment" (the overall result), "theme", "supplier_controls",
// "domain_2013", "control", "finding", "answer" or "evidence", so that a
// spreadsheet filters one kind at a time.
var CSVColumns = []string{"record", "id", "name", "section", "answer", "score", "detail"}

// WriteCSV writes the answers and scores of r as CSV.
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	write := func(rec ...string) {
		for i := range rec {
			rec[i] = csvCell(rec[i])
		}
		_ = cw.Write(rec) // the error is kept by the writer and read below
	}
	write(CSVColumns...)
	s := r.Summary
	decision := "undecided"
	if s.Decision != nil {
		decision = s.Decision.Treatment
	}
	state := "draft"
	if r.Final {
		state = "final"
	}
	write("assessment", r.Assessment.ID, r.Vendor.Name, "", "", score(s.Overall),
		fmt.Sprintf("grade %s; residual %s; likelihood %d; impact %d; coverage %s; evidence coverage %s; decision %s; method %s; %s",
			s.Grade, s.Residual, s.Likelihood, s.Impact, pct(s.Coverage), pct(s.EvidenceCoverage), decision, s.MethodVersion, state))
	for _, t := range s.Themes {
		write("theme", t.Key, title(t.Key), "", "", score(t.Score), "")
	}
	if s.SupplierControls != nil {
		write("supplier_controls", "A.5.19-A.5.23", "Supplier relationships", "", "", score(*s.SupplierControls), "")
	}
	for _, dm := range s.Domains2013 {
		write("domain_2013", dm.Key, "", "", "", score(dm.Score), "")
	}
	for _, c := range r.Controls {
		write("control", c.ID, c.Title, c.Theme, "", score(c.Score), "")
	}
	for _, f := range r.Findings {
		var qs []string
		for _, q := range f.Questions {
			qs = append(qs, q.ID)
		}
		detail := fmt.Sprintf("severity %s; priority %s; treatment %s; status %s; questions %s; recommendation: %s",
			f.Severity, score(f.Priority), orDash(f.Treatment), f.Status, strings.Join(qs, " "), f.Recommendation)
		write("finding", f.Control, f.Title, "", "", score(f.Score), detail)
	}
	for _, a := range r.Answers {
		sc := ""
		if a.Score != nil {
			sc = score(*a.Score)
		}
		parts := []string{"reason " + string(a.Reason)}
		if len(a.Controls) > 0 {
			parts = append(parts, "controls "+strings.Join(a.Controls, " "))
		}
		if len(a.Evidence) > 0 {
			parts = append(parts, "evidence "+strings.Join(a.Evidence, ", "))
		}
		if a.Review != "" {
			parts = append(parts, "review "+a.Review)
		}
		if a.Override != nil {
			parts = append(parts, fmt.Sprintf("override %d by %s: %s", a.Override.Score, a.Override.By, a.Override.Reason))
		}
		write("answer", a.QuestionID, a.Question, a.Section, a.Answer, sc, strings.Join(parts, "; "))
	}
	for _, e := range r.Evidence {
		write("evidence", e.QuestionID, e.Filename, "", "", "", "size "+strconv.FormatInt(e.Size, 10)+"; sha256 "+e.SHA256)
	}
	cw.Flush()
	return cw.Error()
}

// csvCell defuses spreadsheet formulas: a supplier's answer starting with
// = + - @ (or a tab or carriage return) would run when the export is
// opened.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
