package vendors

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/audit"
)

// ImportColumns are the columns a vendor CSV may hold, in the order the
// export writes them; only name is required. Tags are separated by ";".
var ImportColumns = []string{"name", "website", "tier", "contact_name", "contact_email", "tags", "services", "owner_email"}

// MaxImportRows bounds one import so a wrong file cannot flood the register.
const MaxImportRows = 10000

// RowError is one CSV row that was not imported. Row counts lines as a
// spreadsheet does: the header is row 1.
type RowError struct {
	Row     int    `json:"row"`
	Name    string `json:"name,omitempty"`
	Message string `json:"message"`
}

// ImportReport tells what an import did: valid rows are created, invalid
// ones are listed with the reason.
type ImportReport struct {
	Created int        `json:"created"`
	Errors  []RowError `json:"errors"`
}

// ImportCSV creates one vendor per valid row of r.
func (s *Service) ImportCSV(ctx context.Context, actor audit.Actor, r io.Reader) (*ImportReport, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, apperr.Field("file", "The file is empty: it needs a header row naming the columns.")
	}
	if err != nil {
		return nil, apperr.Field("file", "This is not a readable CSV file: "+err.Error())
	}
	col, err := importHeader(header)
	if err != nil {
		return nil, err
	}
	rep := &ImportReport{Errors: []RowError{}}
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if row-1 > MaxImportRows {
			rep.Errors = append(rep.Errors, RowError{Row: row, Message: fmt.Sprintf("stopped: an import holds at most %d vendors", MaxImportRows)})
			break
		}
		if err != nil {
			// The reader cannot tell where a broken quoted field ends, so
			// nothing after it can be trusted.
			msg := err.Error()
			if pe, ok := errors.AsType[*csv.ParseError](err); ok {
				msg = pe.Err.Error()
			}
			rep.Errors = append(rep.Errors, RowError{Row: row, Message: "unreadable CSV, import stopped here: " + msg})
			break
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		in, msg := rowInput(get)
		if msg != "" {
			rep.Errors = append(rep.Errors, RowError{Row: row, Name: in.Name, Message: msg})
			continue
		}
		if _, err := s.Create(ctx, actor, in); err != nil {
			if fe := apperr.Fields(err); len(fe) > 0 {
				rep.Errors = append(rep.Errors, RowError{Row: row, Name: in.Name, Message: rowMessage(fe)})
				continue
			}
			return rep, fmt.Errorf("import row %d: %w", row, err)
		}
		rep.Created++
	}
	s.record(ctx, actor, "vendor.import", "", nil,
		map[string]any{"created": rep.Created, "rejected": len(rep.Errors)}, "CSV import")
	return rep, nil
}

func importHeader(header []string) (map[string]int, error) {
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		known := false
		for _, c := range ImportColumns {
			known = known || c == h
		}
		if !known {
			return nil, apperr.Field("file", fmt.Sprintf("Column %d is %q, which is not one of: %s.", i+1, h, strings.Join(ImportColumns, ", ")))
		}
		if _, dup := col[h]; dup {
			return nil, apperr.Field("file", fmt.Sprintf("Column %q appears twice.", h))
		}
		col[h] = i
	}
	if _, ok := col["name"]; !ok {
		return nil, apperr.Field("file", "The header row needs a name column; the columns are: "+strings.Join(ImportColumns, ", ")+".")
	}
	return col, nil
}

// rowInput reads one row; a message reports what cannot even be parsed.
func rowInput(get func(string) string) (Input, string) {
	in := Input{
		Name: get("name"), Website: get("website"), Services: get("services"), OwnerEmail: get("owner_email"),
		Tags: strings.Split(get("tags"), ";"),
	}
	if name, email := get("contact_name"), get("contact_email"); name != "" || email != "" {
		in.Contacts = []Contact{{Name: name, Email: email}}
	}
	if t := get("tier"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil {
			return in, fmt.Sprintf("tier: %q is not a number from 1 to 4", t)
		}
		in.Tier = n
	}
	return in, ""
}

// rowMessage names each bad field by its CSV column.
func rowMessage(fields []apperr.FieldError) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		path := f.Path
		switch {
		case strings.HasPrefix(path, "contacts["):
			path = "contact_" + path[strings.LastIndexByte(path, '.')+1:]
		case path == "owner_id":
			path = "owner_email"
		}
		parts[i] = path + ": " + f.Message
	}
	return strings.Join(parts, " ")
}

// ExportColumns are the columns of an export: the import columns first, so
// an export imports back, then the state Assay computed.
var ExportColumns = append(append([]string{}, ImportColumns...),
	"id", "status", "tier_source", "latest_score", "grade", "residual_risk", "decision", "last_assessed_at", "next_review_at", "overdue", "other_contacts")

// ExportCSV writes every vendor f selects (ignoring paging) as CSV.
func (s *Service) ExportCSV(ctx context.Context, w io.Writer, f Filter) error {
	f.Normalize()
	cw := csv.NewWriter(w)
	if err := cw.Write(ExportColumns); err != nil {
		return err
	}
	err := s.d.Store.Each(ctx, f, func(v *Vendor) error {
		var first Contact
		var others []string
		for i, c := range v.Contacts {
			if i == 0 {
				first = c
				continue
			}
			others = append(others, strings.TrimSpace(c.Name+" <"+c.Email+">"))
		}
		score := ""
		if v.LatestScore != nil {
			score = strconv.FormatFloat(*v.LatestScore, 'f', 1, 64)
		}
		rec := []string{
			v.Name, v.Website, strconv.Itoa(v.Tier), first.Name, first.Email, strings.Join(v.Tags, ";"), v.Services, v.OwnerEmail,
			v.ID, string(v.Status), string(v.TierSource), score, v.Grade, v.ResidualRisk, string(v.Decision),
			isoDate(v.LastAssessedAt), isoDate(v.NextReviewAt), strconv.FormatBool(v.Overdue), strings.Join(others, "; "),
		}
		for i := range rec {
			rec[i] = cell(rec[i])
		}
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// cell defuses spreadsheet formulas: a value starting with = + - @ (or a
// tab or carriage return) would run as a formula when the export is opened.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
