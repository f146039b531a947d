package mongo

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/assayhq/assay/audit"
	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Audit implements audit.Store on the "audit" collection. It offers no
// update or delete: the trail is append-only as far as Assay is concerned.
type Audit struct{ c *driver.Collection }

// NewAudit returns the audit store.
func NewAudit(db *driver.Database) *Audit { return &Audit{c: db.Collection("audit")} }

// AuditIndexes serve the audit page's filters.
var AuditIndexes = []Index{
	{Collection: "audit", Keys: bson.D{{Key: "at", Value: -1}}},
	{Collection: "audit", Keys: bson.D{{Key: "action", Value: 1}, {Key: "at", Value: -1}}},
	{Collection: "audit", Keys: bson.D{{Key: "object_id", Value: 1}, {Key: "at", Value: -1}}},
	{Collection: "audit", Keys: bson.D{{Key: "actor.email", Value: 1}, {Key: "at", Value: -1}}},
}

// Insert appends one entry.
func (a *Audit) Insert(ctx context.Context, e *audit.Entry) error {
	if _, err := a.c.InsertOne(ctx, e); err != nil {
		return fmt.Errorf("audit insert: %w", err)
	}
	return nil
}

func auditQuery(f audit.Filter) bson.M {
	q := bson.M{}
	if prefix, ok := strings.CutSuffix(f.Action, "."); ok && prefix != "" {
		q["action"] = bson.M{"$regex": "^" + regexp.QuoteMeta(prefix) + `(\.|$)`}
	} else if f.Action != "" {
		q["action"] = f.Action
	}
	if f.ActorEmail != "" {
		q["actor.email"] = f.ActorEmail
	}
	if f.ObjectType != "" {
		q["object_type"] = f.ObjectType
	}
	if f.ObjectID != "" {
		q["object_id"] = f.ObjectID
	}
	at := bson.M{}
	if !f.From.IsZero() {
		at["$gte"] = f.From
	}
	if !f.To.IsZero() {
		at["$lt"] = f.To
	}
	if len(at) > 0 {
		q["at"] = at
	}
	return q
}

var newestFirst = bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}

// List returns a page of entries, newest first, and the total matching.
func (a *Audit) List(ctx context.Context, f audit.Filter) ([]audit.Entry, int64, error) {
	q := auditQuery(f)
	page, per := Paging(f.Page, f.Per)
	total, err := a.c.CountDocuments(ctx, q)
	if err != nil {
		return nil, 0, fmt.Errorf("audit count: %w", err)
	}
	cur, err := a.c.Find(ctx, q, options.Find().SetSort(newestFirst).SetSkip(int64((page-1)*per)).SetLimit(int64(per)))
	if err != nil {
		return nil, 0, fmt.Errorf("audit list: %w", err)
	}
	out := []audit.Entry{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, 0, fmt.Errorf("audit list: %w", err)
	}
	return out, total, nil
}

// Each streams every matching entry, newest first.
func (a *Audit) Each(ctx context.Context, f audit.Filter, fn func(*audit.Entry) error) error {
	cur, err := a.c.Find(ctx, auditQuery(f), options.Find().SetSort(newestFirst).SetBatchSize(500))
	if err != nil {
		return fmt.Errorf("audit export: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var e audit.Entry
		if err := cur.Decode(&e); err != nil {
			return fmt.Errorf("audit export: %w", err)
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("audit export: %w", err)
	}
	return nil
}
