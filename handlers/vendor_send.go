package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/library"
	"github.com/assayhq/assay/vendors"
	"github.com/labstack/echo/v4"
)

// Sending questionnaires from the staff pages: to one vendor, to many, and
// the actions on a sent link.
func init() {
	register(func(s *Server) {
		s.staffPage(http.MethodGet, "/app/vendors/:id/send", s.sendForm, procurement...)
		s.staffPage(http.MethodPost, "/app/vendors/:id/send", s.sendOne, procurement...)
		s.staffPage(http.MethodGet, "/app/send", s.bulkForm, procurement...)
		s.staffPage(http.MethodPost, "/app/send", s.bulkSend, procurement...)
		s.staffPage(http.MethodPost, "/app/assessments/:id/resend", s.assessmentResend, procurement...)
		s.staffPage(http.MethodPost, "/app/assessments/:id/revoke", s.assessmentRevoke, procurement...)
		s.staffPage(http.MethodPost, "/app/assessments/:id/due", s.assessmentDue, procurement...)
	})
}

// defaultDueDays is how far ahead the send forms put the due date.
const defaultDueDays = 21

// newContact is the contact picker's value for "someone not listed yet".
const newContact = "new"

// sendForm is what the send form posts.
type sendForm struct {
	TemplateKey string
	Contact     string // a listed contact's email, or newContact
	NewName     string
	NewEmail    string
	DueDate     string
	Message     string
}

type sendPage struct {
	V         *vendors.Vendor
	Templates []library.Summary
	Form      sendForm
	Errors    map[string]string
}

// sendableTemplates are the questionnaires offered to send: all but the
// intake, which procurement answers itself.
func (s *Server) sendableTemplates(c echo.Context) ([]library.Summary, error) {
	all, err := s.Library.List(c.Request().Context())
	if err != nil {
		return nil, err
	}
	out := make([]library.Summary, 0, len(all))
	for _, t := range all {
		if t.Key != vendors.IntakeTemplateKey {
			out = append(out, t)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Title < out[j].Title })
	return out, nil
}

func defaultDue() string { return time.Now().UTC().AddDate(0, 0, defaultDueDays).Format(time.DateOnly) }

func (s *Server) renderSend(c echo.Context, status int, v *vendors.Vendor, f sendForm, errs map[string]string) error {
	templates, err := s.sendableTemplates(c)
	if err != nil {
		return err
	}
	p := s.page(c, "Send a questionnaire to "+v.Name, "vendors")
	if len(errs) > 0 {
		p.Error = "The questionnaire was not sent: please correct the fields marked below."
	}
	p.Data = sendPage{V: v, Templates: templates, Form: f, Errors: errs}
	return c.Render(status, "send", p)
}

func (s *Server) sendForm(c echo.Context) error {
	v, err := s.Vendors.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	f := sendForm{DueDate: defaultDue(), Contact: newContact}
	if len(v.Contacts) > 0 {
		f.Contact = v.Contacts[0].Email
	}
	if t, err := s.sendableTemplates(c); err == nil && len(t) > 0 {
		f.TemplateKey = t[0].Key
	}
	return s.renderSend(c, http.StatusOK, v, f, nil)
}

// parseDate reads an <input type=date> value; a bad one becomes the zero
// time, which the service reports as a missing date.
func parseDate(s string) time.Time {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}
	}
	return t
}

func (s *Server) sendOne(c echo.Context) error {
	ctx := c.Request().Context()
	v, err := s.Vendors.Get(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return apperr.Wrapf(apperr.ErrBadRequest, "the form could not be read")
	}
	f := sendForm{
		TemplateKey: form.Get("template_key"), Contact: form.Get("contact"), NewName: form.Get("new_name"),
		NewEmail: form.Get("new_email"), DueDate: form.Get("due_date"), Message: form.Get("message"),
	}
	req, contactProblem := sendRequest(v, f)
	_, err = s.Assessments.Send(ctx, actor(c), req)
	if _, invalid := errors.AsType[*apperr.Validation](err); invalid {
		errs := fieldErrors(err)
		if msg, ok := errs["contact_email"]; ok {
			if contactProblem != "" {
				msg = contactProblem
			}
			// A listed contact is a choice, a new one a typed address:
			// the problem goes beside whichever was used.
			if f.Contact == newContact {
				errs["new_email"] = msg
			} else {
				errs["contact"] = msg
			}
		}
		return s.renderSend(c, http.StatusUnprocessableEntity, v, f, errs)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/app/vendors/"+v.ID+"?done=sent")
}

// unusableAddress is never a valid email: it makes the service refuse the
// contact (and still check every other field) instead of falling back to the
// vendor's first contact, which it does for an empty address.
const unusableAddress = "-"

// sendRequest turns the form into the service's request. A contact picked
// from the list must be one of the vendor's; a new one is taken as typed.
// The problem, when there is one, replaces the service's message.
func sendRequest(v *vendors.Vendor, f sendForm) (assessments.SendRequest, string) {
	req := assessments.SendRequest{VendorID: v.ID, TemplateKey: f.TemplateKey, Message: f.Message, DueDate: parseDate(f.DueDate)}
	if f.Contact == newContact {
		req.ContactName, req.ContactEmail = strings.TrimSpace(f.NewName), strings.TrimSpace(f.NewEmail)
		if req.ContactEmail == "" {
			req.ContactEmail = unusableAddress
			return req, "Enter the email address of the person who will answer."
		}
		return req, ""
	}
	for _, ct := range v.Contacts {
		if strings.EqualFold(ct.Email, f.Contact) {
			req.ContactName, req.ContactEmail = ct.Name, ct.Email
			return req, ""
		}
	}
	req.ContactEmail = unusableAddress
	return req, "Choose one of the vendor's contacts, or add a new one."
}

type bulkPage struct {
	Filter    vendors.Filter
	Tiers     []vendors.Tier
	TagsText  string
	Vendors   []vendors.Vendor
	Total     int64
	Templates []library.Summary
	Form      sendForm
	Selected  map[string]bool
	Errors    map[string]string
	Result    *bulkResult
}

type bulkResult struct {
	Sent   []bulkLine
	Failed []bulkLine
}

type bulkLine struct {
	VendorID, Vendor, Detail string
}

// maxBulk is how many vendors one bulk send may pick.
const maxBulk = 200

func (s *Server) renderBulk(c echo.Context, status int, q url.Values, f sendForm, selected map[string]bool, errs map[string]string, res *bulkResult) error {
	filter := vendorFilter(q)
	filter.Status, filter.Per, filter.Page = vendors.StatusActive, maxBulk, 1
	list, total, err := s.Vendors.List(c.Request().Context(), filter)
	if err != nil {
		return err
	}
	templates, err := s.sendableTemplates(c)
	if err != nil {
		return err
	}
	p := s.page(c, "Send a questionnaire to several vendors", "vendors")
	if len(errs) > 0 {
		p.Error = "Nothing was sent: please correct the fields marked below."
	}
	p.Data = bulkPage{Filter: filter, Tiers: vendors.Tiers(), TagsText: strings.Join(filter.Tags, ", "), Vendors: list, Total: total,
		Templates: templates, Form: f, Selected: selected, Errors: errs, Result: res}
	return c.Render(status, "send_bulk", p)
}

func (s *Server) bulkForm(c echo.Context) error {
	f := sendForm{DueDate: defaultDue()}
	return s.renderBulk(c, http.StatusOK, c.QueryParams(), f, map[string]bool{}, nil, nil)
}

func (s *Server) bulkSend(c echo.Context) error {
	ctx := c.Request().Context()
	form, err := c.FormParams()
	if err != nil {
		return apperr.Wrapf(apperr.ErrBadRequest, "the form could not be read")
	}
	f := sendForm{TemplateKey: form.Get("template_key"), DueDate: form.Get("due_date"), Message: form.Get("message")}
	ids := form["vendor"]
	selected := map[string]bool{}
	for _, id := range ids {
		selected[id] = true
	}
	switch {
	case len(ids) == 0:
		return s.renderBulk(c, http.StatusUnprocessableEntity, form, f, selected, map[string]string{"vendor": "Tick at least one vendor."}, nil)
	case len(ids) > maxBulk:
		return s.renderBulk(c, http.StatusUnprocessableEntity, form, f, selected,
			map[string]string{"vendor": "Pick at most 200 vendors at once."}, nil)
	}
	sent, errs := s.Assessments.SendBulk(ctx, actor(c), ids, f.TemplateKey, parseDate(f.DueDate), f.Message)
	// A problem with the shared fields fails every vendor alike: show it
	// beside the field rather than once per vendor.
	if len(sent) == 0 {
		if shared := sharedFieldErrors(errs); len(shared) > 0 {
			return s.renderBulk(c, http.StatusUnprocessableEntity, form, f, selected, shared, nil)
		}
	}
	res := &bulkResult{}
	for _, a := range sent {
		res.Sent = append(res.Sent, bulkLine{VendorID: a.VendorID, Vendor: a.VendorName, Detail: a.ContactEmail})
	}
	for _, id := range ids {
		err, failed := errs[id]
		if !failed {
			continue
		}
		line := bulkLine{VendorID: id, Vendor: id, Detail: failureText(err)}
		if v, gerr := s.Vendors.Get(ctx, id); gerr == nil {
			line.Vendor = v.Name
		}
		res.Failed = append(res.Failed, line)
		delete(errs, id)
	}
	status := http.StatusOK
	if len(res.Failed) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.renderBulk(c, status, form, sendForm{DueDate: f.DueDate, TemplateKey: f.TemplateKey}, map[string]bool{}, nil, res)
}

// sharedFieldErrors returns the template, due date and message problems
// when every failure reports the same ones.
func sharedFieldErrors(errs map[string]error) map[string]string {
	var shared map[string]string
	for _, err := range errs {
		fe := fieldErrors(err)
		mine := map[string]string{}
		for _, k := range []string{"template_key", "due_date", "message"} {
			if m, ok := fe[k]; ok {
				mine[k] = m
			}
		}
		if len(mine) == 0 {
			return nil
		}
		if shared == nil {
			shared = mine
		}
	}
	return shared
}

// failureText is one line saying why a vendor was not sent the
// questionnaire.
func failureText(err error) string {
	fields := apperr.Fields(err)
	if len(fields) == 0 {
		if _, known := errors.AsType[*apperr.Validation](err); known {
			return err.Error()
		}
		status, _, msg := Status(err)
		if status >= 500 {
			return "not sent because of an error on our side; it has been logged"
		}
		return msg
	}
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f.Message
	}
	return strings.Join(parts, " ")
}

// assessmentAction runs one action on an assessment and returns to its
// vendor's page, where a refusal is shown above the list.
func (s *Server) assessmentAction(c echo.Context, done string, act func(id string) error) error {
	ctx := c.Request().Context()
	a, err := s.Assessments.Get(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if err := act(a.ID); err != nil {
		status, _, msg := Status(err)
		if status >= 500 {
			return err
		}
		if fe := apperr.Fields(err); len(fe) > 0 {
			msg = fe[0].Message
		}
		return s.renderVendorShow(c, status, a.VendorID, "", msg)
	}
	return c.Redirect(http.StatusSeeOther, "/app/vendors/"+a.VendorID+"?done="+done)
}

func (s *Server) assessmentResend(c echo.Context) error {
	return s.assessmentAction(c, "resent", func(id string) error {
		return s.Assessments.Resend(c.Request().Context(), actor(c), id)
	})
}

func (s *Server) assessmentRevoke(c echo.Context) error {
	return s.assessmentAction(c, "revoked", func(id string) error {
		return s.Assessments.Revoke(c.Request().Context(), actor(c), id)
	})
}

func (s *Server) assessmentDue(c echo.Context) error {
	due := parseDate(c.FormValue("due_date"))
	return s.assessmentAction(c, "due", func(id string) error {
		if due.IsZero() {
			return apperr.Field("due_date", "Give the new due date.")
		}
		return s.Assessments.SetDueDate(c.Request().Context(), actor(c), id, due)
	})
}
