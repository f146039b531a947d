package assessments

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/questionnaires"
)

// EvidenceCarryMonths is how old evidence may be and still be carried into
// a reassessment: certificates and reports older than a year are stale.
const EvidenceCarryMonths = 12

// ObjectKey is where an evidence file lives in the bucket.
func ObjectKey(assessmentID, evidenceID string) string {
	return "assessments/" + assessmentID + "/" + evidenceID
}

// takesEvidence reports whether files may be attached to q.
func takesEvidence(q questionnaires.Question) bool {
	return q.Type == questionnaires.TypeFile || q.Evidence != nil
}

// Upload streams one evidence file to the bucket while hashing it. The type
// is decided from the first bytes before anything is written (415 outside
// the allow-list); a file over MaxUploadBytes stops the upload (413). The
// record is written only once the object is complete, and a failure at any
// step removes what was written, so a cut-off upload leaves nothing behind.
func (s *Service) Upload(ctx context.Context, actor audit.Actor, token, questionID, filename string, r io.Reader) (*Evidence, error) {
	a, err := s.writable(ctx, token)
	if err != nil {
		return nil, err
	}
	q, ok := a.Template.Question(questionID)
	switch {
	case !ok:
		return nil, apperr.Field("question_id", "This questionnaire has no such question.")
	case !takesEvidence(q):
		return nil, apperr.Field("question_id", "This question takes no files.")
	case a.Locked(questionID):
		return nil, apperr.Wrapf(apperr.ErrConflict, "this questionnaire was submitted: files can no longer change")
	}
	name := cleanFilename(filename)
	head, err := readHead(r, sniffLen)
	if err != nil {
		return nil, fmt.Errorf("receiving %s: %w", name, err)
	}
	ctype, err := classify(head, name)
	if err != nil {
		return nil, err
	}

	e := &Evidence{ID: newID(), AssessmentID: a.ID, QuestionID: questionID, Filename: name, ContentType: ctype}
	e.ObjectKey = ObjectKey(a.ID, e.ID)
	hash := sha256.New()
	body := &limitedReader{r: io.MultiReader(bytes.NewReader(head), r), max: s.d.Settings.MaxUploadBytes}
	putCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	_, err = s.d.Blobs.Put(putCtx, e.ObjectKey, io.TeeReader(body, hash), -1, ctype)
	if err == nil && body.err != nil {
		err = body.err // the S3 client took the failure for the end of the file
	}
	if err != nil {
		cancel()
		s.discard(ctx, e.ObjectKey)
		if body.over {
			return nil, apperr.Wrapf(apperr.ErrTooLarge, "%s is larger than the %s limit for one file", name, mib(s.d.Settings.MaxUploadBytes))
		}
		if body.err != nil {
			return nil, fmt.Errorf("receiving %s: %w", name, body.err)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("storing %s: %w", name, err) // the supplier went away
		}
		// The bytes arrived but the bucket did not take them: a failure of
		// the file store, not of the request, which the supplier may retry
		// as it is. The cause names internal endpoints: log it, say less.
		s.d.Log.Error("storing evidence", "assessment", a.ID, "key", e.ObjectKey, "err", err)
		return nil, apperr.Wrapf(apperr.ErrUnavailable,
			"%s was not saved: the file store is not answering. Nothing was kept; please upload it again in a few minutes", name)
	}
	e.Size, e.SHA256, e.UploadedAt = body.n, hex.EncodeToString(hash.Sum(nil)), s.now()

	// The supplier may have submitted, or staff replaced the link, while the
	// bytes were streaming.
	cur, err := s.d.Store.Get(ctx, a.ID)
	if err != nil || cur.TokenHash != a.TokenHash || cur.Locked(questionID) {
		s.discard(ctx, e.ObjectKey)
		if err != nil {
			return nil, fmt.Errorf("checking assessment after upload: %w", err)
		}
		return nil, apperr.Wrapf(apperr.ErrConflict, "this questionnaire was submitted or its link replaced during the upload")
	}
	if err := s.d.Evidence.Insert(ctx, e); err != nil {
		s.discard(ctx, e.ObjectKey)
		return nil, fmt.Errorf("recording %s: %w", name, err)
	}
	s.started(ctx, a, e.UploadedAt)
	s.record(ctx, actor, "evidence.upload", "assessment", a.ID, nil, map[string]any{
		"evidence_id": e.ID, "question_id": questionID, "filename": name, "size": e.Size, "sha256": e.SHA256, "content_type": ctype,
	})
	if _, err := s.refresh(ctx, a.ID); err != nil {
		s.d.Log.Error("score after upload", "id", a.ID, "err", err)
	}
	return e, nil
}

// readHead reads up to n bytes, fewer only at the end of r. Unlike
// io.ReadFull it tells a short file from a body cut off with
// io.ErrUnexpectedEOF.
func readHead(r io.Reader, n int) ([]byte, error) {
	buf := make([]byte, n)
	got := 0
	for got < n {
		m, err := r.Read(buf[got:])
		got += m
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return buf[:got], nil
}

// discard removes an object an upload left, even when the request that
// wrote it was cancelled.
func (s *Service) discard(ctx context.Context, key string) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := s.d.Blobs.Delete(dctx, key); err != nil {
		s.d.Log.Error("removing partial upload", "key", key, "err", err)
	}
}

// limitedReader counts what it reads and fails once more than max bytes
// came through, which aborts the upload reading from it. It also keeps the
// first read error: the S3 client reads parts with io.ReadFull and takes
// io.ErrUnexpectedEOF, which a cut-off request body gives, for a short last
// part, so it would store a truncated file as complete.
type limitedReader struct {
	r    io.Reader
	max  int64
	n    int64
	over bool
	err  error
}

var (
	errTooLarge = errors.New("upload exceeds the size limit")
	errCutOff   = errors.New("upload cut off")
)

func (l *limitedReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.max {
		l.over = true
		return 0, errTooLarge
	}
	if err != nil && err != io.EOF {
		if l.err == nil {
			l.err = fmt.Errorf("%w: %w", errCutOff, err)
		}
		return n, errCutOff
	}
	return n, err
}

// RemoveEvidence deletes a file the supplier uploaded, before submitting.
func (s *Service) RemoveEvidence(ctx context.Context, actor audit.Actor, token, evidenceID string) error {
	a, err := s.writable(ctx, token)
	if err != nil {
		return err
	}
	e, err := s.d.Evidence.Get(ctx, a.ID, evidenceID)
	if err != nil {
		return fmt.Errorf("evidence %s: %w", evidenceID, err)
	}
	if a.Locked(e.QuestionID) {
		return apperr.Wrapf(apperr.ErrConflict, "this questionnaire was submitted: files can no longer change")
	}
	if err := s.d.Evidence.Delete(ctx, a.ID, evidenceID); err != nil {
		return fmt.Errorf("evidence %s: %w", evidenceID, err)
	}
	// Without its record the object is unreachable; a failed delete only
	// costs space, so it is logged rather than reported.
	s.discard(ctx, e.ObjectKey)
	s.record(ctx, actor, "evidence.delete", "assessment", a.ID,
		map[string]any{"evidence_id": e.ID, "question_id": e.QuestionID, "filename": e.Filename, "sha256": e.SHA256}, nil)
	if _, err := s.refresh(ctx, a.ID); err != nil {
		s.d.Log.Error("score after evidence removal", "id", a.ID, "err", err)
	}
	return nil
}

// SupplierEvidence lists the files of the assessment a link opens.
func (s *Service) SupplierEvidence(ctx context.Context, token string) ([]Evidence, error) {
	a, err := s.Portal(ctx, token)
	if err != nil {
		return nil, err
	}
	return a.Files, nil
}

// OpenSupplierEvidence opens one of the files of the assessment a link
// opens, for its supplier to download again.
func (s *Service) OpenSupplierEvidence(ctx context.Context, token, evidenceID string) (io.ReadCloser, *Evidence, error) {
	a, err := s.Portal(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	return s.open(ctx, a.ID, evidenceID)
}

// OpenEvidence opens a file for staff; every download is audited. Callers
// serve it as an attachment, never inline on Assay's origin.
func (s *Service) OpenEvidence(ctx context.Context, actor audit.Actor, id, evidenceID string) (io.ReadCloser, *Evidence, error) {
	rc, e, err := s.open(ctx, id, evidenceID)
	if err != nil {
		return nil, nil, err
	}
	s.record(ctx, actor, "evidence.download", "assessment", id, nil,
		map[string]any{"evidence_id": e.ID, "filename": e.Filename, "sha256": e.SHA256})
	return rc, e, nil
}

func (s *Service) open(ctx context.Context, id, evidenceID string) (io.ReadCloser, *Evidence, error) {
	e, err := s.d.Evidence.Get(ctx, id, evidenceID)
	if err != nil {
		return nil, nil, fmt.Errorf("evidence %s: %w", evidenceID, err)
	}
	rc, _, err := s.d.Blobs.Get(ctx, e.ObjectKey)
	if err != nil {
		return nil, nil, fmt.Errorf("evidence %s: %w", evidenceID, err)
	}
	return rc, e, nil
}

// carryEvidence copies into a the previous assessment's evidence that is
// recent enough and belongs to a question a still asks for files, once.
func (s *Service) carryEvidence(ctx context.Context, a, prev *Assessment, now time.Time) (int, error) {
	old, err := s.evidence(ctx, prev.ID)
	if err != nil {
		return 0, err
	}
	have, err := s.evidence(ctx, a.ID)
	if err != nil {
		return 0, err
	}
	carried := map[string]bool{}
	for _, e := range have {
		if e.CarriedFrom != "" {
			carried[e.QuestionID+"/"+e.SHA256] = true
		}
	}
	cutoff := now.AddDate(0, -EvidenceCarryMonths, 0)
	n := 0
	for _, e := range old {
		q, ok := a.Template.Question(e.QuestionID)
		if !ok || !takesEvidence(q) || e.UploadedAt.Before(cutoff) || carried[e.QuestionID+"/"+e.SHA256] {
			continue
		}
		ne := e
		ne.ID, ne.AssessmentID, ne.CarriedFrom = newID(), a.ID, prev.ID
		ne.ObjectKey = ObjectKey(a.ID, ne.ID)
		if err := s.d.Blobs.Copy(ctx, e.ObjectKey, ne.ObjectKey); err != nil {
			return n, fmt.Errorf("copying %s: %w", e.Filename, err)
		}
		if err := s.d.Evidence.Insert(ctx, &ne); err != nil {
			s.discard(ctx, ne.ObjectKey)
			return n, fmt.Errorf("recording %s: %w", e.Filename, err)
		}
		n++
	}
	return n, nil
}

func mib(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
