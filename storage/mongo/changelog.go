package mongo

import (
	"context"
	"fmt"

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
	// A racing writer may note a smaller number: the hint only lags. Two
	// first writers both upsert the missing hint and one gets a duplicate
	// key (FerretDB does not retry upserts as MongoDB does): the other's
	// hint stands, which is just as good.
	_, err = l.revs.UpdateOne(ctx, bson.M{"_id": l.hintID()}, bson.M{"$set": bson.M{"rev": seq}}, options.Update().SetUpsert(true))
	if err != nil && !IsDuplicate(err) {
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
