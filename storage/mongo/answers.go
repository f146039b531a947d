package mongo

import (
	"fmt"
	"maps"

	"github.com/assayhq/assay/assessments"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/bsontype"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/x/bsonx/bsoncore"
)

// packedAnswers is how an assessment's answers are stored: one BSON binary
// holding the map as a BSON document, keyed by question id.
//
// The embedded FerretDB keeps each document as JSON and decodes all of it
// on every read and every update, and a subdocument per answer made that
// the cost of a supplier's request: reading an assessment with 120 answers
// took 8.3 ms as subdocuments and 1.7 ms packed, an update 9.6 and 3.4 ms
// (120 answers, one client, this machine). MongoDB reads either quickly;
// the price there is that an answer can no longer be $set alone, so a
// change of answers is a read, a merge and a write guarded by the version
// (Assessments.Modify).
//
// Documents written before answers were packed hold a subdocument per
// answer, under keys with '.' stored as '~' (qkey): they still decode, and
// their next change of answers packs them.
type packedAnswers map[string]assessments.Answer

// MarshalBSONValue packs the answers into a binary.
func (p packedAnswers) MarshalBSONValue() (bsontype.Type, []byte, error) {
	doc, err := bson.Marshal(map[string]assessments.Answer(p))
	if err != nil {
		return 0, nil, fmt.Errorf("packing answers: %w", err)
	}
	return bson.MarshalValue(primitive.Binary{Data: doc})
}

// UnmarshalBSONValue reads packed answers, or a subdocument per answer as
// stored before.
func (p *packedAnswers) UnmarshalBSONValue(t bsontype.Type, data []byte) error {
	m := map[string]assessments.Answer{}
	switch t {
	case bson.TypeBinary:
		_, doc, ok := bsoncore.Value{Type: t, Data: data}.BinaryOK()
		if !ok {
			return fmt.Errorf("unpacking answers: malformed binary")
		}
		if err := bson.Unmarshal(doc, &m); err != nil {
			return fmt.Errorf("unpacking answers: %w", err)
		}
	case bson.TypeEmbeddedDocument:
		legacy := map[string]assessments.Answer{}
		if err := bson.Unmarshal(data, &legacy); err != nil {
			return fmt.Errorf("reading answers: %w", err)
		}
		m = rekey(legacy, qid)
	case bson.TypeNull, bson.TypeUndefined:
	default:
		return fmt.Errorf("reading answers: unexpected BSON type %s", t)
	}
	*p = m
	return nil
}

// merged is cur with a change's answers set and cleared.
func merged(cur packedAnswers, ch assessments.Change) packedAnswers {
	out := make(packedAnswers, len(cur)+len(ch.Answers))
	maps.Copy(out, cur)
	maps.Copy(out, ch.Answers)
	for _, id := range ch.ClearAnswers {
		delete(out, id)
	}
	return out
}
