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

// Evidence implements assessments.EvidenceStore on the "evidence"
// collection: one document per assessment, its _id the assessment's id,
// holding the file records by evidence id. Every portal page and autosave
// lists an assessment's files, and the embedded FerretDB answers only _id
// lookups without scanning the whole collection (see doc.go).
type Evidence struct{ c *driver.Collection }

// NewEvidence returns the evidence store.
func NewEvidence(db *driver.Database) *Evidence { return &Evidence{c: db.Collection("evidence")} }

type evidenceSet struct {
	ID    string                          `bson:"_id"`
	Items map[string]assessments.Evidence `bson:"items"`
}

func evidencePath(id string) (string, error) {
	if id == "" || strings.ContainsAny(id, ".$\x00") {
		return "", apperr.Wrapf(apperr.ErrBadRequest, "invalid evidence id %q", id)
	}
	return "items." + id, nil
}

// Insert records a stored file. Like assessment updates, it is serialized
// per assessment because FerretDB's updates are read-modify-write.
func (s *Evidence) Insert(ctx context.Context, e *assessments.Evidence) error {
	p, err := evidencePath(e.ID)
	if err != nil {
		return err
	}
	defer lockAssessment(e.AssessmentID)()
	_, err = s.c.UpdateOne(ctx, bson.M{"_id": e.AssessmentID}, bson.M{"$set": bson.M{p: e}}, options.Update().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("inserting evidence: %w", err)
	}
	return nil
}

func (s *Evidence) set(ctx context.Context, assessmentID string) (*evidenceSet, error) {
	var set evidenceSet
	err := s.c.FindOne(ctx, bson.M{"_id": assessmentID}).Decode(&set)
	if IsNotFound(err) {
		return &evidenceSet{ID: assessmentID}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading evidence: %w", err)
	}
	return &set, nil
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
	out := make([]assessments.Evidence, 0, len(set.Items))
	for _, e := range set.Items {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].UploadedAt.Equal(out[j].UploadedAt) {
			return out[i].UploadedAt.Before(out[j].UploadedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
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
