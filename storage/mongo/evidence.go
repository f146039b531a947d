package mongo

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Evidence implements assessments.EvidenceStore inside the assessment
// documents: an assessment's file records are its "evidence" field, by
// evidence id. Every portal page and autosave needs them with the
// assessment, and on the embedded FerretDB each command decodes its
// document whole, so one read serves both (see doc.go); the assessment
// read hands them over as Assessment.Files.
//
// Earlier versions kept them in the "evidence" collection, one document
// per assessment: MoveLegacy moves those at start.
type Evidence struct{ c, legacy *driver.Collection }

// NewEvidence returns the evidence store.
func NewEvidence(db *driver.Database) *Evidence {
	return &Evidence{c: db.Collection("assessments"), legacy: db.Collection("evidence")}
}

type evidenceSet struct {
	ID    string                          `bson:"_id"`
	Items map[string]assessments.Evidence `bson:"evidence"`
}

func evidencePath(id string) (string, error) {
	if id == "" || strings.ContainsAny(id, ".$\x00") {
		return "", apperr.Wrapf(apperr.ErrBadRequest, "invalid evidence id %q", id)
	}
	return "evidence." + id, nil
}

// Insert records a stored file with its assessment, which must exist. It
// is serialized per assessment like the assessment's other updates,
// because FerretDB's updates are read-modify-write.
func (s *Evidence) Insert(ctx context.Context, e *assessments.Evidence) error {
	p, err := evidencePath(e.ID)
	if err != nil {
		return err
	}
	defer lockAssessment(e.AssessmentID)()
	res, err := s.c.UpdateOne(ctx, bson.M{"_id": e.AssessmentID}, bson.M{"$set": bson.M{p: e}})
	if err != nil {
		return fmt.Errorf("inserting evidence: %w", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("evidence of assessment %s: %w", e.AssessmentID, apperr.ErrNotFound)
	}
	return nil
}

func (s *Evidence) set(ctx context.Context, assessmentID string) (*evidenceSet, error) {
	var set evidenceSet
	err := s.c.FindOne(ctx, bson.M{"_id": assessmentID}, options.FindOne().SetProjection(bson.M{"evidence": 1})).Decode(&set)
	if IsNotFound(err) {
		return &evidenceSet{ID: assessmentID}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading evidence: %w", err)
	}
	return &set, nil
}

// MoveLegacy moves the file records earlier versions kept in the
// "evidence" collection into their assessments, and reports how many
// assessments it moved. Each is set on the assessment before it leaves the
// old collection, so a move cut short is done again at the next start,
// to the same result. Records of an assessment that no longer exists stay
// where they are.
func (s *Evidence) MoveLegacy(ctx context.Context) (int, error) {
	cur, err := s.legacy.Find(ctx, bson.M{})
	if err != nil {
		return 0, fmt.Errorf("reading old evidence records: %w", err)
	}
	var sets []struct {
		ID    string                          `bson:"_id"`
		Items map[string]assessments.Evidence `bson:"items"`
	}
	if err := cur.All(ctx, &sets); err != nil {
		return 0, fmt.Errorf("reading old evidence records: %w", err)
	}
	moved := 0
	for _, set := range sets {
		if len(set.Items) > 0 {
			fields := bson.M{}
			for id, e := range set.Items {
				p, err := evidencePath(id)
				if err != nil {
					return moved, err
				}
				fields[p] = e
			}
			unlock := lockAssessment(set.ID)
			res, err := s.c.UpdateOne(ctx, bson.M{"_id": set.ID}, bson.M{"$set": fields})
			unlock()
			if err != nil {
				return moved, fmt.Errorf("moving the evidence records of %s: %w", set.ID, err)
			}
			if res.MatchedCount == 0 {
				continue
			}
		}
		if _, err := s.legacy.DeleteOne(ctx, bson.M{"_id": set.ID}); err != nil {
			return moved, fmt.Errorf("moving the evidence records of %s: %w", set.ID, err)
		}
		moved++
	}
	return moved, nil
}

// Get returns one file record of an assessment.
func (s *Evidence) Get(ctx context.Context, assessmentID, id string) (*assessments.Evidence, error) {
	set, err := s.set(ctx, assessmentID)
	if err != nil {
		return nil, err
	}
	e, ok := set.Items[id]
	if !ok {
		return nil, apperr.ErrNotFound
	}
	return &e, nil
}

// List returns an assessment's files, oldest first.
func (s *Evidence) List(ctx context.Context, assessmentID string) ([]assessments.Evidence, error) {
	set, err := s.set(ctx, assessmentID)
	if err != nil {
		return nil, err
	}
	return oldestFirst(set.Items), nil
}

// oldestFirst lists file records in the order they were uploaded.
func oldestFirst(items map[string]assessments.Evidence) []assessments.Evidence {
	out := make([]assessments.Evidence, 0, len(items))
	for _, e := range items {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].UploadedAt.Equal(out[j].UploadedAt) {
			return out[i].UploadedAt.Before(out[j].UploadedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Delete removes one file record of an assessment.
func (s *Evidence) Delete(ctx context.Context, assessmentID, id string) error {
	p, err := evidencePath(id)
	if err != nil {
		return err
	}
	defer lockAssessment(assessmentID)()
	res, err := s.c.UpdateOne(ctx, bson.M{"_id": assessmentID, p: bson.M{"$exists": true}}, bson.M{"$unset": bson.M{p: ""}})
	if err != nil {
		return fmt.Errorf("deleting evidence: %w", err)
	}
	if res.MatchedCount == 0 {
		return apperr.ErrNotFound
	}
	return nil
}
