package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// changeLog is an append-only log of changed documents, so that in-memory
// copies of a collection (the vendor register, the portfolio digests)
// catch up by _id lookups alone, the only queries the embedded FerretDB
// does not answer by decoding the whole collection. Entry n is the
// document "<name>:<n>" in entries, taken by inserting it, the one write
// FerretDB makes atomic: two writers never share a number, and since each
// takes the first free one after the noted head, the log has no gaps. The
// head noted in hints is a starting point that only shortens the search
// for the end. An entry may carry the document as written, so that a copy
// catching up need not read the collection at all.
//
// Entries are swept after a while (sweep); every copy is reloaded whole
// well before it could need a swept entry, since its owner bounds how long
// a copy is trusted and keeps entries several times longer.
type changeLog struct {
	name    string
	entries *driver.Collection
	hints   *driver.Collection
	hintID  string
}

type logEntry struct {
	Key string    `bson:"_id"`
	ID  string    `bson:"id"`
	Doc bson.Raw  `bson:"doc,omitempty"` // the document as written; empty for a deletion or when not kept
	At  time.Time `bson:"at"`
}

// changeLogIndex serves the sweep of a log's entries collection.
func changeLogIndex(collection string) Index {
	return Index{Collection: collection, Keys: bson.D{{Key: "at", Value: 1}}}
}

func newChangeLog(name string, entries, hints *driver.Collection, hintID string) changeLog {
	return changeLog{name: name, entries: entries, hints: hints, hintID: hintID}
}

func (l changeLog) key(n int64) string { return fmt.Sprintf("%s:%012d", l.name, n) }

// hint returns the last number noted; it may lag behind the log.
func (l changeLog) hint(ctx context.Context) (int64, error) {
	var doc struct {
		Rev int64 `bson:"rev"`
	}
	err := l.hints.FindOne(ctx, bson.M{"_id": l.hintID}).Decode(&doc)
	if err != nil && !IsNotFound(err) {
		return 0, fmt.Errorf("%s change log: %w", l.name, err)
	}
	return doc.Rev, nil
}

// note appends "id is now doc" (doc may be empty) under the first free
// number after the hint.
func (l changeLog) note(ctx context.Context, id string, doc bson.Raw) error {
	n, err := l.hint(ctx)
	if err != nil {
		return err
	}
	for {
		n++
		_, err := l.entries.InsertOne(ctx, logEntry{Key: l.key(n), ID: id, Doc: doc, At: time.Now().UTC()})
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
	_, err = l.hints.UpdateOne(ctx, bson.M{"_id": l.hintID}, bson.M{"$set": bson.M{"rev": n}}, options.Update().SetUpsert(true))
	if err != nil && !IsDuplicate(err) {
		return fmt.Errorf("%s change log: %w", l.name, err)
	}
	return nil
}

// after returns the entries after entry n, in order, and the last one's
// number; more than limit entries is reported as not ok, for the caller
// to reload instead.
func (l changeLog) after(ctx context.Context, n int64, limit int) ([]logEntry, int64, bool, error) {
	var out []logEntry
	for {
		var e logEntry
		err := l.entries.FindOne(ctx, bson.M{"_id": l.key(n + 1)}).Decode(&e)
		if IsNotFound(err) {
			return out, n, true, nil
		}
		if err != nil {
			return nil, 0, false, fmt.Errorf("%s change log: %w", l.name, err)
		}
		if len(out) == limit {
			return nil, 0, false, nil
		}
		out = append(out, e)
		n++
	}
}

// head returns the number of the log's last entry, stepping from the hint
// step entries at a time.
func (l changeLog) head(ctx context.Context, step int) (int64, error) {
	n, err := l.hint(ctx)
	if err != nil {
		return 0, err
	}
	for {
		_, last, ok, err := l.after(ctx, n, step)
		if err != nil {
			return 0, err
		}
		if ok {
			return last, nil
		}
		n += int64(step)
	}
}

// sweep deletes the entries noted before cutoff. The filter is on the
// log's own small collection, so even where it decodes every entry (the
// embedded FerretDB) it reads only what is about to go.
func (l changeLog) sweep(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := l.entries.DeleteMany(ctx, bson.M{"at": bson.M{"$lt": cutoff}})
	if err != nil {
		return 0, fmt.Errorf("%s change log sweep: %w", l.name, err)
	}
	return res.DeletedCount, nil
}
