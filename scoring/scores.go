package scoring

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// NamedScore is one entry of a Scores list.
type NamedScore struct {
	Key   string  `json:"key" bson:"key"`
	Score float64 `json:"score" bson:"score"`
}

// Scores is a small ordered map from a theme or domain to its score. In JSON
// it is an object ({"A.5": 81.2, …}) as the API requires, in the standard's
// order rather than Go's sorted map order (which puts A.10 before A.5). In
// BSON it is a list of {key, score} documents: map keys would be stored in
// random order, and FerretDB rejects keys containing '.', such as "A.5".
type Scores []NamedScore

// Get returns the score for key and whether it is present.
func (s Scores) Get(key string) (float64, bool) {
	for _, e := range s {
		if e.Key == key {
			return e.Score, true
		}
	}
	return 0, false
}

// MarshalJSON writes the entries as a JSON object in list order.
func (s Scores) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, e := range s {
		if i > 0 {
			b = append(b, ',')
		}
		k, err := json.Marshal(e.Key)
		if err != nil {
			return nil, err
		}
		b = append(b, k...)
		b = append(b, ':')
		v, err := json.Marshal(e.Score) // same number format as the rest of the document
		if err != nil {
			return nil, err
		}
		b = append(b, v...)
	}
	return append(b, '}'), nil
}

// UnmarshalJSON reads a JSON object, keeping its key order.
func (s *Scores) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		*s = nil
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if t, err := d.Token(); err != nil {
		return err
	} else if t != json.Delim('{') {
		return fmt.Errorf("scoring: scores must be a JSON object, not %v", t)
	}
	out := Scores{}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return err
		}
		key := t.(string) // object keys are always strings
		t, err = d.Token()
		if err != nil {
			return err
		}
		n, ok := t.(json.Number)
		if !ok {
			return fmt.Errorf("scoring: score of %q must be a number, not %v", key, t)
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			return err
		}
		out = append(out, NamedScore{Key: key, Score: f})
	}
	if _, err := d.Token(); err != nil {
		return err
	}
	*s = out
	return nil
}
