package demo

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/questionnaires"
)

func library(t *testing.T) map[string]*questionnaires.Template {
	t.Helper()
	all, err := questionnaires.Library()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*questionnaires.Template{}
	for _, x := range all {
		out[x.Key] = x
	}
	return out
}

// Every template the demo sends gets answers the portal would accept: valid
// for their type, only on visible questions, and with every required
// question answered (files included), so the supplier can submit.
func TestAnswersAreValidAndComplete(t *testing.T) {
	lib := library(t)
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tier := range []int{1, 2, 3, 4} {
		tpl := lib[templateFor(tier)]
		if tpl == nil {
			t.Fatalf("tier %d: no template %s", tier, templateFor(tier))
		}
		for _, maturity := range []float64{0.2, 0.6, 0.97} {
			for seed := range uint64(20) {
				set := answer(rand.New(rand.NewPCG(seed, 1)), tpl, "Acme", maturity, 1, at)
				values := questionnaires.Answers{}
				for id, v := range set.Answers {
					q, ok := tpl.Question(id)
					if !ok {
						t.Fatalf("%s: answer to unknown question %s", tpl.Key, id)
					}
					norm, err := questionnaires.ValidateAnswer(q, v)
					if err != nil {
						t.Fatalf("%s %s = %#v: %v", tpl.Key, id, v, err)
					}
					values[id] = norm
				}
				visible := questionnaires.Visible(tpl, values)
				for id := range set.Answers {
					if !visible[id] {
						t.Errorf("%s: %s is answered but hidden", tpl.Key, id)
					}
				}
				files := map[string]int{}
				for _, id := range set.Files {
					files[id]++
				}
				if missing := questionnaires.MissingRequired(tpl, values, files); len(missing) > 0 {
					t.Fatalf("%s maturity %.1f seed %d: required questions left open: %v", tpl.Key, maturity, seed, missing)
				}
			}
		}
	}
}

func TestAnswersFollowMaturityAndSeed(t *testing.T) {
	tpl := library(t)["iso27001-2022-supplier-full"]
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	best := func(set answerSet) int {
		n := 0
		for id, v := range set.Answers {
			q, _ := tpl.Question(id)
			if s, ok := v.(string); ok && s == choose(rand.New(rand.NewPCG(0, 0)), q.EffectiveOptions(), 1) {
				n++
			}
		}
		return n
	}
	low := answer(rand.New(rand.NewPCG(7, 7)), tpl, "Acme", 0.3, 1, at)
	high := answer(rand.New(rand.NewPCG(7, 7)), tpl, "Acme", 0.95, 1, at)
	if best(high) <= best(low)+20 {
		t.Errorf("a mature supplier gives the best answer %d times, an immature one %d", best(high), best(low))
	}
	again := answer(rand.New(rand.NewPCG(7, 7)), tpl, "Acme", 0.3, 1, at)
	if !reflect.DeepEqual(low, again) {
		t.Error("the same seed gave different answers")
	}
	part := answer(rand.New(rand.NewPCG(7, 7)), tpl, "Acme", 0.6, 0.4, at)
	if len(part.Answers) == 0 || len(part.Answers) >= len(low.Answers)*3/4 {
		t.Errorf("an in-progress supplier answered %d of %d", len(part.Answers), len(low.Answers))
	}
}

func TestEvidenceFiles(t *testing.T) {
	tpl := library(t)["vendor-lite"]
	q, _ := tpl.Question("vl-certification-file")
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	kinds := map[string]int{}
	for seed := range uint64(20) {
		name, data, err := evidenceFile(rand.New(rand.NewPCG(seed, 3)), q, "Zürich Ländle AG", at)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case bytes.HasPrefix(data, []byte("%PDF-")) && len(data) < 20000 && name == "vl-certification-file-2026.pdf":
			kinds["pdf"]++
		case bytes.Contains(data, []byte("Zürich Ländle AG")) && name == "vl-certification-file-policy.txt":
			kinds["txt"]++
		default:
			t.Fatalf("evidence %s: %.40q", name, data)
		}
	}
	if kinds["pdf"] == 0 || kinds["txt"] == 0 {
		t.Errorf("kinds %v", kinds)
	}
}

func TestPortfolioCoversEveryTierAndState(t *testing.T) {
	tiers, states := map[int]int{}, map[State]int{}
	names := map[string]bool{}
	for _, p := range portfolio {
		tiers[p.Tier]++
		states[p.State]++
		if names[p.Name] {
			t.Errorf("%s twice", p.Name)
		}
		names[p.Name] = true
		if p.State == StateNone && p.History > 0 {
			t.Errorf("%s has history but no current assessment", p.Name)
		}
	}
	if len(portfolio) < 28 || len(portfolio) > 32 {
		t.Errorf("%d vendors", len(portfolio))
	}
	for tier := 1; tier <= 4; tier++ {
		if tiers[tier] < 5 {
			t.Errorf("tier %d has %d vendors", tier, tiers[tier])
		}
	}
	for _, s := range []State{StateNone, StateSent, StateOverdueSent, StateInProgress, StateOverdue, StateSubmitted, StateClarification, StateCompleted, StateDue, StateLate} {
		if states[s] == 0 {
			t.Errorf("no vendor in state %s", s)
		}
	}
}

// A clarified "no" turned "yes" reveals required follow-ups; followUps
// answers them (and asks for the file) so the supplier can submit again.
func TestFollowUpsCompleteAChangedAnswer(t *testing.T) {
	tpl := library(t)["iso27001-2022-supplier-full"]
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for seed := range uint64(10) {
		rng := rand.New(rand.NewPCG(seed, 5))
		set := answer(rng, tpl, "Acme", 0.2, 1, at)
		// As a supplier without the certificate would have answered.
		set.Answers["co-iso27001"] = "no"
		for id := range set.Answers {
			if strings.HasPrefix(id, "co-iso27001-") {
				delete(set.Answers, id)
			}
		}
		before := questionnaires.Answers(set.Answers)
		set.Files = slices.DeleteFunc(set.Files, func(id string) bool { return strings.HasPrefix(id, "co-iso27001-") })
		files := map[string]int{}
		for _, id := range set.Files {
			files[id]++
		}
		if missing := questionnaires.MissingRequired(tpl, before, files); len(missing) > 0 {
			// "no" hides the follow-ups: nothing is missing yet.
			t.Fatalf("seed %d: missing before the change: %v", seed, missing)
		}
		set.Answers["co-iso27001"] = "yes"
		if missing := questionnaires.MissingRequired(tpl, set.Answers, files); len(missing) == 0 {
			t.Fatalf("seed %d: the change revealed nothing; the test no longer tests followUps", seed)
		}
		more := followUps(rng, tpl, set, "Acme", at)
		for id, v := range more.Answers {
			if _, had := set.Answers[id]; had {
				t.Errorf("seed %d: followUps re-answered %s", seed, id)
			}
			set.Answers[id] = v
		}
		for _, id := range more.Files {
			files[id]++
		}
		if missing := questionnaires.MissingRequired(tpl, set.Answers, files); len(missing) > 0 {
			t.Errorf("seed %d: still missing %v", seed, missing)
		}
		for _, id := range more.Files {
			if files[id] > 1 {
				t.Errorf("seed %d: followUps asked again for the file of %s", seed, id)
			}
		}
		if files["co-iso27001-certificate"] == 0 {
			t.Errorf("seed %d: no certificate asked for", seed)
		}
	}
}
