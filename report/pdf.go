package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/assayhq/assay/scoring"
	"github.com/go-pdf/fpdf"
)

// Section headings, shared by every format so that an auditor finds the
// same parts in each.
const (
	HeadSummary         = "Executive summary"
	HeadScope           = "Scope"
	HeadMethodology     = "Methodology"
	HeadFindings        = "Findings"
	HeadNonConformities = "Non-conformities by severity"
	HeadRecommendations = "Recommendations"
	HeadAnswers         = "Appendix A: Answers"
	HeadEvidence        = "Appendix B: Evidence files"
)

// Page geometry in millimetres (A4).
const (
	pdfMargin   = 18
	pdfLine     = 4.6 // body line height
	pdfBodySize = 9.5
	// pdfMaxCellLines bounds one table cell: a 2,000-character free-text
	// answer is cut in the PDF (the CSV and JSON hold it whole) so that a
	// row always fits on a page.
	pdfMaxCellLines = 30
)

// WritePDF renders the report as a PDF. It uses the PDF core fonts, whose
// encoding is Windows-1252: text is translated to it, and the few symbols
// the method uses beyond it (≥, ≤, →, Σ, −) are spelled out.
func WritePDF(w io.Writer, r *Report) error {
	f := fpdf.New("P", "mm", "A4", "")
	d := &pdfDoc{f: f, tr: f.UnicodeTranslatorFromDescriptor(""), r: r}
	_, d.pageH = f.GetPageSize()
	pageW, _ := f.GetPageSize()
	d.width = pageW - 2*pdfMargin
	f.SetMargins(pdfMargin, pdfMargin+6, pdfMargin)
	f.SetAutoPageBreak(false, pdfMargin) // rows and lines are placed by ensure
	f.SetTitle(d.tr("Vendor risk report: "+r.Vendor.Name), false)
	f.SetAuthor(d.tr(r.Company), false)
	f.SetCreator("Assay", false)
	f.SetCreationDate(r.GeneratedAt)
	f.SetModificationDate(r.GeneratedAt)
	f.AliasNbPages("{nb}")
	f.SetHeaderFunc(d.header)
	f.SetFooterFunc(d.footer)
	f.AddPage()
	d.cover()
	d.summary()
	d.scope()
	d.methodology()
	d.findings()
	d.nonConformities()
	d.recommendations()
	d.answers()
	d.evidence()
	if err := f.Error(); err != nil {
		return fmt.Errorf("report PDF: %w", err)
	}
	return f.Output(w)
}

type pdfDoc struct {
	f     *fpdf.Fpdf
	tr    func(string) string
	r     *Report
	width float64
	pageH float64
}

var pdfSymbols = strings.NewReplacer("≥", ">=", "≤", "<=", "→", "->", "←", "<-", "Σ", "sum ", "−", "-", "≠", "!=", "\t", "    ")

// text makes s printable in the core fonts.
func (d *pdfDoc) text(s string) string { return d.tr(pdfSymbols.Replace(s)) }

func (d *pdfDoc) header() {
	if d.f.PageNo() == 1 {
		return
	}
	d.f.SetFont("Helvetica", "", 7.5)
	d.f.SetTextColor(90, 98, 110)
	d.f.SetXY(pdfMargin, 9)
	d.f.CellFormat(d.width/2, 4, d.text(d.r.Company+" · Vendor risk report"), "", 0, "L", false, 0, "")
	d.f.CellFormat(d.width/2, 4, d.text(d.r.Vendor.Name), "", 0, "R", false, 0, "")
	d.f.SetTextColor(0, 0, 0)
	d.f.SetXY(pdfMargin, pdfMargin+6)
}

func (d *pdfDoc) footer() {
	d.f.SetFont("Helvetica", "", 7.5)
	d.f.SetTextColor(90, 98, 110)
	d.f.SetXY(pdfMargin, d.pageH-12)
	state := "Final: recorded at completion"
	if !d.r.Final {
		state = "DRAFT: the assessment is not completed; figures may change"
	}
	d.f.CellFormat(d.width*0.75, 4, d.text(fmt.Sprintf("%s · generated %s · %s", d.r.Assessment.ID, d.r.GeneratedAt.Format("2006-01-02 15:04 UTC"), state)), "", 0, "L", false, 0, "")
	d.f.CellFormat(d.width*0.25, 4, fmt.Sprintf("Page %d of {nb}", d.f.PageNo()), "", 0, "R", false, 0, "")
	d.f.SetTextColor(0, 0, 0)
}

// ensure starts a new page unless h millimetres fit above the bottom margin.
func (d *pdfDoc) ensure(h float64) {
	if d.f.GetY()+h > d.pageH-pdfMargin {
		d.f.AddPage()
	}
}

func (d *pdfDoc) heading(title string, level int) {
	size, space := 14.0, 4.0
	if level > 0 {
		size, space = 11.0, 2.5
	}
	if level > 1 {
		size = 10
	}
	d.ensure(size*0.6 + space + 3*pdfLine) // never a heading alone at a page's foot
	d.f.Ln(space)
	d.f.Bookmark(d.text(title), level, -1)
	d.f.SetFont("Helvetica", "B", size)
	d.f.CellFormat(d.width, size*0.5, d.text(title), "", 1, "L", false, 0, "")
	d.f.Ln(1.5)
	d.f.SetFont("Helvetica", "", pdfBodySize)
}

// lines wraps s (already printable) to width w in the current font.
func (d *pdfDoc) lines(s string, w float64) []string {
	var out []string
	for _, l := range d.f.SplitLines([]byte(s), w) {
		out = append(out, string(l))
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}

// para writes a wrapped paragraph at x offset indent.
func (d *pdfDoc) para(s string, indent float64) {
	for _, l := range d.lines(d.text(s), d.width-indent) {
		d.ensure(pdfLine)
		d.f.SetX(pdfMargin + indent)
		d.f.CellFormat(d.width-indent, pdfLine, l, "", 1, "L", false, 0, "")
	}
	d.f.Ln(1.2)
}

func (d *pdfDoc) list(items []string, ordered bool) {
	for i, it := range items {
		mark := "•"
		if ordered {
			mark = strconv.Itoa(i+1) + "."
		}
		ls := d.lines(d.text(it), d.width-7)
		for j, l := range ls {
			d.ensure(pdfLine)
			d.f.SetX(pdfMargin)
			if j == 0 {
				d.f.CellFormat(7, pdfLine, d.text(mark), "", 0, "L", false, 0, "")
			} else {
				d.f.SetX(pdfMargin + 7)
			}
			d.f.CellFormat(d.width-7, pdfLine, l, "", 1, "L", false, 0, "")
		}
	}
	d.f.Ln(1.2)
}

// column is one column of a table: its width as a share of the text width.
type column struct {
	title string
	share float64
	align string
	mono  bool
}

// table draws rows under a header row that repeats on each page.
func (d *pdfDoc) table(cols []column, rows [][]string) {
	widths := make([]float64, len(cols))
	for i, c := range cols {
		widths[i] = c.share * d.width
	}
	const pad = 1.2
	lh := pdfLine - 0.4
	var drawHead func()
	drawRow := func(cells []string, head bool) {
		d.f.SetFont("Helvetica", "", 8.5)
		if head {
			d.f.SetFont("Helvetica", "B", 8)
		}
		wrapped := make([][]string, len(cols))
		n := 1
		for i := range cols {
			if cols[i].mono && !head {
				d.f.SetFont("Courier", "", 6.5)
			}
			cell := ""
			if i < len(cells) {
				cell = d.text(cells[i])
			}
			wrapped[i] = d.lines(cell, widths[i]-2*pad+2*d.f.GetCellMargin())
			if len(wrapped[i]) > pdfMaxCellLines {
				wrapped[i] = append(wrapped[i][:pdfMaxCellLines-1], d.text("[… cut here: the CSV and JSON exports hold the whole text]"))
			}
			n = max(n, len(wrapped[i]))
			if cols[i].mono && !head {
				d.f.SetFont("Helvetica", "", 8.5)
			}
		}
		h := float64(n)*lh + 2*pad
		if !head {
			if d.f.GetY()+h > d.pageH-pdfMargin {
				d.f.AddPage()
				drawHead()
			}
		}
		x, y := float64(pdfMargin), d.f.GetY()
		if head {
			d.f.SetFillColor(238, 241, 245)
		}
		for i := range cols {
			style := "D"
			if head {
				style = "FD"
			}
			d.f.SetDrawColor(205, 210, 218)
			d.f.Rect(x, y, widths[i], h, style)
			if cols[i].mono && !head {
				d.f.SetFont("Courier", "", 6.5)
			}
			for j, l := range wrapped[i] {
				d.f.SetXY(x+pad-d.f.GetCellMargin(), y+pad+float64(j)*lh)
				d.f.CellFormat(widths[i]-2*pad+2*d.f.GetCellMargin(), lh, l, "", 0, cols[i].align, false, 0, "")
			}
			if cols[i].mono && !head {
				d.f.SetFont("Helvetica", "", 8.5)
			}
			x += widths[i]
		}
		d.f.SetXY(pdfMargin, y+h)
	}
	drawHead = func() {
		heads := make([]string, len(cols))
		for i, c := range cols {
			heads[i] = c.title
		}
		drawRow(heads, true)
	}
	d.ensure(3 * (lh + 2*pad))
	drawHead()
	for _, r := range rows {
		drawRow(r, false)
	}
	d.f.SetFont("Helvetica", "", pdfBodySize)
	d.f.Ln(2)
}

// kv writes label: value lines.
func (d *pdfDoc) kv(pairs [][2]string) {
	const labelW = 48
	for _, p := range pairs {
		d.f.SetFont("Helvetica", "", pdfBodySize)
		ls := d.lines(d.text(p[1]), d.width-labelW)
		d.ensure(float64(len(ls)) * pdfLine)
		d.f.SetFont("Helvetica", "B", pdfBodySize)
		d.f.SetX(pdfMargin)
		d.f.CellFormat(labelW, pdfLine, d.text(p[0]), "", 0, "L", false, 0, "")
		d.f.SetFont("Helvetica", "", pdfBodySize)
		for j, l := range ls {
			if j > 0 {
				d.f.SetX(pdfMargin + labelW)
			}
			d.f.CellFormat(d.width-labelW, pdfLine, l, "", 1, "L", false, 0, "")
		}
	}
	d.f.Ln(1.5)
}

func severityRGB(l scoring.Level) (int, int, int) {
	switch l {
	case scoring.LevelCritical:
		return 179, 38, 30
	case scoring.LevelHigh:
		return 194, 65, 12
	case scoring.LevelMedium:
		return 138, 90, 0
	}
	return 29, 111, 66
}

func (d *pdfDoc) cover() {
	r := d.r
	d.f.SetFont("Helvetica", "", 10)
	d.f.SetTextColor(90, 98, 110)
	d.f.CellFormat(d.width, 5, d.text(r.Company), "", 1, "L", false, 0, "")
	d.f.SetTextColor(0, 0, 0)
	d.f.SetFont("Helvetica", "B", 20)
	d.f.CellFormat(d.width, 10, d.text("Vendor risk report"), "", 1, "L", false, 0, "")
	d.f.SetFont("Helvetica", "", 14)
	d.f.CellFormat(d.width, 7, d.text(r.Vendor.Name), "", 1, "L", false, 0, "")
	d.f.SetFont("Helvetica", "", pdfBodySize)
	d.para(fmt.Sprintf("%s (version %d) · assessment %s · generated %s", orDash(r.Assessment.TemplateTitle), r.Assessment.TemplateVersion,
		r.Assessment.ID, r.GeneratedAt.Format("2 January 2006")), 0)
	if !r.Final {
		d.f.SetTextColor(179, 38, 30)
		d.para("Draft: this assessment is "+strings.ReplaceAll(r.Assessment.Status, "_", " ")+
			". The figures come from the live score and will change until the review is completed.", 0)
		d.f.SetTextColor(0, 0, 0)
	}
}

func (d *pdfDoc) summary() {
	r, s := d.r, d.r.Summary
	d.heading(HeadSummary, 0)
	decision := "not decided yet"
	if s.Decision != nil {
		decision = fmt.Sprintf("%s, by %s on %s", title(s.Decision.Treatment), s.Decision.By, s.Decision.At.Format("2 January 2006"))
		if s.Decision.Note != "" {
			decision += ": " + s.Decision.Note
		}
	}
	d.kv([][2]string{
		{"Overall score", fmt.Sprintf("%s / 100, grade %s", score(s.Overall), s.Grade)},
		{"Residual risk", fmt.Sprintf("%s (likelihood %d × impact %d; inherent risk %d)", title(string(s.Residual)), s.Likelihood, s.Impact, s.Inherent)},
		{"Decision", decision},
		{"Findings", findingCounts(r)},
		{"Coverage", fmt.Sprintf("%s of the questions in scope answered; %s of the evidence requested provided", pct(s.Coverage), pct(s.EvidenceCoverage))},
		{"Reviewer overrides", strconv.Itoa(s.Overrides)},
		{"Scoring method", "version " + s.MethodVersion + " (see " + HeadMethodology + ")"},
	})
	var rows [][]string
	for _, t := range s.Themes {
		rows = append(rows, []string{"Theme: " + title(t.Key), score(t.Score)})
	}
	if s.SupplierControls != nil {
		rows = append(rows, []string{"Supplier relationships (A.5.19–A.5.23)", score(*s.SupplierControls)})
	}
	for _, dm := range s.Domains2013 {
		rows = append(rows, []string{"ISO/IEC 27001:2013 domain " + dm.Key, score(dm.Score)})
	}
	if len(rows) > 0 {
		d.table([]column{{"Area", 0.8, "L", false}, {"Score", 0.2, "R", false}}, rows)
	}
}

func (d *pdfDoc) scope() {
	r := d.r
	d.heading(HeadScope, 0)
	var contacts []string
	for _, c := range r.Vendor.Contacts {
		contacts = append(contacts, person(c.Name, c.Email))
	}
	d.kv([][2]string{
		{"Vendor", r.Vendor.Name},
		{"Website", orDash(r.Vendor.Website)},
		{"Tier", r.Vendor.TierLabel},
		{"Services", orDash(r.Vendor.Services)},
		{"Relationship owner", orDash(person(r.Vendor.OwnerName, r.Vendor.OwnerEmail))},
		{"Vendor contacts", orDash(strings.Join(contacts, "; "))},
		{"Questionnaire", fmt.Sprintf("%s (%s, version %d, %d questions)", orDash(r.Assessment.TemplateTitle), r.Assessment.TemplateKey, r.Assessment.TemplateVersion, r.Assessment.Questions)},
		{"Sent", day(r.Assessment.SentAt)},
		{"Due", day(r.Assessment.DueDate)},
		{"Submitted", day(r.Assessment.SubmittedAt)},
		{"Completed", day(r.Assessment.CompletedAt)},
		{"Respondent", orDash(person(r.People.Respondent.Name, r.People.Respondent.Email))},
		{"Reviewers", orDash(strings.Join(r.People.Reviewers, "; "))},
		{"Decided by", orDash(r.People.DecidedBy)},
	})
}

func (d *pdfDoc) methodology() {
	d.f.AddPage()
	d.heading(HeadMethodology, 0)
	for _, b := range Methodology() {
		switch b.Kind {
		case BlockHeading:
			if b.Level == 1 {
				continue // the section's own heading stands for the page title
			}
			d.heading(b.Text, b.Level-1)
		case BlockParagraph:
			d.para(b.Text, 0)
		case BlockList:
			d.list(b.Items, b.Ordered)
		case BlockCode:
			d.f.SetFont("Courier", "", 8)
			for _, l := range strings.Split(b.Text, "\n") {
				d.ensure(pdfLine - 0.5)
				d.f.SetX(pdfMargin + 4)
				d.f.CellFormat(d.width-4, pdfLine-0.5, d.text(l), "", 1, "L", false, 0, "")
			}
			d.f.SetFont("Helvetica", "", pdfBodySize)
			d.f.Ln(1.5)
		case BlockTable:
			if len(b.Rows) == 0 {
				continue
			}
			cols := make([]column, len(b.Rows[0]))
			shares := shares(b.Rows)
			for i := range cols {
				cols[i] = column{title: b.Rows[0][i], share: shares[i], align: "L"}
			}
			d.table(cols, b.Rows[1:])
		}
	}
}

// shares sizes table columns by their longest cell, within bounds.
func shares(rows [][]string) []float64 {
	n := len(rows[0])
	longest := make([]float64, n)
	for _, r := range rows {
		for i := 0; i < n && i < len(r); i++ {
			longest[i] = max(longest[i], min(float64(len([]rune(r[i]))), 60))
		}
	}
	total := 0.0
	for i := range longest {
		longest[i] = max(longest[i], 4)
		total += longest[i]
	}
	for i := range longest {
		longest[i] /= total
	}
	return longest
}

func (d *pdfDoc) findings() {
	r := d.r
	d.f.AddPage()
	d.heading(HeadFindings, 0)
	if len(r.Findings) == 0 {
		d.para("No control scored below the finding threshold and no key control has a failed question: there are no findings.", 0)
		return
	}
	d.para(fmt.Sprintf("%d findings, most severe first. Each is a control scoring below 60, or a key control with a question scoring 0.", len(r.Findings)), 0)
	for _, f := range r.Findings {
		d.ensure(6 * pdfLine)
		d.f.Ln(1.5)
		d.f.Bookmark(d.text(f.Control+" "+f.Title), 1, -1)
		d.f.SetFont("Helvetica", "B", 10.5)
		d.f.CellFormat(d.width*0.78, 5.5, d.text(f.Control+"  "+f.Title), "", 0, "L", false, 0, "")
		cr, cg, cb := severityRGB(f.Severity)
		d.f.SetTextColor(cr, cg, cb)
		d.f.CellFormat(d.width*0.22, 5.5, d.text(strings.ToUpper(string(f.Severity))), "", 1, "R", false, 0, "")
		d.f.SetTextColor(0, 0, 0)
		d.f.SetFont("Helvetica", "", pdfBodySize)
		key := ""
		if f.Key {
			key = " · key control"
		}
		treatment := "treatment not decided yet"
		if f.Treatment != "" {
			treatment = "treatment: " + f.Treatment + " · status: " + strings.ReplaceAll(f.Status, "_", " ")
			if f.Owner != "" {
				treatment += " · owner: " + f.Owner
			}
			if !f.DueDate.IsZero() {
				treatment += " · due " + day(f.DueDate)
			}
		}
		d.para(fmt.Sprintf("Control score %s · priority %s%s · %s", score(f.Score), score(f.Priority), key, treatment), 0)
		d.para("Recommendation: "+f.Recommendation, 0)
		if f.Note != "" {
			d.para("Reviewer's note: "+f.Note, 0)
		}
		if len(f.Questions) > 0 {
			var qs []string
			for _, q := range f.Questions {
				qs = append(qs, q.ID+": "+q.Text)
			}
			d.list(qs, false)
		}
	}
}

func (d *pdfDoc) nonConformities() {
	d.heading(HeadNonConformities, 0)
	var rows [][]string
	for _, g := range d.r.NonConformities {
		rows = append(rows, []string{title(string(g.Severity)), strconv.Itoa(len(g.Controls)), orDash(strings.Join(g.Controls, ", "))})
	}
	d.table([]column{{"Severity", 0.16, "L", false}, {"Count", 0.1, "R", false}, {"Controls", 0.74, "L", false}}, rows)
}

func (d *pdfDoc) recommendations() {
	d.heading(HeadRecommendations, 0)
	if len(d.r.Recommendations) == 0 {
		d.para("None: there are no findings.", 0)
		return
	}
	var items []string
	for _, rec := range d.r.Recommendations {
		item := fmt.Sprintf("%s (%s): %s", rec.Control, rec.Severity, rec.Text)
		if rec.Treatment != "" {
			item += " [decided: " + rec.Treatment + "]"
		}
		items = append(items, item)
	}
	d.list(items, true)
}

func (d *pdfDoc) answers() {
	d.f.AddPage()
	d.heading(HeadAnswers, 0)
	d.para("Every question of the questionnaire in reading order, with the supplier's answer, its score (— when the question does not count: hidden, not applicable or not scored) and the files uploaded for it.", 0)
	cols := []column{{"ID", 0.16, "L", true}, {"Question", 0.33, "L", false}, {"Answer", 0.24, "L", false}, {"Score", 0.08, "R", false}, {"Evidence and review", 0.19, "L", false}}
	section := ""
	var rows [][]string
	flush := func() {
		if len(rows) > 0 {
			d.heading(section, 1)
			d.table(cols, rows)
			rows = nil
		}
	}
	for _, a := range d.r.Answers {
		if a.Section != section {
			flush()
			section = a.Section
		}
		sc := "—"
		if a.Score != nil {
			sc = score(*a.Score)
		}
		var notes []string
		notes = append(notes, a.Evidence...)
		if a.Review != "" {
			notes = append(notes, "review: "+a.Review)
		}
		if a.Override != nil {
			notes = append(notes, fmt.Sprintf("override %d by %s: %s", a.Override.Score, a.Override.By, a.Override.Reason))
		}
		answer := a.Answer
		if answer == "" {
			answer = "(no answer)"
		}
		rows = append(rows, []string{a.QuestionID, a.Question, answer, sc, strings.Join(notes, "; ")})
	}
	flush()
}

func (d *pdfDoc) evidence() {
	d.heading(HeadEvidence, 0)
	if len(d.r.Evidence) == 0 {
		d.para("No file was uploaded.", 0)
		return
	}
	d.para("Each file is identified by its SHA-256, computed while it was uploaded: a copy with the same digest is the same file.", 0)
	for _, e := range d.r.Evidence {
		d.ensure(3 * pdfLine)
		d.f.SetFont("Helvetica", "B", pdfBodySize)
		d.f.CellFormat(d.width, pdfLine, d.text(e.Filename), "", 1, "L", false, 0, "")
		d.f.SetFont("Helvetica", "", 8.5)
		d.f.CellFormat(d.width, pdfLine, d.text(fmt.Sprintf("question %s · %s bytes · %s · uploaded %s",
			e.QuestionID, thousands(e.Size), e.ContentType, e.UploadedAt.UTC().Format("2006-01-02 15:04 UTC"))), "", 1, "L", false, 0, "")
		d.f.SetFont("Courier", "", 8)
		d.f.CellFormat(d.width, pdfLine, "SHA-256 "+e.SHA256, "", 1, "L", false, 0, "")
		d.f.SetFont("Helvetica", "", pdfBodySize)
		d.f.Ln(2)
	}
}
