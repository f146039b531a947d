package mongo

import (
	"context"
	"fmt"
	"time"

	"github.com/assayhq/assay/assessments"
	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
)

// Reminders implements reminders.Store on the "assessments" collection.
type Reminders struct{ c *driver.Collection }

// NewReminders returns the reminders store.
func NewReminders(db *driver.Database) *Reminders {
	return &Reminders{c: db.Collection("assessments")}
}

// Expire moves an open assessment whose link expired before now to
// expired; the filter states the expected state, so a supplier who submits
// at the same moment wins or loses cleanly. It holds the assessment's lock
// (see lockAssessment): FerretDB writes the whole document back, so an
// unserialized expiry could undo an answer saved in between.
func (r *Reminders) Expire(ctx context.Context, id string, now time.Time) (bool, error) {
	open := []assessments.Status{assessments.StatusSent, assessments.StatusInProgress, assessments.StatusClarificationRequested}
	defer lockAssessment(id)()
	res, err := r.c.UpdateOne(ctx,
		bson.M{"_id": id, "status": bson.M{"$in": open}, "expires_at": bson.M{"$lt": now}},
		bson.M{"$set": bson.M{"status": assessments.StatusExpired, "updated_at": now}, "$inc": bson.M{"version": int64(1)}})
	if err != nil {
		return false, fmt.Errorf("expire assessment %s: %w", id, err)
	}
	return res.ModifiedCount == 1, nil
}
