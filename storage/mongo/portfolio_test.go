package mongo_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/portfolio"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/scoring"
	storemongo "github.com/assayhq/assay/storage/mongo"
	"github.com/assayhq/assay/testenv"
	"github.com/assayhq/assay/vendors"
	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
)

// instance is one Assay process's view of a shared database: its own
// stores, and so its own in-memory copies.
type instance struct {
	raw     *storemongo.Assessments // writes that bypass the digests, as a crashed or older writer would
	tracked assessments.Store
	p       *storemongo.Portfolio
}

func newInstance(db *driver.Database) *instance {
	raw := storemongo.NewAssessments(db)
	p := storemongo.NewPortfolio(db, storemongo.NewVendors(db), raw, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return &instance{raw: raw, tracked: p.Track(raw), p: p}
}

func liteTemplate(t *testing.T) *questionnaires.Template {
	t.Helper()
	all, err := questionnaires.Library()
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range all {
		if x.Key == "vendor-lite" {
			return x
		}
	}
	t.Fatal("no vendor-lite template")
	return nil
}

func newAssessment(tpl *questionnaires.Template, id, vendorID string, st assessments.Status, due time.Time) *assessments.Assessment {
	return &assessments.Assessment{ID: id, VendorID: vendorID, VendorName: "Vendor " + vendorID, TemplateKey: tpl.Key, TemplateVersion: tpl.Version,
		Template: tpl, Status: st, DueDate: due, TokenHash: "hash-" + id, Version: 1, CreatedAt: due, UpdatedAt: due}
}

// digests returns the copy of p keyed by id.
func digests(t *testing.T, p *storemongo.Portfolio) map[string]*portfolio.Assessment {
	t.Helper()
	rows, err := p.Assessments(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*portfolio.Assessment{}
	for _, r := range rows {
		if _, dup := out[r.ID]; dup {
			t.Fatalf("digest %s twice in the copy", r.ID)
		}
		out[r.ID] = r
	}
	return out
}

func TestPortfolioDigestsAcrossInstances(t *testing.T) {
	ctx := context.Background()
	db := testenv.Mongo(t)
	tpl := liteTemplate(t)
	due := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	a, b := newInstance(db), newInstance(db)

	// Assessments written before digests existed are digested once, on first use.
	if err := a.raw.Insert(ctx, newAssessment(tpl, "old", "v1", assessments.StatusSent, due)); err != nil {
		t.Fatal(err)
	}
	got := digests(t, b.p)
	if d := got["old"]; len(got) != 1 || d == nil || d.Status != assessments.StatusSent || d.TemplateTitle != tpl.Title || !d.DueDate.Equal(due) {
		t.Fatalf("backfilled copy %+v", got)
	}

	// A hidden digest, written without a change log entry, shows whether a
	// reader reloads everything (it would appear) or only what changed.
	hidden := bson.M{"_id": "hidden", "vendor_id": "vx", "status": "sent", "version": int64(1)}
	if _, err := db.Collection("assessment_digests").InsertOne(ctx, hidden); err != nil {
		t.Fatal(err)
	}

	// A write on instance A reaches instance B's copy through the change log.
	if err := a.tracked.Insert(ctx, newAssessment(tpl, "new", "v2", assessments.StatusSent, due)); err != nil {
		t.Fatal(err)
	}
	got = digests(t, b.p)
	if got["new"] == nil || got["new"].Status != assessments.StatusSent || got["new"].VendorName != "Vendor v2" {
		t.Fatalf("B does not see A's insert: %+v", got)
	}
	if got["hidden"] != nil {
		t.Fatal("B reloaded every digest for one change")
	}

	// A relevant change is tracked; an autosave is not even logged.
	if err := a.tracked.Update(ctx, "new", assessments.Expect{Statuses: []assessments.Status{assessments.StatusSent}},
		assessments.Change{Status: assessments.StatusInProgress, StartedAt: due, At: due}); err != nil {
		t.Fatal(err)
	}
	if d := digests(t, b.p)["new"]; d.Status != assessments.StatusInProgress || d.Version != 2 {
		t.Fatalf("after the first save: %+v", d)
	}
	before := revision(t, db)
	if err := a.tracked.Update(ctx, "new", assessments.Expect{}, assessments.Change{
		Answers: map[string]assessments.Answer{"q1": assessments.AnswerOf("yes", due)}, At: due}); err != nil {
		t.Fatal(err)
	}
	if after := revision(t, db); after != before {
		t.Errorf("an autosave moved the change log from %d to %d", before, after)
	}

	// A failed guarded update leaves the digest clean and as it was.
	err := a.tracked.Update(ctx, "new", assessments.Expect{Statuses: []assessments.Status{assessments.StatusSubmitted}},
		assessments.Change{Status: assessments.StatusCompleted, At: due})
	if err == nil {
		t.Fatal("the guarded update passed")
	}
	if d := digests(t, b.p)["new"]; d.Status != assessments.StatusInProgress {
		t.Fatalf("after a failed update: %+v", d)
	}

	// Completion carries the final score and the findings' treatment status.
	final := &scoring.Score{Overall: 35, Grade: "E", Risk: scoring.Risk{Residual: scoring.LevelCritical},
		Themes: scoring.Scores{{Key: "organizational", Score: 35}}, Findings: []scoring.Finding{{Control: "A.5.19", Severity: scoring.LevelCritical}}}
	if err := a.tracked.Update(ctx, "new", assessments.Expect{}, assessments.Change{Status: assessments.StatusCompleted, CompletedAt: due, FinalScore: final, At: due}); err != nil {
		t.Fatal(err)
	}
	if err := a.tracked.Update(ctx, "new", assessments.Expect{}, assessments.Change{
		Findings: []assessments.FindingDecision{{Control: "A.5.19", Treatment: assessments.TreatMitigate, Status: assessments.FindingDone}}, At: due}); err != nil {
		t.Fatal(err)
	}
	d := digests(t, b.p)["new"]
	if d.Final == nil || d.Final.Overall != 35 || d.Final.Residual != scoring.LevelCritical || len(d.Final.Findings) != 1 || d.Final.Findings[0].Open() {
		t.Fatalf("completed digest %+v / %+v", d, d.Final)
	}

	// A writer whose digest is older than the assessment (it lost a race
	// with another instance) finds out and writes the current one.
	stale := portfolio.Digest(newAssessment(tpl, "new", "v2", assessments.StatusSent, due), "")
	if err := a.p.WriteDigest(ctx, stale); err != nil {
		t.Fatal(err)
	}
	if d := digests(t, b.p)["new"]; d.Status != assessments.StatusCompleted {
		t.Fatalf("a stale digest replaced the current one: %+v", d)
	}

	// Deleting an assessment removes its digest everywhere.
	if err := a.tracked.Delete(ctx, "old"); err != nil {
		t.Fatal(err)
	}
	if d := digests(t, b.p)["old"]; d != nil {
		t.Fatalf("deleted assessment still in B's copy: %+v", d)
	}
	if d := digests(t, a.p)["old"]; d != nil {
		t.Fatalf("deleted assessment still in A's copy: %+v", d)
	}
}

// revision counts the entries of the digests' change log.
func revision(t *testing.T, db *driver.Database) int64 {
	t.Helper()
	n, err := db.Collection("assessment_digest_changes").CountDocuments(context.Background(), bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPortfolioRepairsAndCatchesUp(t *testing.T) {
	ctx := context.Background()
	db := testenv.Mongo(t)
	tpl := liteTemplate(t)
	due := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	a := newInstance(db)
	if err := a.tracked.Insert(ctx, newAssessment(tpl, "x", "v1", assessments.StatusSent, due)); err != nil {
		t.Fatal(err)
	}

	// A writer that died between marking the digest and rewriting it: the
	// assessment moved on, the digest is dirty and old.
	if _, err := db.Collection("assessment_digests").UpdateOne(ctx, bson.M{"_id": "x"}, bson.M{"$set": bson.M{"dirty": true}}); err != nil {
		t.Fatal(err)
	}
	if err := a.raw.Update(ctx, "x", assessments.Expect{}, assessments.Change{Status: assessments.StatusRevoked, At: due}); err != nil {
		t.Fatal(err)
	}
	fresh := newInstance(db) // starts with a full load, which sees the dirty flag
	if d := digests(t, fresh.p)["x"]; d.Status != assessments.StatusSent {
		t.Fatalf("before repair: %+v", d)
	}
	if err := fresh.p.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if d := digests(t, fresh.p)["x"]; d.Status != assessments.StatusRevoked {
		t.Fatalf("Refresh did not rebuild the dirty digest: %+v", d)
	}
	if d := digests(t, a.p)["x"]; d.Status != assessments.StatusRevoked {
		t.Fatalf("the repair did not reach the other instance: %+v", d)
	}

	// More changes than a copy catches up on by lookups (200): the reader
	// falls back to a full load.
	const n = 210
	for i := range n {
		if err := a.tracked.Insert(ctx, newAssessment(tpl, fmt.Sprintf("bulk%03d", i), "v2", assessments.StatusSent, due)); err != nil {
			t.Fatal(err)
		}
	}
	if got := digests(t, fresh.p); len(got) != n+1 {
		t.Fatalf("after %d inserts the copy holds %d digests", n, len(got))
	}
}

// The portfolio service computes a dashboard once per change of either
// copy: the same copies give the same figures, any write gives new ones.
func TestPortfolioDashboardIsRecomputedOnChange(t *testing.T) {
	ctx := context.Background()
	db := testenv.Mongo(t)
	tpl := liteTemplate(t)
	due := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	in := newInstance(db)
	vs := storemongo.NewVendors(db)
	p := storemongo.NewPortfolio(db, vs, in.raw, nil)
	svc := portfolio.NewService(p, func() time.Time { return due.AddDate(0, 0, 10) })
	tracked := p.Track(in.raw)
	if err := vs.Insert(ctx, &vendors.Vendor{ID: "v1", Name: "Acme", NameLower: "acme", Tier: 1, Status: vendors.StatusActive}); err != nil {
		t.Fatal(err)
	}
	if err := tracked.Insert(ctx, newAssessment(tpl, "a1", "v1", assessments.StatusSent, due)); err != nil {
		t.Fatal(err)
	}
	d1, err := svc.Dashboard(ctx, portfolio.View2022)
	if err != nil {
		t.Fatal(err)
	}
	d2, _ := svc.Dashboard(ctx, portfolio.View2022)
	if d1.OverdueTotal != 1 || &d1.Risk[0] != &d2.Risk[0] {
		t.Fatalf("an unchanged portfolio was recomputed (or is wrong: %d overdue)", d1.OverdueTotal)
	}
	if err := tracked.Update(ctx, "a1", assessments.Expect{}, assessments.Change{Status: assessments.StatusRevoked, At: due}); err != nil {
		t.Fatal(err)
	}
	d3, _ := svc.Dashboard(ctx, portfolio.View2022)
	if d3.OverdueTotal != 0 {
		t.Fatalf("after a revoke the dashboard still shows %d overdue", d3.OverdueTotal)
	}
	if err := vs.Insert(ctx, &vendors.Vendor{ID: "v2", Name: "Beta", NameLower: "beta", Tier: 2, Status: vendors.StatusActive}); err != nil {
		t.Fatal(err)
	}
	if d4, _ := svc.Dashboard(ctx, portfolio.View2022); d4.Vendors != 2 {
		t.Fatalf("after a new vendor the dashboard counts %d", d4.Vendors)
	}
}

// The reminders scheduler expires links by writing the assessment itself;
// its tracked store rebuilds the digest, so the questionnaire leaves the
// overdue list.
func TestPortfolioTracksExpiry(t *testing.T) {
	ctx := context.Background()
	db := testenv.Mongo(t)
	tpl := liteTemplate(t)
	due := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	in := newInstance(db)
	a := newAssessment(tpl, "x", "v1", assessments.StatusInProgress, due)
	a.ExpiresAt = due.AddDate(0, 0, 30)
	if err := in.tracked.Insert(ctx, a); err != nil {
		t.Fatal(err)
	}
	expire := in.p.TrackExpiry(storemongo.NewReminders(db))
	if done, err := expire.Expire(ctx, "x", due); err != nil || done {
		t.Fatalf("expired before its time: %v %v", done, err)
	}
	if d := digests(t, in.p)["x"]; d.Status != assessments.StatusInProgress {
		t.Fatalf("digest %+v", d)
	}
	if done, err := expire.Expire(ctx, "x", due.AddDate(0, 0, 31)); err != nil || !done {
		t.Fatalf("not expired: %v %v", done, err)
	}
	other := newInstance(db)
	if d := digests(t, other.p)["x"]; d.Status != assessments.StatusExpired {
		t.Fatalf("after expiry the digest says %s", d.Status)
	}
	if d := digests(t, in.p)["x"]; d.Status != assessments.StatusExpired {
		t.Fatalf("after expiry this instance's copy says %s", d.Status)
	}
}

// TestChangeLogSweep: the register's and the digests' change logs lose
// their old entries, keep the recent ones, and a copy loaded before a
// sweep still catches up on the writes after it.
func TestChangeLogSweep(t *testing.T) {
	ctx := context.Background()
	db := testenv.Mongo(t)
	tpl := liteTemplate(t)
	due := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	a, b := newInstance(db), newInstance(db)
	vs := storemongo.NewVendors(db)
	for i := range 3 {
		id := fmt.Sprintf("sw%d", i)
		if err := vs.Insert(ctx, &vendors.Vendor{ID: id, Name: "Sweep " + id, NameLower: "sweep " + id, Status: vendors.StatusActive}); err != nil {
			t.Fatal(err)
		}
		if err := a.tracked.Insert(ctx, newAssessment(tpl, id, id, assessments.StatusSent, due)); err != nil {
			t.Fatal(err)
		}
	}
	entries := func() (vendorLog, digestLog int64) {
		t.Helper()
		v, err := db.Collection("change_log").CountDocuments(ctx, bson.M{})
		if err != nil {
			t.Fatal(err)
		}
		d, err := db.Collection("assessment_digest_changes").CountDocuments(ctx, bson.M{})
		if err != nil {
			t.Fatal(err)
		}
		return v, d
	}
	if v, d := entries(); v != 3 || d < 3 {
		t.Fatalf("before any sweep: %d register entries, %d digest entries", v, d)
	}
	if got := digests(t, b.p); len(got) != 3 {
		t.Fatalf("copy before the sweep: %d digests", len(got))
	}
	if vl, err := b.p.Vendors(ctx); err != nil || len(vl) != 3 {
		t.Fatalf("register copy before the sweep: %d vendors, %v", len(vl), err)
	}

	// Now: every entry is recent and stays.
	if err := a.p.SweepChangeLogs(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	if v, d := entries(); v != 3 || d < 3 {
		t.Fatalf("a sweep now removed recent entries: %d and %d left", v, d)
	}
	// Two hours on, all of them are past keeping.
	if err := a.p.SweepChangeLogs(ctx, time.Now().Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if v, d := entries(); v != 0 || d != 0 {
		t.Fatalf("a sweep two hours on left %d register and %d digest entries", v, d)
	}

	// Writes after the sweep take the next numbers and reach the copies.
	if err := vs.Insert(ctx, &vendors.Vendor{ID: "sw9", Name: "Sweep sw9", NameLower: "sweep sw9", Status: vendors.StatusActive}); err != nil {
		t.Fatal(err)
	}
	if err := a.tracked.Update(ctx, "sw0", assessments.Expect{}, assessments.Change{Status: assessments.StatusRevoked, At: due}); err != nil {
		t.Fatal(err)
	}
	if d := digests(t, b.p)["sw0"]; d == nil || d.Status != assessments.StatusRevoked {
		t.Fatalf("the copy loaded before the sweep missed a later change: %+v", d)
	}
	if vl, err := b.p.Vendors(ctx); err != nil || len(vl) != 4 {
		t.Fatalf("register copy after the sweep: %d vendors, %v", len(vl), err)
	}
}
