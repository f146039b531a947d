package mongo

import (
	"context"
	"fmt"
	"strconv"

	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// changeLog is an append-only log of the ids of changed documents, so that
// in-memory copies of a collection catch up by _id lookups alone (the only
// queries the embedded FerretDB does not answer by decoding the whole
// collection). Entries live in "change_log" under "<name>:<sequence>".
// A sequence number is taken by inserting under it, the one write FerretDB
// makes atomic: two writers never share a number, and since each takes the
// first free one after the noted head, the log has no gaps. The head noted
// in "revisions" is a hint that only shortens that search.
type changeLog struct {
	name    string
	entries *driver.Collection
	revs    *driver.Collection
}

func newChangeLog(db *driver.Database, name string) changeLog {
	return changeLog{name: name, entries: db.Collection("change_log"), revs: db.Collection("revisions")}
}

func (l changeLog) key(seq int64) string { return fmt.Sprintf("%s:%012d", l.name, seq) }

func (l changeLog) hintID() string { return l.name + ":head" }

// hint returns the last sequence number noted; it may lag behind the log.
func (l changeLog) hint(ctx context.Context) (int64, error) {
	var doc struct {
		Rev int64 `bson:"rev"`
	}
	err := l.revs.FindOne(ctx, bson.M{"_id": l.hintID()}).Decode(&doc)
	if err != nil && !IsNotFound(err) {
		return 0, fmt.Errorf("%s change log: %w", l.name, err)
	}
	return doc.Rev, nil
}

// note appends id under the first free sequence number.
func (l changeLog) note(ctx context.Context, id string) error {
	seq, err := l.hint(ctx)
	if err != nil {
		return err
	}
	for {
		seq++
		_, err := l.entries.InsertOne(ctx, bson.M{"_id": l.key(seq), "id": id})
		if err == nil {
			break
		}
		if !IsDuplicate(err) {
			return fmt.Errorf("%s change log: %w", l.name, err)
		}
	}
	// A racing writer may note a smaller number: the hint only lags.
	_, err = l.revs.UpdateOne(ctx, bson.M{"_id": l.hintID()}, bson.M{"$set": bson.M{"rev": seq}}, options.Update().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("%s change log: %w", l.name, err)
	}
	return nil
}

// after returns the ids changed after sequence number rev, oldest first,
// and the last sequence number; more than limit changes is reported as not
// ok, for the caller to reload instead.
func (l changeLog) after(ctx context.Context, rev int64, limit int) ([]string, int64, bool, error) {
	var ids []string
	for {
		var doc struct {
			ID string `bson:"id"`
		}
		err := l.entries.FindOne(ctx, bson.M{"_id": l.key(rev + 1)}).Decode(&doc)
		if IsNotFound(err) {
			return ids, rev, true, nil
		}
		if err != nil {
			return nil, 0, false, fmt.Errorf("%s change log: %w", l.name, err)
		}
		if len(ids) == limit {
			return nil, 0, false, nil
		}
		ids = append(ids, doc.ID)
		rev++
	}
}

// head returns the last sequence number of the log, stepping from the hint
// step entries at a time.
func (l changeLog) head(ctx context.Context, step int) (int64, error) {
	rev, err := l.hint(ctx)
	if err != nil {
		return 0, err
	}
	for {
		_, last, ok, err := l.after(ctx, rev, step)
		if err != nil {
			return 0, err
		}
		if ok {
			return last, nil
		}
		rev += int64(step)
	}
}

// The ring form of a change log: one "revisions" document holding a
// revision counter and the last changeRing changes. The assessment digests
// of the portfolio (portfolio.go) use it. Its revision is taken with $inc,
// which FerretDB applies as read-modify-write, so two simultaneous writers
// can take the same revision and one change goes unseen until the copy's
// periodic full reload; changeLog above has no such race.
const changeRing = 128

type change struct {
	Rev int64  `bson:"rev"`
	ID  string `bson:"id"`
}

type revisionDoc struct {
	Rev int64             `bson:"rev"`
	Log map[string]change `bson:"log"`
}

// changedSince lists the ids changed after revision rev, or reports that
// the ring no longer covers them all.
func changedSince(doc revisionDoc, rev int64) ([]string, bool) {
	if doc.Rev < rev || doc.Rev-rev > changeRing {
		return nil, false
	}
	var ids []string
	for r := rev + 1; r <= doc.Rev; r++ {
		c, ok := doc.Log[strconv.FormatInt(r%changeRing, 10)]
		if !ok || c.Rev != r {
			return nil, false
		}
		ids = append(ids, c.ID)
	}
	return ids, true
}
