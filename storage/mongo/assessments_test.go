package mongo_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/scoring"
	storemongo "github.com/assayhq/assay/storage/mongo"
	"github.com/assayhq/assay/testenv"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
)

func storedTemplate() *questionnaires.Template {
	return &questionnaires.Template{Key: "dotted", Version: 1, Title: "Dotted ids", Sections: []questionnaires.Section{{
		ID: "s", Title: "S", Questions: []questionnaires.Question{
			{ID: "a.one", Text: "One?", Type: questionnaires.TypeYesNo, Controls: []string{"A.5.1"}},
			{ID: "a.two", Text: "Two?", Type: questionnaires.TypeText, Controls: []string{"A.5.2"}},
		},
	}}}
}

func newStoredAssessment(id, hash string, at time.Time) *assessments.Assessment {
	return &assessments.Assessment{
		ID: id, VendorID: "v1", VendorName: "Acme", TemplateKey: "dotted", TemplateVersion: 1, TemplateTitle: "Dotted ids", Template: storedTemplate(),
		ContactEmail: "a@acme.example", TokenHash: hash, Status: assessments.StatusSent, DueDate: at, ExpiresAt: at.AddDate(0, 1, 0),
		Answers:  map[string]assessments.Answer{"a.one": assessments.AnswerOf("yes", at)},
		Reviews:  map[string]assessments.QuestionReview{"a.two": {Status: "flagged", By: "r", At: at}},
		Reopened: map[string]assessments.Clarification{}, CreatedAt: at, UpdatedAt: at, Version: 1,
	}
}

// insertStored stores an assessment per id, each with link hash-<id>.
func insertStored(t *testing.T, s *storemongo.Assessments, at time.Time, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := s.Insert(context.Background(), newStoredAssessment(id, "hash-"+id, at)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAssessmentStoreKeysLinksAndGuards(t *testing.T) {
	db := testenv.Mongo(t)
	ctx := context.Background()
	if err := storemongo.EnsureIndexes(ctx, db, storemongo.AssessmentIndexes); err != nil {
		t.Fatal(err)
	}
	s := storemongo.NewAssessments(db)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	insertStored(t, s, at, "as1", "as2")

	// Dotted question ids survive the trip, the answers stored packed in
	// one binary, and the template is stored once for both assessments.
	got, err := s.Get(ctx, "as1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Answers["a.one"].Value() != "yes" || got.Reviews["a.two"].Status != "flagged" || got.Template == nil || got.Template.Title != "Dotted ids" {
		t.Fatalf("read back %+v", got)
	}
	var raw bson.M
	if err := db.Collection("assessments").FindOne(ctx, bson.M{"_id": "as1"}).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	packed, ok := raw["answers"].(primitive.Binary)
	var stored bson.M
	if ok {
		ok = bson.Unmarshal(packed.Data, &stored) == nil
	}
	if _, found := stored["a.one"]; !ok || !found || raw["template"] != nil {
		t.Errorf("stored answers %v, template %v", raw["answers"], raw["template"])
	}
	if n, _ := db.Collection("template_snapshots").CountDocuments(ctx, bson.M{}); n != 1 {
		t.Errorf("%d template snapshots for one template", n)
	}

	// A set and an unset in one change.
	err = s.Update(ctx, "as1", assessments.Expect{TokenHash: "hash-as1", Statuses: []assessments.Status{assessments.StatusSent}},
		assessments.Change{Answers: map[string]assessments.Answer{"a.two": assessments.AnswerOf("text", at)}, ClearAnswers: []string{"a.one"}, At: at})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = s.Get(ctx, "as1")
	if _, ok := got.Answers["a.one"]; ok || got.Answers["a.two"].Value() != "text" || got.Version != 2 {
		t.Errorf("after the change: %+v version %d", got.Answers, got.Version)
	}
	// A cache-only change leaves the version alone.
	if err := s.Update(ctx, "as1", assessments.Expect{}, assessments.Change{Score: &scoring.Score{Overall: 50}}); err != nil {
		t.Fatal(err)
	}
	if got, _ = s.Get(ctx, "as1"); got.Version != 2 || got.Score == nil || got.Score.Overall != 50 {
		t.Errorf("score-only change: version %d score %+v", got.Version, got.Score)
	}

	guards := []struct {
		name string
		id   string
		exp  assessments.Expect
		ch   assessments.Change
		want error
	}{
		{"stale version", "as1", assessments.Expect{Version: 1}, assessments.Change{Status: assessments.StatusInProgress}, apperr.ErrConflict},
		{"wrong token", "as1", assessments.Expect{TokenHash: "hash-as2"}, assessments.Change{Status: assessments.StatusInProgress}, apperr.ErrConflict},
		{"wrong status", "as1", assessments.Expect{Statuses: []assessments.Status{assessments.StatusSubmitted}}, assessments.Change{Status: assessments.StatusCompleted}, apperr.ErrConflict},
		{"unknown id", "nope", assessments.Expect{}, assessments.Change{Status: assessments.StatusInProgress}, apperr.ErrNotFound},
		{"id with a dollar", "as1", assessments.Expect{}, assessments.Change{Answers: map[string]assessments.Answer{"$where": {}}}, apperr.ErrBadRequest},
	}
	// Both ways of guarding: the filter MongoDB gets, and the read by _id
	// the embedded FerretDB gets (which the server detection picks here).
	if !storemongo.FiltersByIDOnly(ctx, db) {
		t.Error("the embedded FerretDB was not detected")
	}
	for _, idOnly := range []bool{false, true} {
		storemongo.ForceIDOnlyFilters(s, idOnly)
		for _, g := range guards {
			if err := s.Update(ctx, g.id, g.exp, g.ch); !errors.Is(err, g.want) {
				t.Errorf("id-only %v, %s: %v, want %v", idOnly, g.name, err, g.want)
			}
		}
		// A guard that holds lets the change through.
		cur, _ := s.Get(ctx, "as1")
		err := s.Update(ctx, "as1", assessments.Expect{Version: cur.Version, TokenHash: "hash-as1", Statuses: []assessments.Status{cur.Status}},
			assessments.Change{Answers: map[string]assessments.Answer{"a.one": assessments.AnswerOf("no", at)}, At: at})
		if got, _ := s.Get(ctx, "as1"); err != nil || got.Version != cur.Version+1 || got.Answers["a.one"].Value() != "no" {
			t.Errorf("id-only %v, a guard that holds: %v, version %d→%d", idOnly, err, cur.Version, got.Version)
		}
	}

	// A renewed link replaces the old one, also on an instance that opened
	// the old link before the renewal; a revoked one leaves none.
	renew := func(reader *storemongo.Assessments, where, from, to string) {
		t.Helper()
		if _, err := reader.ByTokenHash(ctx, from); err != nil {
			t.Fatal(err)
		}
		if err := s.Update(ctx, "as1", assessments.Expect{TokenHash: from}, assessments.Change{TokenHash: to, At: at}); err != nil {
			t.Fatal(err)
		}
		if _, err := reader.ByTokenHash(ctx, from); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("old link %s after renewal: %v", where, err)
		}
	}
	renew(s, "on this instance", "hash-as1", "hash-new")
	renew(storemongo.NewAssessments(db), "on another instance", "hash-new", "hash-newer")
	if err := s.Update(ctx, "as1", assessments.Expect{TokenHash: "hash-newer"}, assessments.Change{TokenHash: "hash-new", At: at}); err != nil {
		t.Fatal(err)
	}
	if a, err := s.ByTokenHash(ctx, "hash-new"); err != nil || a.ID != "as1" {
		t.Errorf("new link: %v", err)
	}
	if err := s.Update(ctx, "as1", assessments.Expect{TokenHash: "hash-as1"}, assessments.Change{TokenHash: "hash-lost", At: at}); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("renewing from a stale link: %v", err)
	}
	if _, err := s.ByTokenHash(ctx, "hash-lost"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("a refused renewal left its link: %v", err)
	}
	if err := s.Update(ctx, "as1", assessments.Expect{}, assessments.Change{Status: assessments.StatusRevoked, At: at}); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.Collection("assessment_links").CountDocuments(ctx, bson.M{"assessment_id": "as1"}); n != 0 {
		t.Errorf("a revoked assessment keeps %d links", n)
	}

	// Lists leave the answers out and sort as asked.
	items, total, err := s.List(ctx, assessments.Filter{Sort: assessments.SortNewest, Per: 1})
	if err != nil || total != 2 || len(items) != 1 || items[0].ID != "as2" || len(items[0].Answers) != 0 {
		t.Errorf("list: %v total %d items %+v", err, total, items)
	}
	if len(items) == 1 && (items[0].Template != nil || items[0].TemplateTitle != "Dotted ids") {
		t.Errorf("a listed assessment carries template %v, title %q: want no snapshot but the title", items[0].Template, items[0].TemplateTitle)
	}
	if err := s.Delete(ctx, "as2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ByTokenHash(ctx, "hash-as2"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("deleted assessment's link: %v", err)
	}
}

func TestAssessmentListFiltersByTierAndResidualRisk(t *testing.T) {
	db := testenv.Mongo(t)
	ctx := context.Background()
	if err := storemongo.EnsureIndexes(ctx, db, storemongo.AssessmentIndexes); err != nil {
		t.Fatal(err)
	}
	s := storemongo.NewAssessments(db)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	scored := func(level scoring.Level) *scoring.Score {
		return &scoring.Score{Overall: 60, Grade: "C", Risk: scoring.Risk{Residual: level}}
	}
	for i, a := range []struct {
		id     string
		tier   int
		score  *scoring.Score
		status assessments.Status
	}{
		{"t1-high", 1, scored(scoring.LevelHigh), assessments.StatusSubmitted},
		{"t2-low", 2, scored(scoring.LevelLow), assessments.StatusSubmitted},
		{"t2-unscored", 2, nil, assessments.StatusSent},
		{"t3-high", 3, scored(scoring.LevelHigh), assessments.StatusClarificationRequested},
	} {
		doc := newStoredAssessment(a.id, "hash-"+a.id, at)
		doc.VendorTier, doc.Score, doc.Status = a.tier, a.score, a.status
		doc.SubmittedAt = at.Add(time.Duration(i) * time.Hour)
		if err := s.Insert(ctx, doc); err != nil {
			t.Fatal(err)
		}
	}
	// The live score changes after the insert, as autosave and reviews
	// change it: the filter reads the stored score as it is now.
	if err := s.Update(ctx, "t2-low", assessments.Expect{}, assessments.Change{Score: scored(scoring.LevelMedium)}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    assessments.Filter
		want []string
	}{
		{"tier", assessments.Filter{Tier: 2}, []string{"t2-low", "t2-unscored"}},
		{"residual risk", assessments.Filter{Residual: "high"}, []string{"t1-high", "t3-high"}},
		{"residual risk after a rescore", assessments.Filter{Residual: "medium"}, []string{"t2-low"}},
		{"the score it had before", assessments.Filter{Residual: "low"}, nil},
		{"tier and residual risk", assessments.Filter{Tier: 3, Residual: "high"}, []string{"t3-high"}},
		{"with statuses", assessments.Filter{Residual: "high", Statuses: []assessments.Status{assessments.StatusSubmitted}}, []string{"t1-high"}},
		{"a level none has", assessments.Filter{Tier: 2, Residual: "critical"}, nil},
		{"neither", assessments.Filter{}, []string{"t1-high", "t2-low", "t2-unscored", "t3-high"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f.Sort = assessments.SortOldestSubmitted
			items, total, err := s.List(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range items {
				got = append(got, a.ID)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") || total != int64(len(tt.want)) {
				t.Errorf("listed %v (total %d), want %v", got, total, tt.want)
			}
		})
	}
}

func TestEvidenceStore(t *testing.T) {
	db := testenv.Mongo(t)
	ctx := context.Background()
	s := storemongo.NewEvidence(db)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	as := storemongo.NewAssessments(db)
	insertStored(t, as, at, "a1", "a2")
	if err := s.Insert(ctx, &assessments.Evidence{ID: "e0", AssessmentID: "gone", UploadedAt: at}); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("a file of no assessment: %v, want not found", err)
	}
	for i, id := range []string{"e2", "e1", "e3"} {
		e := &assessments.Evidence{ID: id, AssessmentID: "a1", QuestionID: "q.file", Filename: id + ".pdf", UploadedAt: at.Add(time.Duration(i) * time.Minute)}
		if err := s.Insert(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Insert(ctx, &assessments.Evidence{ID: "x", AssessmentID: "a2", UploadedAt: at}); err != nil {
		t.Fatal(err)
	}
	list, err := s.List(ctx, "a1")
	if err != nil || len(list) != 3 || list[0].ID != "e2" || list[2].ID != "e3" || list[0].QuestionID != "q.file" {
		t.Fatalf("list %v %+v", err, list)
	}
	if empty, err := s.List(ctx, "none"); err != nil || len(empty) != 0 {
		t.Errorf("an assessment without files: %v %v", err, empty)
	}
	if _, err := s.Get(ctx, "a2", "e1"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("evidence through another assessment: %v", err)
	}
	if err := s.Delete(ctx, "a1", "e1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "a1", "e1"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("deleting twice: %v", err)
	}
	if err := s.Delete(ctx, "a1", "$bad"); !errors.Is(err, apperr.ErrBadRequest) {
		t.Errorf("an id that is an operator: %v", err)
	}
	if list, _ := s.List(ctx, "a1"); len(list) != 2 {
		t.Errorf("after delete: %+v", list)
	}
	// The assessment comes with its files, in the same order.
	a, err := as.Get(ctx, "a1")
	if err != nil || len(a.Files) != 2 || a.Files[0].ID != "e2" || a.Files[1].ID != "e3" {
		t.Fatalf("assessment's files: %v %+v", err, a)
	}
	// A change of answers keeps them.
	err = as.Modify(ctx, "a1", func(a *assessments.Assessment) (assessments.Change, error) {
		return assessments.Change{Answers: map[string]assessments.Answer{"q1": {Text: "yes", UpdatedAt: at}}, At: at}, nil
	})
	if a, _ := as.Get(ctx, "a1"); err != nil || len(a.Files) != 2 || a.Answers["q1"].Text != "yes" {
		t.Fatalf("after a change of answers: %v, files %+v, answers %+v", err, a.Files, a.Answers)
	}
}

// Evidence records kept by earlier versions in their own collection move
// into their assessments at start, once; a move cut short is done again,
// and records of an assessment that is gone stay where they were.
func TestEvidenceMoveLegacy(t *testing.T) {
	db := testenv.Mongo(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	as := storemongo.NewAssessments(db)
	insertStored(t, as, at, "a1", "a2", "a3")
	legacy := db.Collection("evidence")
	rec := func(id, aid string, min int) bson.M {
		return bson.M{"_id": id, "assessment_id": aid, "question_id": "q1", "filename": id + ".pdf", "size": int64(10 + min),
			"sha256": "ab", "content_type": "application/pdf", "object_key": "assessments/" + aid + "/" + id, "uploaded_at": at.Add(time.Duration(min) * time.Minute)}
	}
	_, err := legacy.InsertMany(ctx, []any{
		bson.M{"_id": "a1", "items": bson.M{"e2": rec("e2", "a1", 2), "e1": rec("e1", "a1", 1)}},
		bson.M{"_id": "a2", "items": bson.M{}},
		bson.M{"_id": "gone", "items": bson.M{"e9": rec("e9", "gone", 0)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// As if a start had moved a1 and stopped before removing its old
	// record: a3 already holds what it holds.
	ev := storemongo.NewEvidence(db)
	if err := ev.Insert(ctx, &assessments.Evidence{ID: "e3", AssessmentID: "a3", UploadedAt: at}); err != nil {
		t.Fatal(err)
	}
	for run, want := range []int{2, 0} {
		n, err := ev.MoveLegacy(ctx)
		if err != nil || n != want {
			t.Fatalf("run %d: moved %d (%v), want %d", run, n, err, want)
		}
		a1, err := as.Get(ctx, "a1")
		if err != nil || len(a1.Files) != 2 || a1.Files[0].ID != "e1" || a1.Files[1].Size != 12 || a1.Files[0].Filename != "e1.pdf" {
			t.Fatalf("run %d: a1's files %+v (%v)", run, a1, err)
		}
		if a3, _ := as.Get(ctx, "a3"); len(a3.Files) != 1 {
			t.Fatalf("run %d: a3's files %+v", run, a3.Files)
		}
		left, err := legacy.CountDocuments(ctx, bson.M{})
		if err != nil || left != 1 {
			t.Fatalf("run %d: %d old records left (%v), want only the one of a missing assessment", run, left, err)
		}
	}
}

// Answers stored before they were packed (a subdocument per answer, '.' in
// ids stored as '~') still read, and the next change of answers merges
// into them and packs them; saves of different questions at once all land,
// with the guards as MongoDB gets them and as FerretDB does.
func TestPackedAnswersReadOldDocumentsAndMerge(t *testing.T) {
	db := testenv.Mongo(t)
	ctx := context.Background()
	s := storemongo.NewAssessments(db)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	insertStored(t, s, at, "old")
	legacy := bson.M{"a~one": bson.M{"text": "no", "updated_at": at}}
	if _, err := db.Collection("assessments").UpdateOne(ctx, bson.M{"_id": "old"}, bson.M{"$set": bson.M{"answers": legacy}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "old")
	if err != nil || got.Answers["a.one"].Value() != "no" {
		t.Fatalf("an old document's answers: %+v %v", got, err)
	}
	if err := s.Update(ctx, "old", assessments.Expect{}, assessments.Change{Answers: map[string]assessments.Answer{"a.two": assessments.AnswerOf("typed", at)}, At: at}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Get(ctx, "old")
	if got.Answers["a.one"].Value() != "no" || got.Answers["a.two"].Value() != "typed" {
		t.Fatalf("after a change of an old document: %+v", got.Answers)
	}
	var raw bson.M
	if err := db.Collection("assessments").FindOne(ctx, bson.M{"_id": "old"}).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	if _, packed := raw["answers"].(primitive.Binary); !packed {
		t.Errorf("the change left the answers unpacked: %T", raw["answers"])
	}

	for idOnly, got := range raceBothWays(t, s, "par", at, func(id string, i int) error {
		ch := assessments.Change{Answers: map[string]assessments.Answer{fmt.Sprintf("q%d", i): assessments.AnswerOf("yes", at)}, At: at}
		return s.Update(ctx, id, assessments.Expect{TokenHash: "hash-" + id}, ch)
	}) {
		if len(got.Answers) != 13 || got.Version != 13 {
			t.Errorf("id-only %v: %d answers, version %d after 12 saves of different questions: want 13 and 13", idOnly, len(got.Answers), got.Version)
		}
	}
}

// raceBothWays stores an assessment for each way of guarding writes (as on
// MongoDB, as on FerretDB), makes the 12 writes write(id, i) to it at once,
// and returns each as stored after.
func raceBothWays(t *testing.T, s *storemongo.Assessments, prefix string, at time.Time, write func(id string, i int) error) map[bool]*assessments.Assessment {
	t.Helper()
	ctx := context.Background()
	out := map[bool]*assessments.Assessment{}
	for _, idOnly := range []bool{false, true} {
		storemongo.ForceIDOnlyFilters(s, idOnly)
		id := fmt.Sprintf("%s-%v", prefix, idOnly)
		insertStored(t, s, at, id)
		var wg sync.WaitGroup
		for i := range 12 {
			wg.Go(func() {
				if err := write(id, i); err != nil {
					t.Errorf("id-only %v, write %d: %v", idOnly, i, err)
				}
			})
		}
		wg.Wait()
		got, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		out[idOnly] = got
	}
	return out
}

// Modify hands fn the assessment as stored and writes the change fn makes
// of it: a refusal writes nothing, an unknown id is not found, a change of
// link is refused, and changes made at the same time from their own reads
// all land, with the writes guarded as on MongoDB and as on FerretDB.
func TestModifyWritesWhatFnMakesOfTheStoredAssessment(t *testing.T) {
	db := testenv.Mongo(t)
	ctx := context.Background()
	s := storemongo.NewAssessments(db)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	insertStored(t, s, at, "m1")
	refusal := errors.New("refused")
	if err := s.Modify(ctx, "m1", func(a *assessments.Assessment) (assessments.Change, error) {
		return assessments.Change{Status: assessments.StatusRevoked}, refusal
	}); err != refusal {
		t.Errorf("a refusal: %v", err)
	}
	if got, _ := s.Get(ctx, "m1"); got.Status != assessments.StatusSent || got.Version != 1 {
		t.Errorf("a refused change was written: %s version %d", got.Status, got.Version)
	}
	if err := s.Modify(ctx, "nope", func(*assessments.Assessment) (assessments.Change, error) {
		return assessments.Change{}, nil
	}); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("an unknown id: %v", err)
	}
	if err := s.Modify(ctx, "m1", func(*assessments.Assessment) (assessments.Change, error) {
		return assessments.Change{TokenHash: "hash-other"}, nil
	}); err == nil {
		t.Error("a change of link went through Modify")
	}
	id, primary, err := s.LinkTarget(ctx, "hash-m1")
	if err != nil || id != "m1" || primary != "hash-m1" {
		t.Errorf("link target: %q %q %v", id, primary, err)
	}
	if _, _, err := s.LinkTarget(ctx, "hash-none"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("an unknown link: %v", err)
	}

	for idOnly, got := range raceBothWays(t, s, "mod", at, func(id string, i int) error {
		return s.Modify(ctx, id, func(a *assessments.Assessment) (assessments.Change, error) {
			// What fn sees is the stored state: the count of answers goes
			// into the progress, which must end at 13.
			p := a.Progress
			p.Answered = len(a.Answers) + 1
			return assessments.Change{Answers: map[string]assessments.Answer{fmt.Sprintf("q%d", i): assessments.AnswerOf("yes", at)}, Progress: &p, At: at}, nil
		})
	}) {
		if len(got.Answers) != 13 || got.Version != 13 || got.Progress.Answered != 13 {
			t.Errorf("id-only %v: %d answers, version %d, progress %d after 12 changes: want 13 each", idOnly, len(got.Answers), got.Version, got.Progress.Answered)
		}
	}
}
