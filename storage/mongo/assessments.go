package mongo

import (
	"context"
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/questionnaires"
	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Assessments implements assessments.Store on the "assessments" collection.
//
// The template snapshot an assessment was sent with is kept once per
// template version in "template_snapshots", named by the template's content
// so that no two different templates share one, and cached here: inline it
// would make every assessment ~100 KB larger, and FerretDB reads a whole
// document for any query, so each autosave would pay to read it.
//
// A supplier link is found through "assessment_links", whose _id is the
// token's hash: the embedded FerretDB serves only _id lookups without
// scanning the collection (see doc.go). A withdrawn or replaced link's
// document is deleted, so an unknown and a revoked link take the same one
// missed lookup.
//
// For the same reason a vendor's assessments of one template are listed in
// "assessment_history" under the _id vendor|template, which Previous walks
// newest first instead of querying the assessments.
type Assessments struct {
	c         *driver.Collection
	links     *driver.Collection
	history   *driver.Collection
	snapshots *driver.Collection
	cache     sync.Map // snapshot id → *questionnaires.Template
	primaries primaryLinks

	forceIDOnly *bool // set by tests to take one way of guarding updates
}

type linkDoc struct {
	ID           string `bson:"_id"` // the token's hash
	AssessmentID string `bson:"assessment_id"`
	// Primary is the assessment's token hash when this link was made: an
	// extra link (AddLink) works only while that link is current, so a
	// resend retires it even if deleting it failed.
	Primary string `bson:"primary,omitempty"`
}

// FerretDB (v1) applies an update by reading the document, changing it in
// Go and writing it back whole, with the filter checked on the read: two
// concurrent updates of one document can lose one of them, and a guarded
// update can pass a filter that no longer holds. Updates of one assessment
// are therefore serialized within the process, whichever store value makes
// them. The embedded FerretDB only ever serves one process; MongoDB's own
// per-document atomicity covers several instances.
var assessmentLocks stripedLocks

func lockAssessment(id string) func() { return assessmentLocks.lock(id) }

// stripedLocks serialize the writers of each document by its id, with a
// fixed number of mutexes: two ids may share one, which only makes one
// wait for the other.
type stripedLocks [64]sync.Mutex

// lock locks id's mutex and returns its unlock.
func (l *stripedLocks) lock(id string) func() {
	h := fnv.New32a()
	h.Write([]byte(id))
	m := &l[h.Sum32()%uint32(len(l))]
	m.Lock()
	return m.Unlock
}

// NewAssessments returns the assessments store.
func NewAssessments(db *driver.Database) *Assessments {
	return &Assessments{c: db.Collection("assessments"), links: db.Collection("assessment_links"),
		history: db.Collection("assessment_history"), snapshots: db.Collection("template_snapshots")}
}

// assessmentDoc is an assessment as stored: the template is referenced and
// the answers are packed (packedAnswers); this Answers field takes the
// place of the embedded one, being the shallower.
type assessmentDoc struct {
	assessments.Assessment `bson:",inline"`
	Answers                packedAnswers                   `bson:"answers"`
	Snapshot               string                          `bson:"template_snapshot"`
	Evidence               map[string]assessments.Evidence `bson:"evidence,omitempty"` // written by Evidence only
}

type snapshotDoc struct {
	ID       string                   `bson:"_id"`
	Template *questionnaires.Template `bson:"template"`
}

func snapshotID(t *questionnaires.Template) string {
	return fmt.Sprintf("%s@%d@%s", t.Key, t.Version, questionnaires.Fingerprint(t))
}

// saveSnapshot stores t once; snapshots never change, so an existing one
// is the same.
func (s *Assessments) saveSnapshot(ctx context.Context, t *questionnaires.Template) (string, error) {
	id := snapshotID(t)
	if _, ok := s.cache.Load(id); ok {
		return id, nil
	}
	_, err := s.snapshots.InsertOne(ctx, snapshotDoc{ID: id, Template: t})
	if err != nil && !IsDuplicate(err) {
		return "", fmt.Errorf("storing template snapshot: %w", err)
	}
	s.cache.Store(id, questionnaires.Clone(t))
	return id, nil
}

// snapshot returns a stored template, shared by every assessment sent with
// it: callers must not change it.
func (s *Assessments) snapshot(ctx context.Context, id string) (*questionnaires.Template, error) {
	if t, ok := s.cache.Load(id); ok {
		return t.(*questionnaires.Template), nil
	}
	var d snapshotDoc
	if err := s.snapshots.FindOne(ctx, bson.M{"_id": id}).Decode(&d); err != nil {
		return nil, fmt.Errorf("template snapshot %s: %w", id, err)
	}
	t, _ := s.cache.LoadOrStore(id, d.Template)
	return t.(*questionnaires.Template), nil
}

// AssessmentIndexes are the indexes the assessments' queries need: the
// link lookup, a vendor's history, the review queue and the due list.
var AssessmentIndexes = []Index{
	{Collection: "assessments", Keys: bson.D{{Key: "token_hash", Value: 1}}, Unique: true},
	{Collection: "assessments", Keys: bson.D{{Key: "vendor_id", Value: 1}, {Key: "created_at", Value: -1}}},
	{Collection: "assessments", Keys: bson.D{{Key: "status", Value: 1}, {Key: "submitted_at", Value: 1}}},
	{Collection: "assessments", Keys: bson.D{{Key: "status", Value: 1}, {Key: "due_date", Value: 1}}},
	{Collection: "assessments", Keys: bson.D{{Key: "created_at", Value: -1}}},
	{Collection: "assessment_links", Keys: bson.D{{Key: "assessment_id", Value: 1}}},
}

// Question ids may contain '.', which in a field name would address a
// nested field, so map keys store it as '~', which no id may contain
// (questionnaires.Validate allows [a-z0-9_.-]).
func qkey(id string) string { return strings.ReplaceAll(id, ".", "~") }
func qid(key string) string { return strings.ReplaceAll(key, "~", ".") }

// qpath is the update path of one question's entry in a map field; an id
// that could escape its field is refused.
func qpath(field, id string) (string, error) {
	if id == "" || strings.ContainsAny(id, "$~\x00") {
		return "", apperr.Wrapf(apperr.ErrBadRequest, "invalid question id %q", id)
	}
	return field + "." + qkey(id), nil
}

func rekey[V any](m map[string]V, f func(string) string) map[string]V {
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[f(k)] = v
	}
	return out
}

// assessmentListProjection leaves out what lists never show: the answers and
// per-question score details.
var assessmentListProjection = bson.M{"answers": 0, "evidence": 0, "score.questions": 0, "final_score.questions": 0}

// Insert stores a new assessment.
func (s *Assessments) Insert(ctx context.Context, a *assessments.Assessment) error {
	if a.Template == nil {
		return fmt.Errorf("assessment %s has no template", a.ID)
	}
	snap, err := s.saveSnapshot(ctx, a.Template)
	if err != nil {
		return err
	}
	doc := assessmentDoc{Assessment: *a, Snapshot: snap}
	doc.Template = nil
	doc.Answers = packedAnswers(a.Answers)
	if doc.Answers == nil {
		doc.Answers = packedAnswers{}
	}
	doc.Reviews = rekey(a.Reviews, qkey)
	doc.Reopened = rekey(a.Reopened, qkey)
	if doc.Clarifications == nil {
		doc.Clarifications = []assessments.Clarification{}
	}
	if _, err := s.c.InsertOne(ctx, &doc); err != nil {
		if IsDuplicate(err) {
			return fmt.Errorf("assessment %s: %w", a.ID, apperr.ErrConflict)
		}
		return fmt.Errorf("inserting assessment: %w", err)
	}
	if _, err := s.links.InsertOne(ctx, linkDoc{ID: a.TokenHash, AssessmentID: a.ID}); err != nil {
		_, _ = s.c.DeleteOne(context.WithoutCancel(ctx), bson.M{"_id": a.ID})
		return fmt.Errorf("inserting assessment link: %w", err)
	}
	if err := s.noteHistory(ctx, a); err != nil {
		_ = s.Delete(context.WithoutCancel(ctx), a.ID)
		return err
	}
	return nil
}

func historyID(vendorID, templateKey string) string { return vendorID + "|" + templateKey }

// noteHistory adds a to its vendor's list for its template.
func (s *Assessments) noteHistory(ctx context.Context, a *assessments.Assessment) error {
	hid := historyID(a.VendorID, a.TemplateKey)
	defer lockAssessment(hid)()
	_, err := s.history.UpdateOne(ctx, bson.M{"_id": hid}, bson.M{"$set": bson.M{"ids." + a.ID: a.CreatedAt}}, options.Update().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("recording assessment history: %w", err)
	}
	return nil
}

// Delete removes an assessment, its link and its place in the history.
func (s *Assessments) Delete(ctx context.Context, id string) error {
	var a assessments.Assessment
	err := s.c.FindOne(ctx, bson.M{"_id": id}, options.FindOne().SetProjection(bson.M{"vendor_id": 1, "template_key": 1})).Decode(&a)
	if IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("deleting assessment %s: %w", id, err)
	}
	hid := historyID(a.VendorID, a.TemplateKey)
	unlock := lockAssessment(hid)
	_, err = s.history.UpdateOne(ctx, bson.M{"_id": hid}, bson.M{"$unset": bson.M{"ids." + id: ""}})
	unlock()
	if err != nil {
		return fmt.Errorf("deleting history of assessment %s: %w", id, err)
	}
	if _, err := s.links.DeleteMany(ctx, bson.M{"assessment_id": id}); err != nil {
		return fmt.Errorf("deleting link of assessment %s: %w", id, err)
	}
	if _, err := s.c.DeleteOne(ctx, bson.M{"_id": id}); err != nil {
		return fmt.Errorf("deleting assessment %s: %w", id, err)
	}
	return nil
}

// Get returns one whole assessment.
func (s *Assessments) Get(ctx context.Context, id string) (*assessments.Assessment, error) {
	return s.whole(ctx, bson.M{"_id": id})
}

// ByTokenHash returns the assessment a link's token opens. A link left
// behind by an interrupted resend opens nothing: the assessment must still
// carry the hash the link was made for.
func (s *Assessments) ByTokenHash(ctx context.Context, hash string) (*assessments.Assessment, error) {
	id, primary, err := s.LinkTarget(ctx, hash)
	if err != nil {
		return nil, err
	}
	a, err := s.whole(ctx, bson.M{"_id": id})
	if err != nil {
		return nil, err
	}
	if a.TokenHash != primary {
		return nil, apperr.ErrNotFound
	}
	return a, nil
}

// LinkTarget returns the assessment a link opens and the token hash that
// assessment must carry for the link to work.
func (s *Assessments) LinkTarget(ctx context.Context, hash string) (id, primary string, err error) {
	l, ok := s.primaries.get(hash)
	if !ok {
		err := s.links.FindOne(ctx, bson.M{"_id": hash}).Decode(&l)
		if IsNotFound(err) {
			return "", "", apperr.ErrNotFound
		}
		if err != nil {
			return "", "", fmt.Errorf("reading link: %w", err)
		}
		if l.Primary == "" {
			s.primaries.put(l)
		}
	}
	if l.Primary == "" {
		return l.AssessmentID, l.ID, nil
	}
	return l.AssessmentID, l.Primary, nil
}

// primaryLinks remembers which assessment a primary link opens, saving a
// read per supplier request. Only primary links are kept: what one says
// never changes, and whether it still works is decided by the assessment
// read on every request (its token hash must be the link's), so an entry
// can be stale but never wrong, on any number of instances. An extra link
// can be removed while its primary stays current, so it is always read.
type primaryLinks struct {
	mu sync.Mutex
	m  map[string]string // token hash → assessment id
}

// maxPrimaryLinks bounds the memory: at 500 vendors answering at once the
// map holds 500 entries; past the bound it starts again empty.
const maxPrimaryLinks = 20000

func (p *primaryLinks) get(hash string) (linkDoc, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	id, ok := p.m[hash]
	return linkDoc{ID: hash, AssessmentID: id}, ok
}

func (p *primaryLinks) put(l linkDoc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil || len(p.m) >= maxPrimaryLinks {
		p.m = make(map[string]string)
	}
	p.m[l.ID] = l.AssessmentID
}

// AddLink makes hash a further link to assessment id for as long as
// primaryHash is its current link.
func (s *Assessments) AddLink(ctx context.Context, id, primaryHash, hash string) error {
	if _, err := s.links.InsertOne(ctx, linkDoc{ID: hash, AssessmentID: id, Primary: primaryHash}); err != nil {
		return fmt.Errorf("inserting assessment link: %w", err)
	}
	return nil
}

// RemoveLink deletes a further link of assessment id; the primary link
// is never touched, since its document has no primary field.
func (s *Assessments) RemoveLink(ctx context.Context, id, hash string) error {
	_, err := s.links.DeleteOne(ctx, bson.M{"_id": hash, "assessment_id": id, "primary": bson.M{"$exists": true}})
	if err != nil {
		return fmt.Errorf("deleting assessment link: %w", err)
	}
	return nil
}

// whole reads an assessment with its template snapshot and its files.
func (s *Assessments) whole(ctx context.Context, filter bson.M) (*assessments.Assessment, error) {
	var d assessmentDoc
	err := s.c.FindOne(ctx, filter).Decode(&d)
	if IsNotFound(err) {
		return nil, apperr.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading assessment: %w", err)
	}
	a := &d.Assessment
	a.Answers = d.Answers
	a.Files = oldestFirst(d.Evidence)
	decode(a)
	if a.Template, err = s.snapshot(ctx, d.Snapshot); err != nil {
		return nil, err
	}
	return a, nil
}

// decode restores question ids in the map fields and gives nil maps a
// value, so callers can index them.
func decode(a *assessments.Assessment) {
	if a.Answers == nil { // packed answers keep their ids (packedAnswers)
		a.Answers = map[string]assessments.Answer{}
	}
	a.Reviews = rekey(a.Reviews, qid)
	a.Reopened = rekey(a.Reopened, qid)
}

// List returns a page of assessments without their template snapshot and
// answers, and the number matching.
func (s *Assessments) List(ctx context.Context, f assessments.Filter) ([]assessments.Assessment, int64, error) {
	q := bson.M{}
	if f.VendorID != "" {
		q["vendor_id"] = f.VendorID
	}
	if len(f.Statuses) > 0 {
		q["status"] = bson.M{"$in": f.Statuses}
	}
	if !f.DueBefore.IsZero() {
		q["due_date"] = bson.M{"$lt": f.DueBefore}
	}
	if f.Tier != 0 {
		q["vendor_tier"] = f.Tier
	}
	if f.Residual != "" {
		q["score.risk.residual"] = f.Residual
	}
	if term := strings.TrimSpace(f.Q); term != "" {
		re := bson.M{"$regex": regexp.QuoteMeta(term), "$options": "i"}
		q["$or"] = bson.A{bson.M{"vendor_name": re}, bson.M{"contact_email": re}, bson.M{"template_key": re}}
	}
	var order bson.D
	switch f.Sort {
	case assessments.SortOldestSubmitted:
		order = bson.D{{Key: "submitted_at", Value: 1}, {Key: "_id", Value: 1}}
	case assessments.SortDue:
		order = bson.D{{Key: "due_date", Value: 1}, {Key: "_id", Value: 1}}
	default:
		order = bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}
	}
	page, per := Paging(f.Page, f.Per)
	total, err := s.c.CountDocuments(ctx, q)
	if err != nil {
		return nil, 0, fmt.Errorf("counting assessments: %w", err)
	}
	cur, err := s.c.Find(ctx, q, options.Find().SetSort(order).SetProjection(assessmentListProjection).
		SetSkip(int64((page-1)*per)).SetLimit(int64(per)))
	if err != nil {
		return nil, 0, fmt.Errorf("listing assessments: %w", err)
	}
	out := []assessments.Assessment{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, 0, fmt.Errorf("listing assessments: %w", err)
	}
	for i := range out {
		decode(&out[i])
	}
	return out, total, nil
}

// Previous returns the newest earlier assessment of the same vendor and
// template in one of statuses, without template and answers.
func (s *Assessments) Previous(ctx context.Context, vendorID, templateKey string, statuses []assessments.Status, before time.Time) (*assessments.Assessment, error) {
	var h struct {
		IDs map[string]time.Time `bson:"ids"`
	}
	err := s.history.FindOne(ctx, bson.M{"_id": historyID(vendorID, templateKey)}).Decode(&h)
	if IsNotFound(err) {
		return nil, apperr.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("assessment history: %w", err)
	}
	ids := make([]string, 0, len(h.IDs))
	for id, at := range h.IDs {
		if at.Before(before) {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return h.IDs[ids[i]].After(h.IDs[ids[j]]) })
	for _, id := range ids {
		var a assessments.Assessment
		err := s.c.FindOne(ctx, bson.M{"_id": id}, options.FindOne().SetProjection(assessmentListProjection)).Decode(&a)
		if IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("previous assessment: %w", err)
		}
		for _, st := range statuses {
			if a.Status == st {
				decode(&a)
				return &a, nil
			}
		}
	}
	return nil, apperr.ErrNotFound
}

// Update applies one change atomically if the document still matches exp.
func (s *Assessments) Update(ctx context.Context, id string, exp assessments.Expect, ch assessments.Change) error {
	guard := bson.M{}
	if len(exp.Statuses) > 0 {
		guard["status"] = bson.M{"$in": exp.Statuses}
	}
	if exp.TokenHash != "" {
		guard["token_hash"] = exp.TokenHash
	}
	if exp.Version != 0 {
		guard["version"] = exp.Version
	}
	update, err := updateOf(ch)
	if err != nil {
		return err
	}
	if len(ch.Answers) > 0 || len(ch.ClearAnswers) > 0 {
		// Packed answers change by read, merge and write, which is Modify
		// with the guard checked on what it read.
		return s.Modify(ctx, id, func(a *assessments.Assessment) (assessments.Change, error) {
			st := assessmentState{Status: a.Status, TokenHash: a.TokenHash, Version: a.Version}
			if !st.holds(exp) {
				return assessments.Change{}, fmt.Errorf("assessment %s changed meanwhile: %w", id, apperr.ErrConflict)
			}
			return ch, nil
		})
	}
	// The lock serializes the writers of one assessment in this process,
	// which is what makes the guard's read by _id safe on FerretDB: the
	// embedded database serves one process.
	defer lockAssessment(id)()
	var cur assessmentState
	filter, held, err := guardedFilter(ctx, s.c, s.idOnly(ctx), id, guard, &cur, func() bool { return cur.holds(exp) })
	if err != nil {
		return fmt.Errorf("updating assessment %s: %w", id, err)
	}
	if held {
		if ch.TokenHash != "" {
			// The new link exists before the assessment names it, so that
			// it works the moment the update lands.
			if _, err := s.links.InsertOne(ctx, linkDoc{ID: ch.TokenHash, AssessmentID: id}); err != nil {
				return fmt.Errorf("inserting assessment link: %w", err)
			}
		}
		res, err := s.c.UpdateOne(ctx, filter, update)
		if err == nil && res.MatchedCount > 0 {
			return s.dropLinks(ctx, id, ch)
		}
		if ch.TokenHash != "" {
			_, _ = s.links.DeleteOne(context.WithoutCancel(ctx), bson.M{"_id": ch.TokenHash})
		}
		if err != nil {
			return fmt.Errorf("updating assessment %s: %w", id, err)
		}
	}
	n, err := s.c.CountDocuments(ctx, bson.M{"_id": id})
	if err != nil {
		return fmt.Errorf("updating assessment %s: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("assessment %s: %w", id, apperr.ErrNotFound)
	}
	return fmt.Errorf("assessment %s changed meanwhile: %w", id, apperr.ErrConflict)
}

// Modify applies the change fn makes of assessment id as it is stored: on
// FerretDB fn sees the document read under the writers' lock and the write
// is by _id; on MongoDB the write is guarded by the version read, and fn
// runs again on a fresh read when another writer came in between. One read
// and one write, where Update's guard costs a read of its own after the
// caller's. fn's error is returned as it is, with nothing written.
func (s *Assessments) Modify(ctx context.Context, id string, fn func(*assessments.Assessment) (assessments.Change, error)) error {
	defer lockAssessment(id)()
	idOnly := s.idOnly(ctx)
	for attempt := 1; ; attempt++ {
		a, err := s.whole(ctx, bson.M{"_id": id})
		if err != nil {
			return fmt.Errorf("assessment %s: %w", id, err)
		}
		ch, err := fn(a)
		if err != nil {
			return err
		}
		if ch.TokenHash != "" {
			return fmt.Errorf("a new link goes through Update, not Modify")
		}
		update, err := updateOf(ch)
		if err != nil {
			return err
		}
		if len(ch.Answers) > 0 || len(ch.ClearAnswers) > 0 {
			update["$set"].(bson.M)["answers"] = merged(a.Answers, ch)
		}
		filter := bson.M{"_id": id}
		if !idOnly {
			filter["version"] = a.Version
		}
		res, err := s.c.UpdateOne(ctx, filter, update)
		if err != nil {
			return fmt.Errorf("updating assessment %s: %w", id, err)
		}
		if res.MatchedCount > 0 {
			return s.dropLinks(ctx, id, ch)
		}
		if idOnly || attempt == 5 {
			return fmt.Errorf("assessment %s kept changing: %w", id, apperr.ErrConflict)
		}
	}
}

// assessmentState is what a guarded update reads of an assessment: the
// guarded fields.
type assessmentState struct {
	Status    assessments.Status `bson:"status"`
	TokenHash string             `bson:"token_hash"`
	Version   int64              `bson:"version"`
}

func (st *assessmentState) holds(exp assessments.Expect) bool {
	return (len(exp.Statuses) == 0 || slices.Contains(exp.Statuses, st.Status)) &&
		(exp.TokenHash == "" || exp.TokenHash == st.TokenHash) && (exp.Version == 0 || exp.Version == st.Version)
}

// idOnly reports whether the server only finds documents fast by a bare
// _id (see filtersByIDOnly); tests may force either answer.
func (s *Assessments) idOnly(ctx context.Context) bool {
	if s.forceIDOnly != nil {
		return *s.forceIDOnly
	}
	return filtersByIDOnly(ctx, s.c.Database())
}

// dropLinks deletes the links a change withdrew: all of a revoked
// assessment's, and the old one of a renewed link. The change itself is
// made, and a link left behind opens nothing (ByTokenHash checks the hash,
// Portal the status), so a failure here only costs the equal timing of
// unknown and revoked links until the next change.
func (s *Assessments) dropLinks(ctx context.Context, id string, ch assessments.Change) error {
	var filter bson.M
	switch {
	case ch.Status == assessments.StatusRevoked:
		filter = bson.M{"assessment_id": id}
	case ch.TokenHash != "":
		filter = bson.M{"assessment_id": id, "_id": bson.M{"$ne": ch.TokenHash}}
	default:
		return nil
	}
	_, _ = s.links.DeleteMany(context.WithoutCancel(ctx), filter)
	return nil
}

// updateOf turns a change into $set/$unset/$inc, one path per question.
func updateOf(ch assessments.Change) (bson.M, error) {
	set, unset := bson.M{}, bson.M{}
	str := func(field, v string) {
		if v != "" {
			set[field] = v
		}
	}
	at := func(field string, t time.Time) {
		if !t.IsZero() {
			set[field] = t
		}
	}
	str("status", string(ch.Status))
	str("token_hash", ch.TokenHash)
	at("due_date", ch.DueDate)
	at("expires_at", ch.ExpiresAt)
	at("link_sent_at", ch.LinkSentAt)
	at("started_at", ch.StartedAt)
	at("submitted_at", ch.SubmittedAt)
	at("completed_at", ch.CompletedAt)
	// Answers are packed: Update merges them into the stored ones.
	for id := range ch.Answers {
		if _, err := qpath("answers", id); err != nil {
			return nil, err
		}
	}
	for _, id := range ch.ClearAnswers {
		if _, err := qpath("answers", id); err != nil {
			return nil, err
		}
	}
	for id, r := range ch.Reviews {
		p, err := qpath("reviews", id)
		if err != nil {
			return nil, err
		}
		set[p] = r
	}
	if ch.ClearReopen && len(ch.Reopen) > 0 {
		return nil, fmt.Errorf("a change cannot both clear and reopen questions")
	}
	if ch.ClearReopen {
		set["reopened"] = bson.M{}
	}
	for id, c := range ch.Reopen {
		p, err := qpath("reopened", id)
		if err != nil {
			return nil, err
		}
		set[p] = c
	}
	if ch.Clarifications != nil {
		set["clarifications"] = ch.Clarifications
	}
	if ch.Findings != nil {
		set["findings"] = ch.Findings
	}
	if ch.Decision != nil {
		set["decision"] = ch.Decision
	}
	if ch.FinalScore != nil {
		set["final_score"] = ch.FinalScore
	}
	// Everything above is a state change a guarded update may rely on;
	// the caches below are not.
	bump := len(set) > 0 || len(unset) > 0 || len(ch.Answers) > 0 || len(ch.ClearAnswers) > 0
	if ch.Score != nil {
		set["score"] = ch.Score
	}
	if ch.Progress != nil {
		set["progress"] = ch.Progress
	}
	at("updated_at", ch.At)
	if len(set) == 0 && len(unset) == 0 && !bump {
		return nil, fmt.Errorf("an assessment update with no change")
	}
	update := bson.M{"$set": set}
	if len(unset) > 0 {
		update["$unset"] = unset
	}
	if bump {
		update["$inc"] = bson.M{"version": 1}
	}
	return update, nil
}
