package scoring

import (
	"testing"

	"github.com/assayhq/assay/questionnaires"
)

func TestTierFromIntake(t *testing.T) {
	risk := func(id string, w int) questionnaires.Question {
		return withOptions(q(id, tSC, w), opt("low", 0), opt("mid", 50), opt("high", 100), unscoredOpt("unknown"))
	}
	tp := tmpl(risk("a", 3), risk("b", 1), q("c", questionnaires.TypeText, 1), showIf(risk("d", 5), "a", "high"))
	tests := []struct {
		name               string
		answers            questionnaires.Answers
		wantTier, wantImpt int
	}{
		{"all high", questionnaires.Answers{"a": "high", "b": "high", "d": "high"}, 1, 5},
		{"weighted mean 75", questionnaires.Answers{"a": "mid", "b": "high"}, 2, 4},          // (150 + 100) / 4 = 62.5
		{"mean exactly 75 is tier 1", questionnaires.Answers{"a": "high", "b": "low"}, 1, 5}, // 300 / 4, d shown but unanswered
		{"low", questionnaires.Answers{"a": "low", "b": "mid"}, 4, 2},                        // 50 / 4 = 12.5
		{"negligible", questionnaires.Answers{"a": "low", "b": "low"}, 4, 1},                 // 0
		{"hidden question ignored", questionnaires.Answers{"a": "mid", "b": "mid", "d": "high"}, 2, 4},
		{"unscored and unanswered skipped", questionnaires.Answers{"a": "unknown", "b": "high"}, 1, 5},
		{"nothing scored", questionnaires.Answers{"c": "text"}, 0, 0},
	}
	for _, tc := range tests {
		tier, impact := TierFromIntake(tp, tc.answers)
		if tier != tc.wantTier || impact != tc.wantImpt {
			t.Errorf("%s: tier %d impact %d, want %d %d", tc.name, tier, impact, tc.wantTier, tc.wantImpt)
		}
	}
	if tier, impact := TierFromIntake(nil, nil); tier != 0 || impact != 0 {
		t.Errorf("nil template: %d %d", tier, impact)
	}
}

func TestTierFromLibraryIntake(t *testing.T) {
	tp := libraryTemplate(t, "vendor-intake.yaml")
	highest, lowest := questionnaires.Answers{}, questionnaires.Answers{}
	for _, s := range tp.Sections {
		for _, qq := range s.Questions {
			var hi, lo *questionnaires.Option
			for i, o := range qq.EffectiveOptions() {
				if o.Score == nil {
					continue
				}
				if hi == nil || *o.Score > *hi.Score {
					hi = &qq.EffectiveOptions()[i]
				}
				if lo == nil || *o.Score < *lo.Score {
					lo = &qq.EffectiveOptions()[i]
				}
			}
			if hi != nil {
				highest[qq.ID], lowest[qq.ID] = hi.Value, lo.Value
			}
		}
	}
	if tier, impact := TierFromIntake(tp, highest); tier != 1 || impact != 5 {
		t.Errorf("riskiest intake: tier %d impact %d, want 1 5", tier, impact)
	}
	if tier, impact := TierFromIntake(tp, lowest); tier != 4 || impact > 2 {
		t.Errorf("safest intake: tier %d impact %d, want 4 and 1 or 2", tier, impact)
	}
}
