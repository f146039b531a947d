package assessments

import (
	"context"
	"time"

	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/scoring"
)

// Store keeps assessments. Every change is one atomic update of one
// document whose filter states what the change expects (Expect), because
// the database offers no transactions (see storage/mongo/doc.go).
type Store interface {
	Insert(ctx context.Context, a *Assessment) error
	// Delete removes an assessment that was never announced, when sending
	// its invitation failed.
	Delete(ctx context.Context, id string) error
	// Get and ByTokenHash return apperr.ErrNotFound when nothing matches.
	// The assessment comes with its evidence records (Assessment.Files),
	// read with it, as does the one Modify hands to fn.
	Get(ctx context.Context, id string) (*Assessment, error)
	ByTokenHash(ctx context.Context, hash string) (*Assessment, error)
	// List returns a page of assessments without their template snapshot
	// and answers, which lists never show.
	List(ctx context.Context, f Filter) ([]Assessment, int64, error)
	// Previous returns the newest assessment of vendorID and templateKey in
	// one of statuses created before the given time, or apperr.ErrNotFound.
	Previous(ctx context.Context, vendorID, templateKey string, statuses []Status, before time.Time) (*Assessment, error)
	// AddLink makes hash a further link to assessment id, valid as long as
	// primaryHash is its current link; a resend or revoke withdraws it.
	AddLink(ctx context.Context, id, primaryHash, hash string) error
	// RemoveLink deletes the further link hash of assessment id, for a mail
	// that was never queued: nobody holds its token.
	RemoveLink(ctx context.Context, id, hash string) error
	// Update applies ch to assessment id if it still matches exp; it returns
	// apperr.ErrNotFound for an unknown id and apperr.ErrConflict when the
	// document no longer matches.
	Update(ctx context.Context, id string, exp Expect, ch Change) error
	// LinkTarget returns the id of the assessment a link's token hash
	// points at and the token hash the assessment must still carry for the
	// link to open it (apperr.ErrNotFound for no such link).
	LinkTarget(ctx context.Context, hash string) (id, primary string, err error)
	// Modify applies the change fn makes of assessment id as stored when
	// the write happens: fn may run more than once, each time on a fresh
	// read, and its error is returned with nothing written. A change of
	// link goes through Update.
	Modify(ctx context.Context, id string, fn func(*Assessment) (Change, error)) error
}

// Expect is the state an update relies on; zero fields are not checked.
type Expect struct {
	Statuses  []Status
	TokenHash string
	Version   int64
}

// Change is one update of an assessment. Maps keyed by question id are
// merged into the stored ones, question by question, so concurrent writes
// to different questions never overwrite one another. Zero fields are left
// as they are.
type Change struct {
	Status      Status
	TokenHash   string
	DueDate     time.Time
	ExpiresAt   time.Time
	LinkSentAt  time.Time
	StartedAt   time.Time
	SubmittedAt time.Time
	CompletedAt time.Time

	Answers      map[string]Answer // set these answers
	ClearAnswers []string          // remove these answers
	Reviews      map[string]QuestionReview
	Reopen       map[string]Clarification // set reopened.<qid>
	ClearReopen  bool                     // empty the reopened questions
	// Clarifications replaces the history; pair it with Expect.Version.
	Clarifications []Clarification
	// Findings replaces the finding decisions; pair it with Expect.Version.
	Findings   []FindingDecision
	Decision   *Decision
	FinalScore *scoring.Score

	// Score and Progress are caches of what the answers give (the score
	// without its per-question details); a change of only these leaves
	// Version alone so that they never make a reviewer's guarded update
	// fail.
	Score    *scoring.Score
	Progress *questionnaires.ProgressCounts

	At time.Time // updated_at
}

// Filter selects assessments for lists and queues.
type Filter struct {
	VendorID string
	Statuses []Status
	// Q searches vendor name, contact email and template key.
	Q    string
	Page int
	Per  int
	// Sort is "oldest_submitted" (the review queue), "newest" (the
	// default) or "due".
	Sort      string
	DueBefore time.Time
	// Tier is the vendor's tier when the assessment was sent (0: any).
	Tier int
	// Residual is the residual risk of the live score, "low" … "critical"
	// (empty: any); an assessment not scored yet matches no level.
	Residual string
}

// Sort orders for Filter.Sort.
const (
	SortNewest          = "newest"
	SortOldestSubmitted = "oldest_submitted"
	SortDue             = "due"
)

// EvidenceStore keeps the records of uploaded files. A record exists only
// for an object that was stored completely. Insert fails with
// apperr.ErrNotFound when the assessment does not exist.
type EvidenceStore interface {
	Insert(ctx context.Context, e *Evidence) error
	// Get returns apperr.ErrNotFound unless evidence id belongs to
	// assessmentID.
	Get(ctx context.Context, assessmentID, id string) (*Evidence, error)
	// List returns an assessment's evidence, oldest first.
	List(ctx context.Context, assessmentID string) ([]Evidence, error)
	// Delete returns apperr.ErrNotFound unless evidence id belongs to
	// assessmentID.
	Delete(ctx context.Context, assessmentID, id string) error
}
