package scoring

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/bson"
)

func keys(m map[string]any) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	sort.Strings(k)
	return k
}

// TestJSONContract pins the field names of the Score in the API contract.
func TestJSONContract(t *testing.T) {
	b, err := json.Marshal(Compute(goldenInput()))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"overall", "grade", "coverage", "evidence_coverage", "themes", "supplier_controls",
		"domains_2013", "controls", "risk", "findings", "method_version"} {
		if _, ok := m[k]; !ok {
			t.Errorf("missing %q in %s", k, keys(m))
		}
	}
	has := func(what string, obj any, want ...string) {
		t.Helper()
		got := keys(obj.(map[string]any))
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: missing %q in %v", what, w, got)
			}
		}
	}
	has("control", m["controls"].([]any)[0], "id", "title", "score", "questions")
	has("risk", m["risk"], "inherent", "likelihood", "impact", "residual")
	has("finding", m["findings"].([]any)[0], "control", "severity", "title", "recommendation", "questions")
	has("question", m["questions"].([]any)[0], "id", "score", "weight", "visible", "answered", "capped", "overridden", "reason")
	// Themes and domains are objects in the standard's order (A.10 after
	// A.5 would need A.5 to be present; golden has A.10 then A.15).
	if !bytes.Contains(b, []byte(`"domains_2013":{"A.10":70,"A.15":51}`)) || !bytes.Contains(b, []byte(`"themes":{"organizational":51,"technological":70}`)) {
		t.Errorf("themes or domains not an ordered object: %s", b)
	}
}

func TestJSONEmptyListsAreArrays(t *testing.T) {
	for _, s := range []Score{{}, Compute(Input{})} {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"controls":[]`, `"findings":[]`, `"themes":{}`, `"domains_2013":{}`, `"supplier_controls":null`} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("%s not in %s", want, b)
			}
		}
	}
}

// TestStoredScoreRoundTrip checks that a score stored as JSON or BSON reads
// back to the same value and the same JSON: a completed assessment's score
// is kept as it was computed.
func TestStoredScoreRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	tp := fullTemplate()
	for range 20 {
		s := Compute(randomInput(tp, r))
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}

		var fromJSON Score
		if err := json.Unmarshal(want, &fromJSON); err != nil {
			t.Fatal(err)
		}
		if got, _ := json.Marshal(fromJSON); !bytes.Equal(got, want) {
			t.Fatalf("JSON round trip changed the score:\n got %s\nwant %s", got, want)
		}

		raw, err := bson.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkBSONKeys(raw); err != nil {
			t.Fatal(err)
		}
		var fromBSON Score
		if err := bson.Unmarshal(raw, &fromBSON); err != nil {
			t.Fatal(err)
		}
		if got, _ := json.Marshal(fromBSON); !bytes.Equal(got, want) {
			t.Fatalf("BSON round trip changed the score:\n got %s\nwant %s", got, want)
		}
		if raw2, _ := bson.Marshal(fromBSON); !bytes.Equal(raw, raw2) {
			t.Fatal("BSON encoding is not stable")
		}
	}
}

// checkBSONKeys rejects keys FerretDB and MongoDB refuse or mishandle.
func checkBSONKeys(raw bson.Raw) error {
	elems, err := raw.Elements()
	if err != nil {
		return err
	}
	for _, e := range elems {
		if k := e.Key(); strings.Contains(k, ".") || strings.HasPrefix(k, "$") {
			return &json.UnsupportedValueError{Str: "BSON key " + k}
		}
		v := e.Value()
		if doc, ok := v.DocumentOK(); ok {
			if err := checkBSONKeys(doc); err != nil {
				return err
			}
		}
		if arr, ok := v.ArrayOK(); ok {
			if err := checkBSONKeys(bson.Raw(arr)); err != nil {
				return err
			}
		}
	}
	return nil
}

func TestScoresJSON(t *testing.T) {
	var s Scores
	if err := json.Unmarshal([]byte(`{"A.5": 81.2, "A.10": 0, "A.9": 100}`), &s); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s, Scores{{"A.5", 81.2}, {"A.10", 0}, {"A.9", 100}}) {
		t.Errorf("decoded %v", s)
	}
	if v, ok := s.Get("A.10"); !ok || v != 0 {
		t.Errorf("Get(A.10) = %v %v", v, ok)
	}
	if _, ok := s.Get("A.11"); ok {
		t.Error("Get(A.11) should be absent")
	}
	for _, bad := range []string{`[1]`, `{"a": "x"}`, `{"a": 1`} {
		if err := json.Unmarshal([]byte(bad), &s); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
