package mongo

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/vendors"
	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Vendors implements vendors.Store on the "vendors" collection.
//
// Lists are served from an in-memory copy of the register. The embedded
// FerretDB pushes only single _id lookups down to SQLite and decodes every
// document of a collection for any other query: a filtered page of 10,000
// vendors took 9 s that way. The copy is kept current through a change log,
// (changelog.go): each write appends the id of the vendor it changed
// under the next sequence number, and a list first looks up the entries
// after its copy's, one _id lookup each, then re-reads only those vendors.
// A copy far behind is reloaded whole.
type Vendors struct {
	c   *driver.Collection
	log changeLog

	mu   sync.Mutex
	rev  int64 // the copy includes every change up to this sequence number
	at   time.Time
	rows []*vendors.Vendor
	pos  map[string]int // id → index in rows
}

const (
	// vendorCatchUp is how many changes a copy catches up on by lookups; a
	// copy further behind is reloaded whole.
	vendorCatchUp = 128
	// snapshotMaxAge bounds how long a copy is trusted, in case a writer
	// died between its write and its log entry.
	snapshotMaxAge = 10 * time.Minute
	// vendorLogKeep is how long change log entries are kept: well beyond
	// snapshotMaxAge, so that no copy young enough to catch up by lookups
	// finds an entry swept away.
	vendorLogKeep = 6 * snapshotMaxAge
)

// VendorIndexes: the unique name is the rule "one vendor per name" across
// instances; the others serve the export's filtered, sorted scan on a
// MongoDB server (lists read the in-memory copy).
var VendorIndexes = []Index{
	{Collection: "vendors", Keys: bson.D{{Key: "name_lower", Value: 1}}, Unique: true},
	{Collection: "vendors", Keys: bson.D{{Key: "status", Value: 1}, {Key: "name_lower", Value: 1}}},
	{Collection: "vendors", Keys: bson.D{{Key: "tier", Value: 1}, {Key: "name_lower", Value: 1}}},
	{Collection: "vendors", Keys: bson.D{{Key: "risk_rank", Value: 1}, {Key: "name_lower", Value: 1}}},
	{Collection: "vendors", Keys: bson.D{{Key: "overdue", Value: 1}}},
	{Collection: "vendors", Keys: bson.D{{Key: "tags", Value: 1}}},
	changeLogIndex("change_log"),
}

// NewVendors returns the vendor store.
func NewVendors(db *driver.Database) *Vendors {
	return &Vendors{c: db.Collection("vendors"), log: newChangeLog("vendors", db.Collection("change_log"), db.Collection("revisions"), "vendors:head")}
}

// listProjection leaves out what no list shows, to keep the copy small.
var listProjection = bson.M{"intake_answers": 0, "score_history": 0, "services": 0}

// snapshot returns the current copy of the register. Callers must not
// change the vendors it returns.
func (s *Vendors) snapshot(ctx context.Context) ([]*vendors.Vendor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rows != nil && time.Since(s.at) < snapshotMaxAge {
		changes, last, ok, err := s.log.after(ctx, s.rev, vendorCatchUp)
		if err != nil {
			return nil, err
		}
		if ok {
			if len(changes) > 0 {
				ids := make([]string, len(changes))
				for i, e := range changes {
					ids[i] = e.ID
				}
				if err := s.refresh(ctx, ids); err != nil {
					return nil, err
				}
			}
			s.rev = last
			return s.rows, nil
		}
	}
	// The log's end is read before the vendors: a change made during the
	// reload is then looked up again next time, never missed.
	head, err := s.log.head(ctx, vendorCatchUp)
	if err != nil {
		return nil, err
	}
	if err := s.reload(ctx); err != nil {
		return nil, err
	}
	s.rev, s.at = head, time.Now()
	return s.rows, nil
}

func (s *Vendors) reload(ctx context.Context) error {
	cur, err := s.c.Find(ctx, bson.M{}, options.Find().SetProjection(listProjection).SetBatchSize(1000))
	if err != nil {
		return fmt.Errorf("vendor list: %w", err)
	}
	defer cur.Close(ctx)
	rows := []*vendors.Vendor{}
	pos := map[string]int{}
	for cur.Next(ctx) {
		v := new(vendors.Vendor)
		if err := cur.Decode(v); err != nil {
			return fmt.Errorf("vendor list: %w", err)
		}
		pos[v.ID] = len(rows)
		rows = append(rows, v)
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("vendor list: %w", err)
	}
	s.rows, s.pos = rows, pos
	return nil
}

// refresh re-reads the changed vendors one _id lookup each, into a new
// slice: lists still filtering the old one keep a consistent copy.
func (s *Vendors) refresh(ctx context.Context, ids []string) error {
	rows := slices.Clone(s.rows)
	done := map[string]bool{}
	for _, id := range ids {
		if done[id] {
			continue
		}
		done[id] = true
		v := new(vendors.Vendor)
		err := s.c.FindOne(ctx, bson.M{"_id": id}, options.FindOne().SetProjection(listProjection)).Decode(v)
		if IsNotFound(err) {
			continue // vendors are never deleted; a failed insert leaves no row
		}
		if err != nil {
			return fmt.Errorf("vendor list: %w", err)
		}
		if i, ok := s.pos[id]; ok {
			rows[i] = v
		} else {
			s.pos[id] = len(rows)
			rows = append(rows, v)
		}
	}
	s.rows = rows
	return nil
}

// Insert stores a new vendor; a taken name is a conflict.
func (s *Vendors) Insert(ctx context.Context, v *vendors.Vendor) error {
	if _, err := s.c.InsertOne(ctx, v); err != nil {
		if IsDuplicate(err) {
			return fmt.Errorf("vendor %q: %w", v.Name, apperr.ErrConflict)
		}
		return fmt.Errorf("vendor insert: %w", err)
	}
	return s.log.note(ctx, v.ID, nil)
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

// partFields are the fields each part writes.
func partFields(v *vendors.Vendor, p vendors.Part) bson.M {
	switch p {
	case vendors.PartDetails:
		return bson.M{"name": v.Name, "name_lower": v.NameLower, "website": v.Website, "services": v.Services,
			"owner_id": v.OwnerID, "owner_email": v.OwnerEmail, "owner_name": v.OwnerName,
			"contacts": v.Contacts, "tags": v.Tags, "tier": v.Tier, "tier_source": v.TierSource}
	case vendors.PartStatus:
		return bson.M{"status": v.Status}
	case vendors.PartIntake:
		return bson.M{"intake_answers": v.IntakeAnswers, "intake_at": v.IntakeAt, "tier": v.Tier, "tier_source": v.TierSource}
	case vendors.PartRisk:
		return bson.M{"latest_score": v.LatestScore, "grade": v.Grade, "residual_risk": v.ResidualRisk, "risk_rank": v.RiskRank,
			"last_assessment_id": v.LastAssessmentID, "last_assessed_at": v.LastAssessedAt, "next_review_at": v.NextReviewAt,
			"decision": v.Decision, "score_history": v.ScoreHistory}
	}
	panic(fmt.Sprintf("vendors: unknown part %d", p))
}

// Save writes one part of v.
func (s *Vendors) Save(ctx context.Context, v *vendors.Vendor, p vendors.Part) error {
	set := partFields(v, p)
	set["updated_at"] = v.UpdatedAt
	res, err := s.c.UpdateOne(ctx, bson.M{"_id": v.ID}, bson.M{"$set": set})
	if err != nil {
		if IsDuplicate(err) {
			return fmt.Errorf("vendor %q: %w", v.Name, apperr.ErrConflict)
		}
		return fmt.Errorf("vendor save: %w", err)
	}
	if res.MatchedCount == 0 {
		return apperr.Wrapf(apperr.ErrNotFound, "no vendor %s", v.ID)
	}
	return s.log.note(ctx, v.ID, nil)
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

// List returns a page of vendors and how many match, from the copy.
func (s *Vendors) List(ctx context.Context, f vendors.Filter) ([]vendors.Vendor, int64, error) {
	rows, err := s.snapshot(ctx)
	if err != nil {
		return nil, 0, err
	}
	page, total := f.Apply(rows)
	return page, total, nil
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

// SetOverdue flags exactly the vendors in ids, writing only those whose
// flag changes, each by _id.
func (s *Vendors) SetOverdue(ctx context.Context, ids []string) error {
	rows, err := s.snapshot(ctx)
	if err != nil {
		return err
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	for _, v := range rows {
		if v.Overdue == want[v.ID] {
			continue
		}
		if _, err := s.c.UpdateOne(ctx, bson.M{"_id": v.ID}, bson.M{"$set": bson.M{"overdue": want[v.ID]}}); err != nil {
			return fmt.Errorf("vendor overdue: %w", err)
		}
		if err := s.log.note(ctx, v.ID, nil); err != nil {
			return err
		}
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
