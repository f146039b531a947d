package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/charts"
	"github.com/assayhq/assay/mail"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/vendors"
	"github.com/labstack/echo/v4"
)

// maxImportBytes bounds a vendor CSV: 10,000 rows of a few hundred bytes.
const maxImportBytes = 8 << 20

// The vendor register's staff pages.
func init() {
	register(func(s *Server) {
		s.staffPage(http.MethodGet, "/app/vendors", s.vendorList, anyStaff...)
		s.staffPage(http.MethodGet, "/app/vendors.csv", s.vendorExport, anyStaff...)
		s.staffPage(http.MethodGet, "/app/vendors/new", s.vendorNew, procurement...)
		s.staffPage(http.MethodPost, "/app/vendors", s.vendorCreate, procurement...)
		s.staffPage(http.MethodGet, "/app/vendors/import", s.vendorImportForm, procurement...)
		s.staffPage(http.MethodPost, "/app/vendors/import", s.vendorImport, procurement...)
		s.allowBody("/app/vendors/import", maxImportBytes)
		s.staffPage(http.MethodGet, "/app/vendors/:id", s.vendorShow, anyStaff...)
		s.staffPage(http.MethodGet, "/app/vendors/:id/edit", s.vendorEdit, procurement...)
		s.staffPage(http.MethodPost, "/app/vendors/:id", s.vendorUpdate, procurement...)
		s.staffPage(http.MethodPost, "/app/vendors/:id/archive", s.vendorArchive, procurement...)
		s.staffPage(http.MethodPost, "/app/vendors/:id/unarchive", s.vendorUnarchive, procurement...)
		s.staffPage(http.MethodGet, "/app/vendors/:id/intake", s.vendorIntakeForm, procurement...)
		s.staffPage(http.MethodPost, "/app/vendors/:id/intake", s.vendorIntake, procurement...)
	})
}

var vendorFlash = map[string]string{
	"created":    "The vendor is in the register.",
	"saved":      "Your changes are saved.",
	"archived":   "The vendor is archived: it keeps its history and receives no new questionnaires.",
	"unarchived": "The vendor is active again.",
	"intake":     "The intake is recorded and the tier set from it.",
	"sent":       "The questionnaire is sent: the invitation is in the outbox.",
	"resent":     "A new link is sent; the previous link no longer works.",
	"revoked":    "The link is revoked: the supplier can no longer open the questionnaire.",
	"due":        "The due date is changed.",
}

// vendorSortColumns are the list's sortable columns, with the direction a
// first click sorts in: risk and score start with the worst.
var vendorSortColumns = []struct{ Key, Label, First string }{
	{"name", "Vendor", "name"}, {"tier", "Tier", "tier"}, {"risk", "Residual risk", "-risk"},
	{"score", "Score", "score"}, {"next_review", "Next review", "next_review"},
}

type sortLink struct {
	Label, URL string
	Sort       string // "ascending", "descending" or "" for aria-sort
}

type vendorListPage struct {
	Filter   vendors.Filter
	Vendors  []vendors.Vendor
	Total    int64
	Pages    int
	Base     string // the list URL with its filters, ending in & for the pager
	Query    string // the filters alone, for the export link
	Columns  []sortLink
	Risks    []string
	Tiers    []vendors.Tier
	CanEdit  bool
	TagsText string
}

func vendorFilter(q url.Values) vendors.Filter {
	f := vendors.Filter{Q: q.Get("q"), Risk: q.Get("risk"), Overdue: q.Get("overdue") != "",
		Status: vendors.Status(q.Get("status")), Tags: splitTags(q.Get("tags")), Sort: q.Get("sort")}
	f.Tier, _ = strconv.Atoi(q.Get("tier"))
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.Per = 50
	f.Normalize()
	return f
}

// filterQuery writes f back as query parameters, without page and sort.
func filterQuery(f vendors.Filter) url.Values {
	v := url.Values{}
	set := func(k, x string) {
		if x != "" {
			v.Set(k, x)
		}
	}
	set("q", f.Q)
	if f.Tier != 0 {
		v.Set("tier", strconv.Itoa(f.Tier))
	}
	set("risk", f.Risk)
	if f.Overdue {
		v.Set("overdue", "1")
	}
	if f.Status != vendors.StatusActive {
		set("status", string(f.Status))
	}
	set("tags", strings.Join(f.Tags, ", "))
	return v
}

func splitTags(s string) []string { return strings.Split(s, ",") }

func (s *Server) vendorList(c echo.Context) error {
	f := vendorFilter(c.QueryParams())
	list, total, err := s.Vendors.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	q := filterQuery(f)
	data := vendorListPage{
		Filter: f, Vendors: list, Total: total, Pages: int((total + int64(f.Per) - 1) / int64(f.Per)),
		Risks: vendors.RiskLevels(), Tiers: vendors.Tiers(), CanEdit: currentUser(c).Can(procurement...), TagsText: strings.Join(f.Tags, ", "),
		Query: q.Encode(),
	}
	withSort := url.Values{}
	for k, v := range q {
		withSort[k] = v
	}
	if f.Sort != "name" {
		withSort.Set("sort", f.Sort)
	}
	data.Base = "/app/vendors?" + withSort.Encode()
	if len(withSort) > 0 {
		data.Base += "&"
	}
	for _, col := range vendorSortColumns {
		link := sortLink{Label: col.Label}
		next := col.First
		switch f.Sort {
		case col.Key:
			link.Sort, next = "ascending", "-"+col.Key
		case "-" + col.Key:
			link.Sort, next = "descending", col.Key
		}
		cq := url.Values{}
		for k, v := range q {
			cq[k] = v
		}
		cq.Set("sort", next)
		link.URL = "/app/vendors?" + cq.Encode()
		data.Columns = append(data.Columns, link)
	}
	p := s.page(c, "Vendors", "vendors")
	p.Flash = vendorFlash[c.QueryParam("done")]
	p.Data = data
	return c.Render(http.StatusOK, "vendors/list", p)
}

func (s *Server) vendorExport(c echo.Context) error {
	f := vendorFilter(c.QueryParams())
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="vendors-`+time.Now().UTC().Format("2006-01-02")+`.csv"`)
	c.Response().WriteHeader(http.StatusOK)
	return s.Vendors.ExportCSV(c.Request().Context(), c.Response(), f)
}

// vendorFormPage is the create and edit form; after a refusal it holds what
// was typed and each problem beside its field.
type vendorFormPage struct {
	ID       string
	In       vendors.Input
	Contacts []vendors.Contact // the contacts plus empty rows to add more
	TagsText string
	Staff    []vendors.Staff
	Tiers    []vendors.Tier
	Errors   map[string]string
}

// fieldErrors maps each field path of a validation error to its message.
func fieldErrors(err error) map[string]string {
	out := map[string]string{}
	for _, f := range apperr.Fields(err) {
		if _, dup := out[f.Path]; !dup {
			out[f.Path] = f.Message
		}
	}
	return out
}

func vendorInputFromForm(form url.Values) vendors.Input {
	in := vendors.Input{
		Name: form.Get("name"), Website: form.Get("website"), Services: form.Get("services"),
		OwnerID: form.Get("owner_id"), Tags: splitTags(form.Get("tags")),
	}
	in.Tier, _ = strconv.Atoi(form.Get("tier"))
	names, emails := form["contact_name"], form["contact_email"]
	for i := range max(len(names), len(emails)) {
		var c vendors.Contact
		if i < len(names) {
			c.Name = names[i]
		}
		if i < len(emails) {
			c.Email = emails[i]
		}
		in.Contacts = append(in.Contacts, c)
	}
	return in
}

func (s *Server) renderVendorForm(c echo.Context, status int, id string, in vendors.Input, errs map[string]string) error {
	staff, err := s.Vendors.Staff(c.Request().Context())
	if err != nil {
		return err
	}
	contacts := append([]vendors.Contact{}, in.Contacts...)
	for range max(2, 3-len(contacts)) {
		contacts = append(contacts, vendors.Contact{})
	}
	title := "New vendor"
	if id != "" {
		title = "Edit " + in.Name
	}
	p := s.page(c, title, "vendors")
	if len(errs) > 0 {
		p.Error = "Please correct the fields marked below; nothing was saved."
	}
	p.Data = vendorFormPage{ID: id, In: in, Contacts: contacts, TagsText: strings.Join(in.Tags, ", "), Staff: staff, Tiers: vendors.Tiers(), Errors: errs}
	return c.Render(status, "vendors/form", p)
}

func (s *Server) vendorNew(c echo.Context) error {
	in := vendors.Input{Tier: 3}
	if u := currentUser(c); u != nil {
		in.OwnerID = u.ID
	}
	return s.renderVendorForm(c, http.StatusOK, "", in, nil)
}

func (s *Server) vendorCreate(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return apperr.Wrapf(apperr.ErrBadRequest, "the form could not be read")
	}
	in := vendorInputFromForm(form)
	in.Normalize()
	v, err := s.Vendors.Create(c.Request().Context(), actor(c), in)
	if apperr.Fields(err) != nil {
		return s.renderVendorForm(c, http.StatusUnprocessableEntity, "", in, fieldErrors(err))
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/app/vendors/"+v.ID+"?done=created")
}

func (s *Server) vendorEdit(c echo.Context) error {
	v, err := s.Vendors.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	in := vendors.Input{Name: v.Name, Website: v.Website, Services: v.Services, OwnerID: v.OwnerID,
		Contacts: v.Contacts, Tags: v.Tags, Tier: v.Tier}
	return s.renderVendorForm(c, http.StatusOK, v.ID, in, nil)
}

func (s *Server) vendorUpdate(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return apperr.Wrapf(apperr.ErrBadRequest, "the form could not be read")
	}
	in := vendorInputFromForm(form)
	in.Normalize()
	v, err := s.Vendors.Update(c.Request().Context(), actor(c), c.Param("id"), in)
	if apperr.Fields(err) != nil {
		return s.renderVendorForm(c, http.StatusUnprocessableEntity, c.Param("id"), in, fieldErrors(err))
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/app/vendors/"+v.ID+"?done=saved")
}

func (s *Server) vendorArchive(c echo.Context) error {
	if err := s.Vendors.Archive(c.Request().Context(), actor(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/app/vendors/"+c.Param("id")+"?done=archived")
}

func (s *Server) vendorUnarchive(c echo.Context) error {
	if err := s.Vendors.Unarchive(c.Request().Context(), actor(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/app/vendors/"+c.Param("id")+"?done=unarchived")
}

// vendorShowPage is the vendor's page: profile, risk, assessments and the
// mails sent about them.
type vendorShowPage struct {
	V           *vendors.Vendor
	TierLabel   string
	Assessments []assessmentRow
	More        int64 // assessments beyond those listed
	Mail        []mail.Message
	Relay       bool
	Trend       any // template.HTML of the score history chart
	CanEdit     bool
	Today       string
}

// assessmentRow is one assessment of the vendor with what may be done to it.
type assessmentRow struct {
	A       assessments.Assessment
	Open    bool // the link still works: resend, revoke, due date apply
	Overdue bool
}

// maxVendorAssessments is how many of a vendor's assessments its page lists.
const maxVendorAssessments = 50

func (s *Server) vendorShow(c echo.Context) error {
	return s.renderVendorShow(c, http.StatusOK, c.Param("id"), vendorFlash[c.QueryParam("done")], "")
}

// renderVendorShow renders the vendor's page, with a confirmation or, after
// a refused action on one of its assessments, the reason.
func (s *Server) renderVendorShow(c echo.Context, status int, id, flash, problem string) error {
	ctx := c.Request().Context()
	v, err := s.Vendors.Get(ctx, id)
	if err != nil {
		return err
	}
	list, total, err := s.Assessments.List(ctx, assessments.Filter{VendorID: v.ID, Per: maxVendorAssessments})
	if err != nil {
		return err
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	rows := make([]assessmentRow, len(list))
	refs := make([]string, len(list))
	for i, a := range list {
		rows[i] = assessmentRow{A: a, Open: a.Status.Open(), Overdue: a.Status.Open() && a.DueDate.Before(today)}
		refs[i] = a.ID
	}
	var sent []mail.Message
	if len(refs) > 0 {
		// One query for the mails of every assessment listed.
		sent, _, err = s.Outbox.List(ctx, mail.Filter{Refs: refs, Per: 100})
		if err != nil {
			return err
		}
	}
	points := make([]charts.Point, len(v.ScoreHistory))
	for i, p := range v.ScoreHistory {
		points[i] = charts.Point{Label: p.At.UTC().Format(time.DateOnly), Value: p.Overall, Note: p.Grade}
	}
	p := s.page(c, v.Name, "vendors")
	p.Flash, p.Error = flash, problem
	p.Data = vendorShowPage{
		V: v, TierLabel: vendors.TierLabel(v.Tier), Assessments: rows, More: total - int64(len(rows)),
		Mail: sent, Relay: s.Outbox.Relay(), Trend: charts.Trend(points, 560, 180),
		CanEdit: currentUser(c).Can(procurement...), Today: today.Format(time.DateOnly),
	}
	return c.Render(status, "vendors/show", p)
}

// vendorImportPage is the import form and, after an import, its report.
type vendorImportPage struct {
	Columns []string
	Report  *vendors.ImportReport
	Errors  map[string]string
}

func (s *Server) vendorImportForm(c echo.Context) error {
	p := s.page(c, "Import vendors", "vendors")
	p.Data = vendorImportPage{Columns: vendors.ImportColumns}
	return c.Render(http.StatusOK, "vendors/import", p)
}

func (s *Server) vendorImport(c echo.Context) error {
	p := s.page(c, "Import vendors", "vendors")
	data := vendorImportPage{Columns: vendors.ImportColumns}
	fh, err := c.FormFile("file")
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return err
		}
		data.Errors = map[string]string{"file": "Choose a CSV file to import."}
		p.Data = data
		return c.Render(http.StatusUnprocessableEntity, "vendors/import", p)
	}
	f, err := fh.Open()
	if err != nil {
		return fmt.Errorf("opening the upload: %w", err)
	}
	defer f.Close()
	rep, err := s.Vendors.ImportCSV(c.Request().Context(), actor(c), f)
	if apperr.Fields(err) != nil {
		data.Errors = fieldErrors(err)
		p.Data = data
		return c.Render(http.StatusUnprocessableEntity, "vendors/import", p)
	}
	if err != nil {
		return err
	}
	data.Report = rep
	p.Data = data
	return c.Render(http.StatusOK, "vendors/import", p)
}

// intakePage is the vendor-intake questionnaire as a form.
type intakePage struct {
	V        *vendors.Vendor
	Template *questionnaires.Template
	Values   map[string][]string // question id → the values to show selected or typed
	Errors   map[string]string   // question id → problem
}

func (s *Server) renderIntake(c echo.Context, status int, v *vendors.Vendor, values map[string][]string, errs map[string]string) error {
	t, err := s.Vendors.IntakeTemplate(c.Request().Context())
	if err != nil {
		return err
	}
	p := s.page(c, "Intake: "+v.Name, "vendors")
	if len(errs) > 0 {
		p.Error = "Some answers are missing or invalid; nothing was saved."
	}
	p.Data = intakePage{V: v, Template: t, Values: values, Errors: errs}
	return c.Render(status, "vendors/intake", p)
}

func (s *Server) vendorIntakeForm(c echo.Context) error {
	v, err := s.Vendors.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	values := map[string][]string{}
	for qid, a := range v.IntakeAnswers {
		switch {
		case a.List != nil:
			values[qid] = a.List
		case a.Number != nil:
			values[qid] = []string{strconv.FormatFloat(*a.Number, 'f', -1, 64)}
		default:
			values[qid] = []string{a.Text}
		}
	}
	return s.renderIntake(c, http.StatusOK, v, values, nil)
}

func (s *Server) vendorIntake(c echo.Context) error {
	ctx := c.Request().Context()
	form, err := c.FormParams()
	if err != nil {
		return apperr.Wrapf(apperr.ErrBadRequest, "the form could not be read")
	}
	_, err = s.Vendors.Intake(ctx, actor(c), c.Param("id"), form)
	if _, invalid := errors.AsType[*apperr.Validation](err); invalid {
		v, gerr := s.Vendors.Get(ctx, c.Param("id"))
		if gerr != nil {
			return gerr
		}
		values := map[string][]string{}
		for k, vals := range form {
			if qid, ok := strings.CutPrefix(k, "q."); ok {
				values[qid] = vals
			}
		}
		errs := map[string]string{}
		for path, msg := range fieldErrors(err) {
			errs[strings.TrimPrefix(path, "q.")] = msg
		}
		if len(errs) == 0 {
			errs[""] = err.Error() // a rule about the whole form, shown above it
		}
		return s.renderIntake(c, http.StatusUnprocessableEntity, v, values, errs)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/app/vendors/"+c.Param("id")+"?done=intake")
}
