package questionnaires

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestValidateAnswer(t *testing.T) {
	choices := []Option{{Value: "a", Label: "Alpha"}, {Value: "b", Label: "Beta"}, {Value: "c", Label: "Gamma"}}
	questions := map[QuestionType]Question{}
	for _, typ := range []QuestionType{TypeYesNo, TypeYesNoNA, TypeSingleChoice, TypeMultiChoice, TypeText, TypeLongText, TypeNumber, TypeDate, TypeFile, "checkbox"} {
		questions[typ] = Question{ID: "q", Type: typ}
	}
	questions[TypeSingleChoice] = Question{ID: "q", Type: TypeSingleChoice, Options: choices}
	questions[TypeMultiChoice] = Question{ID: "q", Type: TypeMultiChoice, Options: choices}

	tests := []struct {
		typ     QuestionType
		raw     any
		want    any
		wantErr string // substring of the message; "" for success
	}{
		{TypeYesNo, "yes", "yes", ""},
		{TypeYesNo, " no ", "no", ""},
		{TypeYesNo, "na", nil, "Choose one of: Yes, No."},
		{TypeYesNo, "Yes", nil, "Choose one of"},
		{TypeYesNo, true, nil, "Choose one of"},
		{TypeYesNoNA, "na", "na", ""},
		{TypeYesNoNA, "maybe", nil, "Choose one of: Yes, No, Not applicable."},
		{TypeSingleChoice, "b", "b", ""},
		{TypeSingleChoice, "d", nil, "Choose one of: Alpha, Beta, Gamma."},
		{TypeSingleChoice, []any{"a"}, nil, "Choose one of"},
		{TypeMultiChoice, []any{"c", "a", "c"}, []string{"a", "c"}, ""},
		{TypeMultiChoice, []string{"b"}, []string{"b"}, ""},
		{TypeMultiChoice, []any{"", " "}, nil, ""},
		{TypeMultiChoice, []any{"a", "z"}, nil, "Choose from: Alpha, Beta, Gamma."},
		{TypeMultiChoice, []any{"a", 1.0}, nil, "Choose from"},
		{TypeMultiChoice, "a", nil, "Choose from"},
		{TypeText, "Acme Cloud", "Acme Cloud", ""},
		{TypeText, strings.Repeat("é", MaxTextLen), strings.Repeat("é", MaxTextLen), ""},
		{TypeText, strings.Repeat("x", MaxTextLen+1), nil, "Enter at most 2,000 characters (this is 2,001)."},
		{TypeText, "bad \xff byte", nil, "invalid characters"},
		{TypeText, 42.0, nil, "Enter text."},
		{TypeLongText, strings.Repeat("x", MaxLongTextLen), strings.Repeat("x", MaxLongTextLen), ""},
		{TypeLongText, strings.Repeat("x", MaxLongTextLen+1), nil, "at most 20,000 characters"},
		{TypeNumber, 12.5, 12.5, ""},
		{TypeNumber, 3, 3.0, ""},
		{TypeNumber, json.Number("-4e2"), -400.0, ""},
		{TypeNumber, " 7.25 ", 7.25, ""},
		{TypeNumber, "0", 0.0, ""},
		{TypeNumber, "seven", nil, "Enter a number."},
		{TypeNumber, "1,5", nil, "Enter a number."},
		{TypeNumber, "NaN", nil, "Enter a number."},
		{TypeNumber, "Infinity", nil, "Enter a number."},
		{TypeNumber, math.Inf(-1), nil, "Enter a number."},
		{TypeNumber, true, nil, "Enter a number."},
		{TypeDate, "2024-02-29", "2024-02-29", ""},
		{TypeDate, "2023-02-29", nil, "Enter a date as YYYY-MM-DD."},
		{TypeDate, "2024-2-9", nil, "YYYY-MM-DD"},
		{TypeDate, "29/02/2024", nil, "YYYY-MM-DD"},
		{TypeDate, "2024-02-29T10:00:00Z", nil, "YYYY-MM-DD"},
		{TypeDate, 20240229.0, nil, "YYYY-MM-DD"},
		{TypeFile, "policy.pdf", nil, "Upload evidence files"},
		{"checkbox", "x", nil, "cannot be answered"},
	}
	for _, tt := range tests {
		got, err := ValidateAnswer(questions[tt.typ], tt.raw)
		if tt.wantErr == "" {
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s %#v: got %#v, %v; want %#v", tt.typ, tt.raw, got, err, tt.want)
			}
			continue
		}
		var ae *AnswerError
		if !errors.As(err, &ae) || ae.QuestionID != "q" || !strings.Contains(ae.Message, tt.wantErr) || got != nil {
			t.Errorf("%s %#v: got %#v, %v; want error …%s…", tt.typ, tt.raw, got, err, tt.wantErr)
		}
	}
}

func TestValidateAnswerEmptyClears(t *testing.T) {
	for _, typ := range []QuestionType{TypeYesNo, TypeMultiChoice, TypeText, TypeNumber, TypeDate, TypeFile} {
		for _, raw := range []any{nil, "", "   ", []any{}, []string{}} {
			if got, err := ValidateAnswer(Question{ID: "q", Type: typ}, raw); got != nil || err != nil {
				t.Errorf("%s %#v: got %#v, %v; want nil, nil", typ, raw, got, err)
			}
		}
	}
}

func TestFromForm(t *testing.T) {
	multi := Question{ID: "m", Type: TypeMultiChoice, Options: []Option{{Value: "a", Label: "A"}, {Value: "b", Label: "B"}}}
	tests := []struct {
		q       Question
		values  []string
		want    any
		wantErr bool
	}{
		{multi, []string{"b", "a"}, []string{"a", "b"}, false},
		{multi, []string{""}, nil, false},
		{multi, nil, nil, false},
		{multi, []string{"a", "x"}, nil, true},
		{Question{ID: "n", Type: TypeNumber}, []string{"42"}, 42.0, false},
		{Question{ID: "n", Type: TypeNumber}, []string{""}, nil, false},
		{Question{ID: "n", Type: TypeNumber}, []string{"1", "2"}, nil, true},
		{Question{ID: "t", Type: TypeLongText}, []string{"line 1\r\nline 2"}, "line 1\nline 2", false},
		{Question{ID: "y", Type: TypeYesNo}, []string{"no"}, "no", false},
		{Question{ID: "y", Type: TypeYesNo}, nil, nil, false},
	}
	for _, tt := range tests {
		got, err := FromForm(tt.q, tt.values)
		if (err != nil) != tt.wantErr || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("FromForm(%s, %q) = %#v, %v; want %#v, error %v", tt.q.Type, tt.values, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestAnswerErrorMessage(t *testing.T) {
	_, err := ValidateAnswer(Question{ID: "policy", Type: TypeYesNo}, "perhaps")
	if err == nil || err.Error() != "question policy: Choose one of: Yes, No." {
		t.Errorf("error = %v", err)
	}
}
