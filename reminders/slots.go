// Package reminders chases suppliers: a scheduler that runs inside every
// Assay instance, queues the reminder each open assessment is due, expires
// links past their end, and flags the vendors that are overdue. Several
// instances may run it at once: each reminder has a dedupe key naming its
// slot, which the outbox accepts once.
package reminders

import (
	"time"

	"github.com/assayhq/assay/assessments"
)

// Slot is one reminder an assessment is due: its kind and the day it
// belongs to. The day, not the day it happens to be sent, makes the dedupe
// key, so an instance that was down sends a missed reminder late, once.
type Slot struct {
	Kind string    // assessments.ReminderBeforeDue, ReminderDue or ReminderOverdue
	Day  time.Time // midnight UTC
}

// overdueEvery is the interval of reminders once the due date has passed.
const overdueEvery = 7

// Latest returns the most recent reminder slot on or before today for an
// assessment due on due whose link was mailed on sent: beforeDays before
// the due date (none when beforeDays is 0), on the due date, then every
// week after it. Slots on or before the day the link was mailed are
// skipped: the invitation itself told the supplier.
func Latest(due, sent, today time.Time, beforeDays int) (Slot, bool) {
	due, sent, today = day(due), day(sent), day(today)
	var s Slot
	switch {
	case today.Before(due):
		if beforeDays <= 0 {
			return Slot{}, false
		}
		s = Slot{assessments.ReminderBeforeDue, due.AddDate(0, 0, -beforeDays)}
		if today.Before(s.Day) {
			return Slot{}, false
		}
	default:
		days := int(today.Sub(due).Hours()) / 24
		s = Slot{assessments.ReminderDue, due}
		if weeks := days / overdueEvery; weeks > 0 {
			s = Slot{assessments.ReminderOverdue, due.AddDate(0, 0, weeks*overdueEvery)}
		}
	}
	if !s.Day.After(sent) {
		return Slot{}, false
	}
	return s, true
}

// Key is the outbox dedupe key of a slot of one assessment.
func (s Slot) Key(assessmentID string) string {
	return "reminder:" + assessmentID + ":" + s.Kind + ":" + s.Day.Format(time.DateOnly)
}

func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
