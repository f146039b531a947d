package handlers

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/audit"
	"github.com/labstack/echo/v4"
)

func init() {
	register(func(s *Server) {
		s.staffPage(http.MethodGet, "/app/audit", s.auditLog, reviewers...)
		s.staffPage(http.MethodGet, "/app/audit.csv", s.auditCSV, reviewers...)
	})
}

type auditPage struct {
	Rows   []auditRow
	Query  auditQuery
	Pager  map[string]any
	CSV    string
	Fields map[string]string
}

// auditRow is an entry with its before/after summarized for reading.
type auditRow struct {
	audit.Entry
	Changes []string
}

func auditRows(entries []audit.Entry) []auditRow {
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		rows[i] = auditRow{Entry: e, Changes: changes(e.Before, e.After)}
	}
	return rows
}

// changes lists "field: before → after" for every field of either map,
// in a stable order.
func changes(before, after map[string]any) []string {
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	out := make([]string, 0, len(keys))
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		b, hasB := before[k]
		a, hasA := after[k]
		switch {
		case hasB && hasA:
			out = append(out, fmt.Sprintf("%s: %v → %v", k, b, a))
		case hasA:
			out = append(out, fmt.Sprintf("%s: %v", k, a))
		default:
			out = append(out, fmt.Sprintf("%s: %v (removed)", k, b))
		}
	}
	return out
}

// auditQuery is the filter form as typed, so the page shows it back.
type auditQuery struct {
	Action, Actor, ObjectType, ObjectID, From, To string
}

func (q auditQuery) values() url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"action": q.Action, "actor": q.Actor, "object_type": q.ObjectType,
		"object_id": q.ObjectID, "from": q.From, "to": q.To} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v
}

const auditPerPage = 50

// auditFilter reads the filter form; dates are whole UTC days, "to"
// included.
func auditFilter(c echo.Context) (auditQuery, audit.Filter, error) {
	q := auditQuery{
		Action: strings.TrimSpace(c.QueryParam("action")), Actor: strings.ToLower(strings.TrimSpace(c.QueryParam("actor"))),
		ObjectType: strings.TrimSpace(c.QueryParam("object_type")), ObjectID: strings.TrimSpace(c.QueryParam("object_id")),
		From: strings.TrimSpace(c.QueryParam("from")), To: strings.TrimSpace(c.QueryParam("to")),
	}
	f := audit.Filter{Action: q.Action, ActorEmail: q.Actor, ObjectType: q.ObjectType, ObjectID: q.ObjectID}
	var fields []apperr.FieldError
	if q.From != "" {
		d, err := time.Parse(time.DateOnly, q.From)
		if err != nil {
			fields = append(fields, apperr.FieldError{Path: "from", Message: "use a date such as 2025-01-31"})
		}
		f.From = d
	}
	if q.To != "" {
		d, err := time.Parse(time.DateOnly, q.To)
		if err != nil {
			fields = append(fields, apperr.FieldError{Path: "to", Message: "use a date such as 2025-01-31"})
		}
		f.To = d.AddDate(0, 0, 1)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		fields = append(fields, apperr.FieldError{Path: "to", Message: "the end date is before the start date"})
	}
	if len(fields) > 0 {
		return q, f, apperr.Invalid("the filter has invalid dates", fields...)
	}
	return q, f, nil
}

func (s *Server) auditLog(c echo.Context) error {
	q, f, err := auditFilter(c)
	p := s.page(c, "Audit log", "audit")
	if err != nil {
		p.Error = err.Error()
		p.Data = auditPage{Query: q, Fields: fieldMessages(err)}
		status, _, _ := Status(err)
		return c.Render(status, "audit", p)
	}
	f.Page, _ = strconv.Atoi(c.QueryParam("page"))
	if f.Page < 1 {
		f.Page = 1
	}
	f.Per = auditPerPage
	entries, total, err := s.Audit.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	v := q.values()
	base := "/app/audit?"
	if len(v) > 0 {
		base += v.Encode() + "&"
	}
	p.Data = auditPage{Rows: auditRows(entries), Query: q, Pager: pagerOf(f.Page, total, auditPerPage, base), CSV: "/app/audit.csv?" + v.Encode()}
	return c.Render(http.StatusOK, "audit", p)
}

// auditCSV streams every matching entry; the export is not paginated.
func (s *Server) auditCSV(c echo.Context) error {
	_, f, err := auditFilter(c)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="assay-audit-%s.csv"`, time.Now().UTC().Format("20060102-1504")))
	c.Response().WriteHeader(http.StatusOK)
	if err := s.Audit.WriteCSV(c.Request().Context(), c.Response(), f); err != nil {
		// The status is sent; the error handler can no longer report it.
		s.Log.Error("audit export cut short", "err", err)
	}
	return nil
}
