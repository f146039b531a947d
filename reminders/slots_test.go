package reminders

import (
	"testing"
	"time"
)

func TestLatest(t *testing.T) {
	d := func(s string) time.Time {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	due, sent := d("2026-03-20"), d("2026-03-02")
	cases := []struct {
		today  string
		before int
		sent   time.Time
		kind   string // "" for no reminder
		slot   string
	}{
		{"2026-03-02", 7, sent, "", ""},
		{"2026-03-12", 7, sent, "", ""},
		{"2026-03-13", 7, sent, "before_due", "2026-03-13"},
		{"2026-03-19", 7, sent, "before_due", "2026-03-13"},
		{"2026-03-20", 7, sent, "due", "2026-03-20"},
		{"2026-03-26", 7, sent, "due", "2026-03-20"},
		{"2026-03-27", 7, sent, "overdue", "2026-03-27"},
		{"2026-04-02", 7, sent, "overdue", "2026-03-27"},
		{"2026-04-03", 7, sent, "overdue", "2026-04-03"},
		{"2026-05-01", 7, sent, "overdue", "2026-05-01"},
		// No reminder before the due date when none is configured.
		{"2026-03-19", 0, sent, "", ""},
		{"2026-03-20", 0, sent, "due", "2026-03-20"},
		// Sent after the before-due day: the invitation is enough.
		{"2026-03-16", 7, d("2026-03-15"), "", ""},
		// Sent on the due date itself: no "due today" the same day.
		{"2026-03-20", 7, d("2026-03-20"), "", ""},
		{"2026-03-27", 7, d("2026-03-20"), "overdue", "2026-03-27"},
	}
	for _, c := range cases {
		t.Run(c.today, func(t *testing.T) {
			// Any time of day counts as that day.
			s, ok := Latest(due.Add(15*time.Hour), c.sent.Add(9*time.Hour), d(c.today).Add(23*time.Hour), c.before)
			if c.kind == "" {
				if ok {
					t.Fatalf("got %+v, want no reminder", s)
				}
				return
			}
			if !ok || s.Kind != c.kind || s.Day.Format(time.DateOnly) != c.slot {
				t.Fatalf("got %+v %v, want %s on %s", s, ok, c.kind, c.slot)
			}
		})
	}
}

func TestSlotKey(t *testing.T) {
	s := Slot{Kind: "overdue", Day: time.Date(2026, 3, 27, 0, 0, 0, 0, time.UTC)}
	if got := s.Key("a1"); got != "reminder:a1:overdue:2026-03-27" {
		t.Fatalf("key %q", got)
	}
}
