package mongo

import (
	"context"
	"fmt"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Evidence implements assessments.EvidenceStore on the "evidence"
// collection.
type Evidence struct{ c *driver.Collection }

// NewEvidence returns the evidence store.
func NewEvidence(db *driver.Database) *Evidence { return &Evidence{c: db.Collection("evidence")} }

// EvidenceIndexes serve an assessment's file list and its files per question.
var EvidenceIndexes = []Index{
	{Collection: "evidence", Keys: bson.D{{Key: "assessment_id", Value: 1}, {Key: "question_id", Value: 1}}},
}

// Insert records a stored file.
func (s *Evidence) Insert(ctx context.Context, e *assessments.Evidence) error {
	if _, err := s.c.InsertOne(ctx, e); err != nil {
		return fmt.Errorf("inserting evidence: %w", err)
	}
	return nil
}

// Get returns one file record of an assessment.
func (s *Evidence) Get(ctx context.Context, assessmentID, id string) (*assessments.Evidence, error) {
	var e assessments.Evidence
	err := s.c.FindOne(ctx, bson.M{"_id": id, "assessment_id": assessmentID}).Decode(&e)
	if IsNotFound(err) {
		return nil, apperr.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading evidence: %w", err)
	}
	return &e, nil
}

// List returns an assessment's files, oldest first.
func (s *Evidence) List(ctx context.Context, assessmentID string) ([]assessments.Evidence, error) {
	cur, err := s.c.Find(ctx, bson.M{"assessment_id": assessmentID},
		options.Find().SetSort(bson.D{{Key: "uploaded_at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("listing evidence: %w", err)
	}
	out := []assessments.Evidence{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("listing evidence: %w", err)
	}
	return out, nil
}

// Delete removes one file record of an assessment.
func (s *Evidence) Delete(ctx context.Context, assessmentID, id string) error {
	res, err := s.c.DeleteOne(ctx, bson.M{"_id": id, "assessment_id": assessmentID})
	if err != nil {
		return fmt.Errorf("deleting evidence: %w", err)
	}
	if res.DeletedCount == 0 {
		return apperr.ErrNotFound
	}
	return nil
}
