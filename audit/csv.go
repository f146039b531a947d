package audit

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"time"
)

// CSVHeader names the export's columns.
var CSVHeader = []string{"time", "actor_kind", "actor_email", "actor_id", "ip", "action", "object_type", "object_id", "before", "after", "note"}

// WriteCSV writes every entry matching f, newest first.
func (s *Service) WriteCSV(ctx context.Context, w io.Writer, f Filter) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	err := s.store.Each(ctx, f, func(e *Entry) error { return cw.Write(CSVRow(e)) })
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// CSVRow is one entry as export cells.
func CSVRow(e *Entry) []string {
	row := []string{
		e.At.UTC().Format(time.RFC3339), e.Actor.Kind, e.Actor.Email, e.Actor.ID, e.Actor.IP,
		e.Action, e.ObjectType, e.ObjectID, summary(e.Before), summary(e.After), e.Note,
	}
	for i, c := range row {
		row[i] = cell(c)
	}
	return row
}

func summary(m map[string]any) string {
	if len(m) == 0 {
		return ""
	}
	b, err := json.Marshal(m)
	if err != nil {
		return ""
	}
	return string(b)
}

// cell defuses spreadsheet formulas: emails, names and notes come from
// people, and a cell starting with = or + runs when a reviewer opens the
// export in a spreadsheet.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
