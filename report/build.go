package report

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/scoring"
	"github.com/assayhq/assay/vendors"
)

// Input is what a report is made of.
type Input struct {
	Company    string
	Now        time.Time
	Assessment *assessments.Assessment // with its template snapshot and answers
	Score      *scoring.Score          // the recorded score once completed, else the live one
	Evidence   []assessments.Evidence
	// Vendor is the register's entry; nil when it cannot be read, and the
	// report then names the vendor as the assessment recorded it.
	Vendor *vendors.Vendor
}

// Severities lists the finding severities, most severe first.
var Severities = []scoring.Level{scoring.LevelCritical, scoring.LevelHigh, scoring.LevelMedium, scoring.LevelLow}

// Build makes the report.
func Build(in Input) *Report {
	a, sc := in.Assessment, in.Score
	r := &Report{
		Company: in.Company, GeneratedAt: in.Now.UTC(), Final: a.Status == assessments.StatusCompleted && a.FinalScore != nil,
		Assessment: Assessment{
			ID: a.ID, Status: string(a.Status), TemplateKey: a.TemplateKey, TemplateVersion: a.TemplateVersion,
			SentAt: a.CreatedAt, DueDate: a.DueDate, SubmittedAt: a.SubmittedAt, CompletedAt: a.CompletedAt,
		},
		Vendor: vendorOf(a, in.Vendor),
		People: peopleOf(a),
		Summary: Summary{
			Overall: sc.Overall, Grade: sc.Grade, Residual: sc.Risk.Residual, Inherent: sc.Risk.Inherent,
			Likelihood: sc.Risk.Likelihood, Impact: sc.Risk.Impact, Coverage: sc.Coverage, EvidenceCoverage: sc.EvidenceCoverage,
			Themes: sc.Themes, SupplierControls: sc.SupplierControls, Domains2013: sc.Domains2013, MethodVersion: sc.MethodVersion,
		},
		Controls: []Control{}, Findings: []Finding{}, Recommendations: []Recommendation{}, Answers: []Answer{}, Evidence: []Evidence{},
	}
	if a.Template != nil {
		r.Assessment.TemplateTitle = a.Template.Title
		r.Assessment.Questions = a.Template.QuestionCount()
	}
	if a.Decision != nil {
		r.Summary.Decision = &Decision{Treatment: string(a.Decision.Treatment), Note: a.Decision.Note, By: a.Decision.By, At: a.Decision.At}
	}
	for _, o := range sc.Overrides {
		if o.Applied {
			r.Summary.Overrides++
		}
	}
	for _, c := range sc.Controls {
		r.Controls = append(r.Controls, Control{ID: c.ID, Title: c.Title, Theme: c.Theme, Score: c.Score})
	}
	r.Findings = findingsOf(a, sc)
	groups := map[scoring.Level][]string{}
	for _, f := range r.Findings {
		groups[f.Severity] = append(groups[f.Severity], f.Control)
		r.Recommendations = append(r.Recommendations, Recommendation{Control: f.Control, Severity: f.Severity, Text: f.Recommendation, Treatment: f.Treatment})
	}
	for _, s := range Severities {
		r.NonConformities = append(r.NonConformities, SeverityGroup{Severity: s, Controls: nonNil(groups[s])})
	}
	r.Evidence, r.Answers = evidenceOf(in.Evidence), answersOf(a, sc, in.Evidence)
	return r
}

func vendorOf(a *assessments.Assessment, v *vendors.Vendor) Vendor {
	out := Vendor{ID: a.VendorID, Name: a.VendorName, Tier: a.VendorTier, Contacts: []Contact{}}
	if v != nil {
		out.Name, out.Website, out.Services, out.Tier = v.Name, v.Website, v.Services, v.Tier
		out.OwnerName, out.OwnerEmail = v.OwnerName, v.OwnerEmail
		for _, c := range v.Contacts {
			out.Contacts = append(out.Contacts, Contact{Name: c.Name, Email: c.Email})
		}
	}
	out.TierLabel = vendors.TierLabel(out.Tier)
	return out
}

// peopleOf lists the staff who reviewed, asked, owned findings or decided,
// each once, in order of first appearance.
func peopleOf(a *assessments.Assessment) People {
	p := People{Respondent: Contact{Name: a.ContactName, Email: a.ContactEmail}, Reviewers: []string{}}
	add := func(who string) {
		if who = strings.TrimSpace(who); who != "" && !slices.Contains(p.Reviewers, who) {
			p.Reviewers = append(p.Reviewers, who)
		}
	}
	var ids []string
	for id := range a.Reviews {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(x, y string) int { return a.Reviews[x].At.Compare(a.Reviews[y].At) })
	for _, id := range ids {
		add(a.Reviews[id].By)
	}
	for _, c := range a.Clarifications {
		add(c.By)
	}
	for _, f := range a.Findings {
		add(f.Owner)
	}
	if a.Decision != nil {
		p.DecidedBy = a.Decision.By
		add(a.Decision.By)
	}
	return p
}

func findingsOf(a *assessments.Assessment, sc *scoring.Score) []Finding {
	decided := map[string]assessments.FindingDecision{}
	for _, d := range a.Findings {
		decided[d.Control] = d
	}
	out := []Finding{}
	for _, f := range sc.Findings {
		x := Finding{Control: f.Control, Title: f.Title, Severity: f.Severity, Score: f.Score, Priority: f.Priority, Key: f.Key,
			Recommendation: f.Recommendation, Questions: []QuestionRef{}, Status: assessments.FindingOpen}
		for _, qid := range f.Questions {
			ref := QuestionRef{ID: qid}
			if a.Template != nil {
				if q, ok := a.Template.Question(qid); ok {
					ref.Text = q.Text
				}
			}
			x.Questions = append(x.Questions, ref)
		}
		if d, ok := decided[f.Control]; ok {
			x.Treatment, x.Status, x.Owner, x.DueDate, x.Note = string(d.Treatment), d.Status, d.Owner, d.DueDate, d.Note
		}
		out = append(out, x)
	}
	return out
}

func evidenceOf(ev []assessments.Evidence) []Evidence {
	out := make([]Evidence, 0, len(ev))
	for _, e := range ev {
		out = append(out, Evidence{ID: e.ID, QuestionID: e.QuestionID, Filename: e.Filename, Size: e.Size,
			SHA256: e.SHA256, ContentType: e.ContentType, UploadedAt: e.UploadedAt})
	}
	return out
}

// answersOf lists every question of the template in reading order.
func answersOf(a *assessments.Assessment, sc *scoring.Score, ev []assessments.Evidence) []Answer {
	out := []Answer{}
	if a.Template == nil {
		return out
	}
	scores := make(map[string]scoring.QuestionScore, len(sc.Questions))
	for _, q := range sc.Questions {
		scores[q.ID] = q
	}
	files := map[string][]string{}
	for _, e := range ev {
		files[e.QuestionID] = append(files[e.QuestionID], e.Filename)
	}
	for _, s := range a.Template.Sections {
		for _, q := range s.Questions {
			line := Answer{Section: s.Title, QuestionID: q.ID, Question: q.Text, Type: string(q.Type),
				Controls: nonNil(q.Controls), Evidence: nonNil(files[q.ID])}
			if ans, ok := a.Answers[q.ID]; ok {
				line.Answer = AnswerText(q, ans.Value())
			}
			if qs, ok := scores[q.ID]; ok {
				line.Score, line.Reason = qs.Score, qs.Reason
			}
			if rv, ok := a.Reviews[q.ID]; ok {
				line.Review = rv.Status
				if rv.Override != nil {
					line.Override = &Override{Score: rv.Override.Score, Reason: rv.Override.Reason, By: rv.Override.By}
				}
			}
			out = append(out, line)
		}
	}
	return out
}

// AnswerText writes an answer as the supplier chose it: option labels
// rather than stored values.
func AnswerText(q questionnaires.Question, v any) string {
	label := func(val string) string {
		for _, o := range q.EffectiveOptions() {
			if o.Value == val {
				return o.Label
			}
		}
		return val
	}
	switch x := v.(type) {
	case string:
		if len(q.EffectiveOptions()) > 0 {
			return label(x)
		}
		return x
	case []string:
		parts := make([]string, len(x))
		for i, val := range x {
			parts[i] = label(val)
		}
		return strings.Join(parts, "; ")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

// nonNil keeps empty lists as [] in JSON.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
