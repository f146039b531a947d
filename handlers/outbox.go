package handlers

import (
	"html"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/mail"
	"github.com/labstack/echo/v4"
)

// The outbox page: every mail Assay queued, how its delivery went, and a
// retry for those that failed.
func init() {
	register(func(s *Server) {
		s.staffPage(http.MethodGet, "/app/outbox", s.outboxList, outboxReaders...)
		s.staffPage(http.MethodGet, "/app/outbox/:id", s.outboxShow, outboxReaders...)
		s.staffPage(http.MethodGet, "/app/outbox/:id/html", s.outboxHTML, outboxReaders...)
		s.staffPage(http.MethodPost, "/app/outbox/:id/retry", s.outboxRetry, procurement...)
	})
}

// outboxReaders may read mails: they hold supplier links, so viewers don't.
var outboxReaders = []auth.Role{auth.RoleProcurement, auth.RoleReviewer}

// mailFrameCSP lets a stored HTML mail render with its inline styles and
// nothing else: no script, no fetch, no form, in a sandbox, framed only by
// Assay's own message page.
const mailFrameCSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; " +
	"sandbox allow-popups allow-popups-to-escape-sandbox; frame-ancestors 'self'"

var outboxStatuses = []mail.Status{mail.StatusQueued, mail.StatusSent, mail.StatusFailed, mail.StatusCaptured}

var outboxFlash = map[string]string{"retried": "The mail is queued again and will be sent within a minute."}

type outboxListPage struct {
	Messages []mail.Message
	Status   string
	To       string
	Statuses []mail.Status
	Page     int
	Pages    int
	Total    int64
	Base     string
	Relay    bool
	CanRetry bool
}

func (s *Server) outboxList(c echo.Context) error {
	q := c.QueryParams()
	f := mail.Filter{Status: mail.Status(q.Get("status")), To: strings.ToLower(strings.TrimSpace(q.Get("to"))), Per: 50}
	known := false
	for _, st := range outboxStatuses {
		known = known || st == f.Status
	}
	if !known {
		f.Status = ""
	}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.Page = max(f.Page, 1)
	list, total, err := s.Outbox.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	base := "/app/outbox?"
	if f.Status != "" {
		base += "status=" + string(f.Status) + "&"
	}
	if f.To != "" {
		base += "to=" + url.QueryEscape(f.To) + "&"
	}
	p := s.page(c, "Outbox", "outbox")
	p.Flash = outboxFlash[q.Get("done")]
	p.Data = outboxListPage{
		Messages: list, Status: string(f.Status), To: f.To, Statuses: outboxStatuses, Page: f.Page,
		Pages: int((total + 49) / 50), Total: total, Base: base, Relay: s.Outbox.Relay(), CanRetry: currentUser(c).Can(procurement...),
	}
	return c.Render(http.StatusOK, "outbox/list", p)
}

type outboxShowPage struct {
	M        *mail.Message
	Text     template.HTML
	Relay    bool
	CanRetry bool
}

func (s *Server) outboxShow(c echo.Context) error {
	m, err := s.Outbox.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	p := s.page(c, m.Subject, "outbox")
	p.Flash = outboxFlash[c.QueryParam("done")]
	p.Data = outboxShowPage{M: m, Text: linkify(m.Text), Relay: s.Outbox.Relay(), CanRetry: currentUser(c).Can(procurement...)}
	return c.Render(http.StatusOK, "outbox/show", p)
}

// outboxHTML serves a mail's HTML body for the sandboxed frame of its
// page. The body is Assay's own template output, but it holds supplier
// data, so it gets a policy of its own rather than the application's.
func (s *Server) outboxHTML(c echo.Context) error {
	m, err := s.Outbox.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", mailFrameCSP)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	// Links open in a new tab: inside the frame they would be blocked.
	return c.HTMLBlob(http.StatusOK, []byte(`<base target="_blank">`+m.HTML))
}

func (s *Server) outboxRetry(c echo.Context) error {
	id := c.Param("id")
	if err := s.Outbox.Retry(c.Request().Context(), id); err != nil {
		return err
	}
	s.recordRetry(c, id)
	return c.Redirect(http.StatusSeeOther, "/app/outbox/"+id+"?done=retried")
}

// recordRetry notes the retry in the audit trail; the mail is queued
// already, so a failed audit write is logged rather than shown.
func (s *Server) recordRetry(c echo.Context, id string) {
	e := audit.Entry{Actor: actor(c), Action: "mail.retry", ObjectType: "mail", ObjectID: id,
		Before: map[string]any{"status": mail.StatusFailed}, After: map[string]any{"status": mail.StatusQueued}}
	if err := s.Audit.Record(c.Request().Context(), e); err != nil {
		s.Log.Error("audit", "action", "mail.retry", "id", id, "err", err)
	}
}

var linkPattern = regexp.MustCompile(`https?://[^\s<>"']+`)

// linkify escapes text and makes its http(s) links clickable; a trailing
// full stop or bracket is left out of the link.
func linkify(text string) template.HTML {
	var b strings.Builder
	last := 0
	for _, loc := range linkPattern.FindAllStringIndex(text, -1) {
		start, end := loc[0], loc[1]
		for end > start && strings.ContainsRune(".,;:!?)]", rune(text[end-1])) {
			end--
		}
		b.WriteString(html.EscapeString(text[last:start]))
		u := html.EscapeString(text[start:end])
		b.WriteString(`<a href="` + u + `" rel="noopener noreferrer" target="_blank">` + u + `</a>`)
		last = end
	}
	b.WriteString(html.EscapeString(text[last:]))
	return template.HTML(b.String())
}
