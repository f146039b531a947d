package mongo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/portfolio"
	"github.com/assayhq/assay/vendors"
	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Portfolio implements portfolio.Store.
//
// The dashboard aggregates every vendor and every assessment. Reading the
// assessments themselves for that is out of the question on the embedded
// FerretDB, which decodes every document of a collection for any query but
// an _id lookup: a completed assessment with its answers and score details
// is ~100 KB, and a projected scan of 2,000 of them had not finished after
// five minutes on the 2-core test machine. Instead:
//
//   - every write of an assessment that can change what the dashboard shows
//     (portfolio.Relevant: status, due date, findings, final score) also
//     writes a digest of a few hundred bytes to "assessment_digests", by
//     _id, then checks the assessment's version so that a digest that lost
//     a race to an older one is written again (see write); Track wraps the
//     assessments store to do it;
//   - each digest write is appended, digest included, to a change log
//     (changeLog, as the vendor register), and each instance keeps an
//     in-memory copy of the digests that it brings up to date from the log:
//     one _id lookup of it when nothing changed, one more per change;
//   - the vendors come from the register's own change-logged copy.
//
// A digest is marked dirty before its assessment is written and cleaned by
// the digest write that follows; a process that dies in between leaves it
// dirty, and Refresh rebuilds dirty digests from their assessment. The same
// code runs on MongoDB, where the digests are simply small documents read
// with the collection's _id index.
type Portfolio struct {
	vendors *Vendors
	source  *Assessments
	src     *driver.Collection
	c       *driver.Collection
	revs    *driver.Collection
	changes changeLog
	log     *slog.Logger

	// load lets one caller at a time bring the copy up to date, so that
	// concurrent first requests load the digests once.
	load sync.Mutex

	mu    sync.Mutex
	seq   int64     // the copy includes every change up to this log entry
	at    time.Time // of the last full load
	rows  []*portfolio.Assessment
	pos   map[string]int
	dirty map[string]bool
	// pending are digests whose write failed after their assessment's:
	// Refresh retries them.
	pending map[string]bool
}

const (
	digestsName = "assessment_digests"
	// digestMaxAge bounds how long a copy is trusted without a full load,
	// in case a writer died between a digest and its log entry. Log
	// entries are kept well beyond it (changeLogKeep), so that no copy
	// young enough to catch up by lookups ever finds one swept away.
	digestMaxAge  = 10 * time.Minute
	changeLogKeep = 6 * digestMaxAge
	// digestCatchUp is how many changes a copy catches up on by lookups; a
	// copy further behind is reloaded whole.
	digestCatchUp = 200
	// backfillBatch is how many digests the first start writes at once.
	backfillBatch = 500
)

// PortfolioIndexes: the digests and their log are read by _id; the sweep of
// old log entries filters on their time.
var PortfolioIndexes = []Index{changeLogIndex("assessment_digest_changes")}

// NewPortfolio returns the portfolio store over the register's store v and
// the assessments store a (for rebuilding digests).
func NewPortfolio(db *driver.Database, v *Vendors, a *Assessments, log *slog.Logger) *Portfolio {
	return &Portfolio{
		vendors: v, source: a, src: db.Collection("assessments"), c: db.Collection(digestsName),
		revs:    db.Collection("revisions"),
		changes: newChangeLog(digestsName, db.Collection("assessment_digest_changes"), db.Collection("revisions"), digestsName),
		log:     log, pending: map[string]bool{},
	}
}

// digestDoc is a digest as stored: Dirty is set before the assessment is
// written and cleared by the digest write that follows.
type digestDoc struct {
	portfolio.Assessment `bson:",inline"`
	Dirty                bool `bson:"dirty,omitempty"`
}

// Vendors returns the register's copy.
func (p *Portfolio) Vendors(ctx context.Context) ([]*vendors.Vendor, error) {
	return p.vendors.snapshot(ctx)
}

// Assessments returns the current copy of the digests: one _id lookup of
// the change log when nothing changed, else the entries since the copy.
func (p *Portfolio) Assessments(ctx context.Context) ([]*portfolio.Assessment, error) {
	p.mu.Lock()
	rows, seq, at := p.rows, p.seq, p.at
	p.mu.Unlock()
	if rows != nil && time.Since(at) < digestMaxAge {
		changed, _, ok, err := p.changes.after(ctx, seq, 1)
		if err != nil {
			return nil, err
		}
		if ok && len(changed) == 0 {
			return rows, nil
		}
	}
	// One caller at a time brings the copy up to date; the others wait
	// and then find little or nothing left to do.
	p.load.Lock()
	defer p.load.Unlock()
	return p.update(ctx, false)
}

// update catches the copy up on the log, or loads it whole when it is
// missing, too old or too far behind (or when whole is set). The caller
// holds p.load.
func (p *Portfolio) update(ctx context.Context, whole bool) ([]*portfolio.Assessment, error) {
	p.mu.Lock()
	rows, seq, at := p.rows, p.seq, p.at
	p.mu.Unlock()
	if rows != nil && !whole && time.Since(at) < digestMaxAge {
		changes, last, ok, err := p.changes.after(ctx, seq, digestCatchUp)
		if err != nil {
			return nil, err
		}
		if ok {
			return p.apply(last, changes)
		}
	}
	return p.reload(ctx)
}

// apply brings the copy to log entry last with the digests the entries
// carry, into a new slice so that dashboards still reading the old one see
// a consistent copy. Each entry holds the digest as it was written (none
// for a deletion), so catching up reads nothing but the log: on the
// embedded FerretDB an _id lookup in a collection of 10,000 recently
// written documents takes ~90 ms, one in the short log a few.
func (p *Portfolio) apply(last int64, changes []logEntry) ([]*portfolio.Assessment, error) {
	fresh := make(map[string]*digestDoc, len(changes))
	for _, e := range changes { // in order: a later entry wins
		var d *digestDoc
		if len(e.Doc) > 0 {
			d = new(digestDoc)
			if err := bson.Unmarshal(e.Doc, d); err != nil {
				return nil, fmt.Errorf("assessment digest %s in the change log: %w", e.ID, err)
			}
		}
		fresh[e.ID] = d
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	rows := p.rows
	if len(fresh) > 0 {
		rows = slices.Clone(p.rows)
	}
	for id, d := range fresh {
		i, known := p.pos[id]
		switch {
		case d == nil && known:
			end := len(rows) - 1
			rows[i] = rows[end]
			p.pos[rows[i].ID] = i
			rows = rows[:end]
			delete(p.pos, id)
		case d == nil:
		case known:
			rows[i] = &d.Assessment
		default:
			p.pos[id] = len(rows)
			rows = append(rows, &d.Assessment)
		}
		if d != nil && d.Dirty {
			p.dirty[id] = true
		} else {
			delete(p.dirty, id)
		}
	}
	p.rows, p.seq = rows, last
	return rows, nil
}

// reload reads every digest, first making those of assessments written
// before digests existed. The log's end is read before the digests: a
// change made during the scan is looked up again next time, never missed.
func (p *Portfolio) reload(ctx context.Context) ([]*portfolio.Assessment, error) {
	var state struct {
		Backfilled bool `bson:"backfilled"`
	}
	err := p.revs.FindOne(ctx, bson.M{"_id": digestsName}).Decode(&state)
	if err != nil && !IsNotFound(err) {
		return nil, fmt.Errorf("assessment digests: %w", err)
	}
	if !state.Backfilled {
		if err := p.backfill(ctx); err != nil {
			return nil, err
		}
	}
	head, err := p.changes.head(ctx, digestCatchUp)
	if err != nil {
		return nil, err
	}
	cur, err := p.c.Find(ctx, bson.M{}, options.Find().SetBatchSize(2000))
	if err != nil {
		return nil, fmt.Errorf("assessment digests: %w", err)
	}
	defer cur.Close(ctx)
	rows := []*portfolio.Assessment{}
	pos := map[string]int{}
	dirty := map[string]bool{}
	for cur.Next(ctx) {
		d := new(digestDoc)
		if err := cur.Decode(d); err != nil {
			return nil, fmt.Errorf("assessment digests: %w", err)
		}
		pos[d.ID] = len(rows)
		rows = append(rows, &d.Assessment)
		if d.Dirty {
			dirty[d.ID] = true
		}
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("assessment digests: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rows, p.pos, p.dirty, p.seq, p.at = rows, pos, dirty, head, time.Now()
	return rows, nil
}

// backfillProjection is what a digest is made of.
var backfillProjection = bson.M{
	"vendor_id": 1, "vendor_name": 1, "template_key": 1, "template_version": 1, "template_snapshot": 1,
	"status": 1, "due_date": 1, "completed_at": 1, "findings": 1, "version": 1,
	"final_score.overall": 1, "final_score.grade": 1, "final_score.risk": 1, "final_score.themes": 1,
	"final_score.supplier_controls": 1, "final_score.domains_2013": 1, "final_score.findings": 1,
}

// backfill makes the digest of every assessment that has none: once per
// database, when digests are first used on it. A digest that exists was
// written by a tracked write and is kept.
func (p *Portfolio) backfill(ctx context.Context) error {
	cur, err := p.src.Find(ctx, bson.M{}, options.Find().SetProjection(backfillProjection).SetBatchSize(backfillBatch))
	if err != nil {
		return fmt.Errorf("assessment digests backfill: %w", err)
	}
	defer cur.Close(ctx)
	batch := make([]any, 0, backfillBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := p.c.InsertMany(ctx, batch, options.InsertMany().SetOrdered(false))
		batch = batch[:0]
		if err != nil && !onlyDuplicates(err) {
			return fmt.Errorf("assessment digests backfill: %w", err)
		}
		return nil
	}
	n := 0
	titles := map[string]string{} // snapshot → title; a missing snapshot is looked up once
	for cur.Next(ctx) {
		var a assessmentDoc
		if err := cur.Decode(&a); err != nil {
			return fmt.Errorf("assessment digests backfill: %w", err)
		}
		title, ok := titles[a.Snapshot]
		if !ok {
			if t, err := p.source.snapshot(ctx, a.Snapshot); err == nil {
				title = t.Title
			}
			titles[a.Snapshot] = title
		}
		batch = append(batch, digestDoc{Assessment: portfolio.Digest(&a.Assessment, title)})
		n++
		if len(batch) == backfillBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("assessment digests backfill: %w", err)
	}
	if err := flush(); err != nil {
		return err
	}
	_, err = p.revs.UpdateOne(ctx, bson.M{"_id": digestsName}, bson.M{"$set": bson.M{"backfilled": true}}, options.Update().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("assessment digests backfill: %w", err)
	}
	if n > 0 && p.log != nil {
		p.log.Info("made the portfolio digests of existing assessments", "assessments", n)
	}
	return nil
}

// onlyDuplicates reports whether every error of a bulk write is a
// duplicate key: digests that exist already.
func onlyDuplicates(err error) bool {
	var bw driver.BulkWriteException
	if !errors.As(err, &bw) || bw.WriteConcernError != nil || len(bw.WriteErrors) == 0 {
		return IsDuplicate(err)
	}
	for _, we := range bw.WriteErrors {
		if !driver.IsDuplicateKeyError(we) {
			return false
		}
	}
	return true
}

// Refresh rebuilds dirty and failed digests, brings the copy up to date and
// loads it whole once it is older than digestMaxAge, so that requests
// rarely have more than a change or two to apply and never wait for a
// periodic full load. The worker calls it every few seconds.
func (p *Portfolio) Refresh(ctx context.Context) error {
	p.mu.Lock()
	todo := make([]string, 0, len(p.dirty)+len(p.pending))
	for id := range p.dirty {
		todo = append(todo, id)
	}
	for id := range p.pending {
		if !p.dirty[id] {
			todo = append(todo, id)
		}
	}
	// Reloading a little before the copy's age runs out keeps requests
	// from meeting an expired copy.
	whole := p.rows != nil && time.Since(p.at) >= digestMaxAge-time.Minute
	p.mu.Unlock()
	slices.Sort(todo)
	for _, id := range todo {
		if err := p.sync(ctx, id); err != nil {
			return err
		}
	}
	p.load.Lock()
	defer p.load.Unlock()
	_, err := p.update(ctx, whole)
	return err
}

// Run calls Refresh every interval, and sweeps old change log entries
// every changeLogKeep, until ctx ends.
func (p *Portfolio) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	var swept time.Time
	for {
		err := p.Refresh(ctx)
		if err == nil && time.Since(swept) >= changeLogKeep {
			err = p.sweep(ctx, time.Now())
			swept = time.Now()
		}
		if err != nil && ctx.Err() == nil && p.log != nil {
			p.log.Warn("refreshing the portfolio digests", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweep deletes the entries of the digests' and the register's change
// logs that no copy can still need (changeLogKeep, vendorLogKeep).
func (p *Portfolio) sweep(ctx context.Context, now time.Time) error {
	if _, err := p.changes.sweep(ctx, now.Add(-changeLogKeep)); err != nil {
		return err
	}
	_, err := p.vendors.log.sweep(ctx, now.Add(-vendorLogKeep))
	return err
}

// sync rebuilds the digest of assessment id from the assessment.
func (p *Portfolio) sync(ctx context.Context, id string) error {
	a, err := p.source.Get(ctx, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return p.remove(ctx, id)
	}
	if err != nil {
		return err
	}
	return p.write(ctx, portfolio.Digest(a, ""))
}

// write stores d, then checks that its assessment is still at d's version.
// A writer on another instance may have stored a newer digest just before
// this one replaced it: the check then finds the newer version and the
// digest is rebuilt, so the last writer always leaves the current digest.
// The filters are on _id alone: the embedded FerretDB decodes the whole
// collection for any other filter (0.6 s at 10,000 digests, measured),
// where a conditional {_id, version} replace would have done this in one
// step on MongoDB.
func (p *Portfolio) write(ctx context.Context, d portfolio.Assessment) error {
	for attempt := 1; ; attempt++ {
		if err := p.put(ctx, d); err != nil {
			return err
		}
		var now struct {
			Version int64 `bson:"version"`
		}
		err := p.src.FindOne(ctx, bson.M{"_id": d.ID}, options.FindOne().SetProjection(bson.M{"version": 1})).Decode(&now)
		if err != nil && !IsNotFound(err) {
			return fmt.Errorf("assessment digest %s: %w", d.ID, err)
		}
		if err == nil && now.Version == d.Version {
			return nil
		}
		if attempt == 4 {
			return fmt.Errorf("assessment %s kept changing while its digest was written", d.ID)
		}
		a, err := p.source.Get(ctx, d.ID)
		if errors.Is(err, apperr.ErrNotFound) {
			return p.remove(ctx, d.ID)
		}
		if err != nil {
			return err
		}
		d = portfolio.Digest(a, "")
	}
}

// FerretDB applies an update by reading the document, changing it in Go and
// writing it back (doc.go), so a digest write racing a dirty mark could
// lose it. The writes of one digest are serialized within the process; the
// embedded FerretDB serves a single process, and on MongoDB each write is
// atomic. Digests of different assessments go on at once: one lock for all
// of them queued every autosave and submit behind each other's database
// round trips (a submit took 2 s at 32 suppliers, 34 ms alone). The change
// log they note to numbers its entries without a lock (changeLog.note).
var digestLocks stripedLocks

// lockDigest locks the digest of assessment id; a caller holding the
// assessment's own lock (lockAssessment) may take it, never the reverse.
func lockDigest(id string) func() { return digestLocks.lock(id) }

// put stores a clean digest and notes it in the change log.
func (p *Portfolio) put(ctx context.Context, d portfolio.Assessment) error {
	defer lockDigest(d.ID)()
	doc := digestDoc{Assessment: d}
	_, err := p.c.ReplaceOne(ctx, bson.M{"_id": d.ID}, doc, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("assessment digest %s: %w", d.ID, err)
	}
	return p.done(ctx, d.ID, &doc)
}

// remove deletes the digest of an assessment that no longer exists.
func (p *Portfolio) remove(ctx context.Context, id string) error {
	defer lockDigest(id)()
	if _, err := p.c.DeleteOne(ctx, bson.M{"_id": id}); err != nil {
		return fmt.Errorf("assessment digest %s: %w", id, err)
	}
	return p.done(ctx, id, nil)
}

// done notes a digest change in the log, with the digest as written (nil
// for a deletion), and forgets a pending retry; the caller holds the
// digest's lock.
func (p *Portfolio) done(ctx context.Context, id string, doc *digestDoc) error {
	var raw bson.Raw
	if doc != nil {
		b, err := bson.Marshal(doc)
		if err != nil {
			return fmt.Errorf("assessment digest %s: %w", id, err)
		}
		raw = b
	}
	if err := p.changes.note(ctx, id, raw); err != nil {
		return err
	}
	p.mu.Lock()
	delete(p.pending, id)
	p.mu.Unlock()
	return nil
}

// markDirty flags the digest of id before its assessment is written. A new
// assessment gets a stub digest (version 0, which any real digest
// replaces); an existing one without a digest yet (before the backfill) is
// left alone, since the digest written after the update covers it. It
// reports whether a digest is now marked.
func (p *Portfolio) markDirty(ctx context.Context, id string, create bool) (bool, error) {
	defer lockDigest(id)()
	res, err := p.c.UpdateOne(ctx, bson.M{"_id": id},
		bson.M{"$set": bson.M{"dirty": true}, "$setOnInsert": bson.M{"version": int64(0)}},
		options.Update().SetUpsert(create))
	if err != nil {
		return false, fmt.Errorf("assessment digest %s: %w", id, err)
	}
	return res.MatchedCount+res.UpsertedCount > 0, nil
}

// settled handles a failed digest write after its assessment was written:
// the write itself succeeded, so it is not failed for this; Refresh
// retries the digest.
func (p *Portfolio) settled(id string, err error) {
	if err == nil {
		return
	}
	p.mu.Lock()
	p.pending[id] = true
	p.mu.Unlock()
	if p.log != nil {
		p.log.Warn("portfolio digest not written; retrying", "assessment", id, "err", err)
	}
}

// Track returns st with the digests kept: every write that can change a
// digest marks it dirty, writes the assessment, then rebuilds the digest.
// Every assessment write must go through it (the app wires it in front of
// the assessments store).
func (p *Portfolio) Track(st assessments.Store) assessments.Store {
	return &trackedAssessments{Store: st, p: p}
}

type trackedAssessments struct {
	assessments.Store
	p *Portfolio
}

func (t *trackedAssessments) Insert(ctx context.Context, a *assessments.Assessment) error {
	if _, err := t.p.markDirty(ctx, a.ID, true); err != nil {
		return err
	}
	if err := t.Store.Insert(ctx, a); err != nil {
		// The stub goes with the failed insert (or becomes the digest of
		// the assessment already stored under that id).
		t.p.settled(a.ID, t.p.sync(ctx, a.ID))
		return err
	}
	t.p.settled(a.ID, t.p.write(ctx, portfolio.Digest(a, "")))
	return nil
}

func (t *trackedAssessments) Delete(ctx context.Context, id string) error {
	if err := t.Store.Delete(ctx, id); err != nil {
		return err
	}
	t.p.settled(id, t.p.sync(ctx, id))
	return nil
}

func (t *trackedAssessments) Update(ctx context.Context, id string, exp assessments.Expect, ch assessments.Change) error {
	if !portfolio.Relevant(ch) {
		return t.Store.Update(ctx, id, exp, ch)
	}
	marked, err := t.p.markDirty(ctx, id, false)
	if err != nil {
		return err
	}
	if err := t.Store.Update(ctx, id, exp, ch); err != nil {
		if marked {
			// Nothing changed, but the digest is dirty now: rebuild it.
			t.p.settled(id, t.p.sync(ctx, id))
		}
		return err
	}
	t.p.settled(id, t.p.sync(ctx, id))
	return nil
}

// Modify is Update's tracking for a change made from the stored
// assessment: the digest is marked dirty before the write when the change
// can alter it, and rebuilt after.
func (t *trackedAssessments) Modify(ctx context.Context, id string, fn func(*assessments.Assessment) (assessments.Change, error)) error {
	relevant := false
	err := t.Store.Modify(ctx, id, func(a *assessments.Assessment) (assessments.Change, error) {
		ch, err := fn(a)
		if err != nil || !portfolio.Relevant(ch) || relevant {
			return ch, err
		}
		if _, err := t.p.markDirty(ctx, id, false); err != nil {
			return assessments.Change{}, err
		}
		relevant = true
		return ch, nil
	})
	if relevant {
		// Written or not, the digest was marked dirty: rebuild it.
		t.p.settled(id, t.p.sync(ctx, id))
	}
	return err
}

// Expirer is the reminders scheduler's one write of an assessment
// (reminders.Store): moving an open assessment whose link expired to
// expired.
type Expirer interface {
	Expire(ctx context.Context, id string, now time.Time) (bool, error)
}

// TrackExpiry returns st with the digest of each assessment it expires
// rebuilt, as Track does for the assessments store.
func (p *Portfolio) TrackExpiry(st Expirer) Expirer { return &trackedExpiry{st: st, p: p} }

type trackedExpiry struct {
	st Expirer
	p  *Portfolio
}

func (t *trackedExpiry) Expire(ctx context.Context, id string, now time.Time) (bool, error) {
	marked, err := t.p.markDirty(ctx, id, false)
	if err != nil {
		return false, err
	}
	done, err := t.st.Expire(ctx, id, now)
	if done || marked {
		t.p.settled(id, t.p.sync(ctx, id))
	}
	return done, err
}
