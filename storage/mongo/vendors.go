package mongo

import (
	"context"
	"fmt"
	"regexp"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/vendors"
	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Vendors implements vendors.Store on the "vendors" collection.
type Vendors struct{ c *driver.Collection }

// NewVendors returns the vendor store.
func NewVendors(db *driver.Database) *Vendors { return &Vendors{c: db.Collection("vendors")} }

// VendorIndexes serve the register's filters and sort columns; each list
// query is one indexed find plus one count.
var VendorIndexes = []Index{
	{Collection: "vendors", Keys: bson.D{{Key: "name_lower", Value: 1}}, Unique: true},
	{Collection: "vendors", Keys: bson.D{{Key: "status", Value: 1}, {Key: "name_lower", Value: 1}}},
	{Collection: "vendors", Keys: bson.D{{Key: "tier", Value: 1}, {Key: "name_lower", Value: 1}}},
	{Collection: "vendors", Keys: bson.D{{Key: "risk_rank", Value: 1}, {Key: "name_lower", Value: 1}}},
	{Collection: "vendors", Keys: bson.D{{Key: "latest_score", Value: 1}}},
	{Collection: "vendors", Keys: bson.D{{Key: "next_review_at", Value: 1}}},
	{Collection: "vendors", Keys: bson.D{{Key: "overdue", Value: 1}}},
	{Collection: "vendors", Keys: bson.D{{Key: "tags", Value: 1}}},
	{Collection: "vendors", Keys: bson.D{{Key: "updated_at", Value: -1}}},
}

// Insert stores a new vendor; a taken name is a conflict.
func (s *Vendors) Insert(ctx context.Context, v *vendors.Vendor) error {
	if _, err := s.c.InsertOne(ctx, v); err != nil {
		if IsDuplicate(err) {
			return fmt.Errorf("vendor %q: %w", v.Name, apperr.ErrConflict)
		}
		return fmt.Errorf("vendor insert: %w", err)
	}
	return nil
}

// Get returns one vendor.
func (s *Vendors) Get(ctx context.Context, id string) (*vendors.Vendor, error) {
	var v vendors.Vendor
	err := s.c.FindOne(ctx, bson.M{"_id": id}).Decode(&v)
	if IsNotFound(err) {
		return nil, apperr.Wrapf(apperr.ErrNotFound, "no vendor %s", id)
	}
	if err != nil {
		return nil, fmt.Errorf("vendor get: %w", err)
	}
	return &v, nil
}

// Update replaces v if nobody wrote it since it was read (same Version),
// and bumps the version.
func (s *Vendors) Update(ctx context.Context, v *vendors.Vendor) error {
	read := v.Version
	next := *v
	next.Version = read + 1
	res, err := s.c.ReplaceOne(ctx, bson.M{"_id": v.ID, "version": read}, &next)
	if err != nil {
		if IsDuplicate(err) {
			return fmt.Errorf("vendor %q: %w", v.Name, apperr.ErrConflict)
		}
		return fmt.Errorf("vendor update: %w", err)
	}
	if res.MatchedCount == 0 {
		if _, err := s.Get(ctx, v.ID); err != nil {
			return err
		}
		return vendors.ErrStale
	}
	v.Version = next.Version
	return nil
}

// sortFields maps the register's sort keys to document fields.
var sortFields = map[string]string{
	"name": "name_lower", "tier": "tier", "risk": "risk_rank", "score": "latest_score",
	"next_review": "next_review_at", "updated": "updated_at",
}

func vendorQuery(f vendors.Filter) (bson.M, bson.D) {
	q := bson.M{}
	if f.Status != vendors.StatusAll {
		q["status"] = f.Status
	}
	if f.Q != "" {
		// Quoted: a name may hold regex metacharacters, and a search box
		// must not run someone's pattern.
		q["name_lower"] = bson.M{"$regex": regexp.QuoteMeta(f.Q)}
	}
	if f.Tier != 0 {
		q["tier"] = f.Tier
	}
	switch {
	case f.Risk == "none":
		q["risk_rank"] = 0
	case f.Risk != "":
		q["risk_rank"] = vendors.RiskRank(f.Risk)
	}
	if f.Overdue {
		q["overdue"] = true
	}
	if len(f.Tags) > 0 {
		q["tags"] = bson.M{"$all": f.Tags}
	}
	if f.IDs != nil {
		q["_id"] = bson.M{"$in": f.IDs}
	}
	dir, key := 1, f.Sort
	if len(key) > 0 && key[0] == '-' {
		dir, key = -1, key[1:]
	}
	field, ok := sortFields[key]
	if !ok {
		field = "name_lower"
	}
	sort := bson.D{{Key: field, Value: dir}}
	if field != "name_lower" {
		sort = append(sort, bson.E{Key: "name_lower", Value: 1})
	}
	return q, append(sort, bson.E{Key: "_id", Value: 1})
}

// List returns a page of vendors and how many match.
func (s *Vendors) List(ctx context.Context, f vendors.Filter) ([]vendors.Vendor, int64, error) {
	q, sort := vendorQuery(f)
	page, per := Paging(f.Page, f.Per)
	total, err := s.c.CountDocuments(ctx, q)
	if err != nil {
		return nil, 0, fmt.Errorf("vendor count: %w", err)
	}
	cur, err := s.c.Find(ctx, q, options.Find().SetSort(sort).SetSkip(int64((page-1)*per)).SetLimit(int64(per)).
		SetProjection(bson.M{"intake_answers": 0, "score_history": 0}))
	if err != nil {
		return nil, 0, fmt.Errorf("vendor list: %w", err)
	}
	out := []vendors.Vendor{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, 0, fmt.Errorf("vendor list: %w", err)
	}
	return out, total, nil
}

// Each calls fn for every vendor f selects, in f's order, reading through
// one cursor so an export of the whole register holds one vendor at a time.
func (s *Vendors) Each(ctx context.Context, f vendors.Filter, fn func(*vendors.Vendor) error) error {
	q, sort := vendorQuery(f)
	cur, err := s.c.Find(ctx, q, options.Find().SetSort(sort).SetBatchSize(500).
		SetProjection(bson.M{"intake_answers": 0, "score_history": 0}))
	if err != nil {
		return fmt.Errorf("vendor export: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var v vendors.Vendor
		if err := cur.Decode(&v); err != nil {
			return fmt.Errorf("vendor export: %w", err)
		}
		if err := fn(&v); err != nil {
			return err
		}
	}
	return cur.Err()
}

// SetOverdue flags exactly the vendors in ids. It touches only the flag,
// not the version: it is derived state the scheduler rewrites every run, so
// a racing edit that writes an old value is corrected a minute later.
func (s *Vendors) SetOverdue(ctx context.Context, ids []string) error {
	if ids == nil {
		ids = []string{}
	}
	if _, err := s.c.UpdateMany(ctx, bson.M{"_id": bson.M{"$in": ids}, "overdue": bson.M{"$ne": true}},
		bson.M{"$set": bson.M{"overdue": true}}); err != nil {
		return fmt.Errorf("vendor overdue: %w", err)
	}
	if _, err := s.c.UpdateMany(ctx, bson.M{"_id": bson.M{"$nin": ids}, "overdue": true},
		bson.M{"$set": bson.M{"overdue": false}}); err != nil {
		return fmt.Errorf("vendor overdue: %w", err)
	}
	return nil
}

// StaffDirectory implements vendors.Directory by reading the "users"
// collection that the auth store writes.
type StaffDirectory struct{ c *driver.Collection }

// NewStaffDirectory returns the directory.
func NewStaffDirectory(db *driver.Database) *StaffDirectory {
	return &StaffDirectory{c: db.Collection("users")}
}

type staffDoc struct {
	ID    string `bson:"_id"`
	Email string `bson:"email"`
	Name  string `bson:"name"`
}

func (d staffDoc) staff() vendors.Staff { return vendors.Staff{ID: d.ID, Email: d.Email, Name: d.Name} }

var staffProjection = bson.M{"_id": 1, "email": 1, "name": 1}

// StaffByIDs returns the users with these ids, disabled ones included: a
// vendor keeps naming its past owner until someone picks a new one.
func (d *StaffDirectory) StaffByIDs(ctx context.Context, ids []string) (map[string]vendors.Staff, error) {
	cur, err := d.c.Find(ctx, bson.M{"_id": bson.M{"$in": ids}}, options.Find().SetProjection(staffProjection))
	if err != nil {
		return nil, fmt.Errorf("staff by ids: %w", err)
	}
	var docs []staffDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("staff by ids: %w", err)
	}
	out := make(map[string]vendors.Staff, len(docs))
	for _, doc := range docs {
		out[doc.ID] = doc.staff()
	}
	return out, nil
}

// StaffByEmail returns the active user with this email.
func (d *StaffDirectory) StaffByEmail(ctx context.Context, email string) (*vendors.Staff, error) {
	var doc staffDoc
	err := d.c.FindOne(ctx, bson.M{"email": email, "disabled": bson.M{"$ne": true}},
		options.FindOne().SetProjection(staffProjection)).Decode(&doc)
	if IsNotFound(err) {
		return nil, apperr.Wrapf(apperr.ErrNotFound, "no staff user %s", email)
	}
	if err != nil {
		return nil, fmt.Errorf("staff by email: %w", err)
	}
	s := doc.staff()
	return &s, nil
}

// ListStaff returns the active users by name.
func (d *StaffDirectory) ListStaff(ctx context.Context) ([]vendors.Staff, error) {
	cur, err := d.c.Find(ctx, bson.M{"disabled": bson.M{"$ne": true}},
		options.Find().SetProjection(staffProjection).SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(1000))
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	var docs []staffDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	out := make([]vendors.Staff, len(docs))
	for i, doc := range docs {
		out[i] = doc.staff()
	}
	return out, nil
}
