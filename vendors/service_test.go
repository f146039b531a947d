package vendors_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	storemongo "github.com/assayhq/assay/storage/mongo"
	"github.com/assayhq/assay/vendors"
)

func TestInputValidate(t *testing.T) {
	ok := vendors.Input{Name: "Acme", Tier: 2, Website: "https://acme.example", Contacts: []vendors.Contact{{Name: "Ann", Email: "ann@acme.example"}}}
	cases := []struct {
		name   string
		edit   func(*vendors.Input)
		fields []string // paths expected to be reported
	}{
		{"valid", func(*vendors.Input) {}, nil},
		{"no name", func(in *vendors.Input) { in.Name = "   " }, []string{"name"}},
		{"long name", func(in *vendors.Input) { in.Name = strings.Repeat("x", vendors.MaxNameLen+1) }, []string{"name"}},
		{"tier 0", func(in *vendors.Input) { in.Tier = 0 }, []string{"tier"}},
		{"tier 5", func(in *vendors.Input) { in.Tier = 5 }, []string{"tier"}},
		{"ftp website", func(in *vendors.Input) { in.Website = "ftp://acme.example" }, []string{"website"}},
		{"bare host website", func(in *vendors.Input) { in.Website = "acme.example" }, []string{"website"}},
		{"website with credentials", func(in *vendors.Input) { in.Website = "https://u:p@acme.example" }, []string{"website"}},
		{"bad contact email", func(in *vendors.Input) { in.Contacts[0].Email = "ann@" }, []string{"contacts[0].email"}},
		{"display name is not an email", func(in *vendors.Input) { in.Contacts[0].Email = "Ann <ann@acme.example>" }, []string{"contacts[0].email"}},
		{"contact without email", func(in *vendors.Input) { in.Contacts = append(in.Contacts, vendors.Contact{Name: "Bob"}) }, []string{"contacts[1].email"}},
		{"empty contact rows dropped", func(in *vendors.Input) { in.Contacts = append(in.Contacts, vendors.Contact{Name: " ", Email: ""}) }, nil},
		{"bad owner email", func(in *vendors.Input) { in.OwnerEmail = "nobody" }, []string{"owner_email"}},
		{"too many tags", func(in *vendors.Input) {
			for i := range vendors.MaxTags + 1 {
				in.Tags = append(in.Tags, strings.Repeat("t", i+1))
			}
		}, []string{"tags"}},
		{"several at once", func(in *vendors.Input) { in.Name, in.Tier, in.Website = "", 9, "x" }, []string{"name", "website", "tier"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := ok
			in.Contacts = slices.Clone(ok.Contacts)
			c.edit(&in)
			in.Normalize()
			err := in.Validate()
			var got []string
			for _, f := range apperr.Fields(err) {
				got = append(got, f.Path)
			}
			if !slices.Equal(got, c.fields) {
				t.Errorf("fields %v, want %v (err %v)", got, c.fields, err)
			}
			if (err != nil) != (c.fields != nil) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	in := vendors.Input{Name: "  Acme   Cloud ", Tags: []string{" Cloud", "cloud", "", "EU  hosting"},
		Contacts: []vendors.Contact{{Name: " Ann  Lee ", Email: " Ann@Acme.Example "}}, OwnerEmail: " Owner@X.test"}
	in.Normalize()
	if in.Name != "Acme Cloud" || !slices.Equal(in.Tags, []string{"cloud", "eu hosting"}) ||
		in.Contacts[0] != (vendors.Contact{Name: "Ann Lee", Email: "ann@acme.example"}) || in.OwnerEmail != "owner@x.test" {
		t.Errorf("normalized to %+v", in)
	}
}

func TestCreateUpdateArchive(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	v := r.create(t, vendors.Input{Name: "Acme Cloud", Tier: 2, OwnerEmail: "owner@example.test",
		Contacts: []vendors.Contact{{Name: "Ann", Email: "ann@acme.example"}}, Tags: []string{"Cloud"}})
	if v.OwnerID != r.owner.ID || v.OwnerName != r.owner.Name || v.Status != vendors.StatusActive || v.TierSource != vendors.TierManual {
		t.Fatalf("created %+v", v)
	}
	got, err := r.svc.Get(ctx, v.ID)
	if err != nil || got.NameLower != "acme cloud" || got.Tags[0] != "cloud" {
		t.Fatalf("stored %+v, %v", got, err)
	}

	// The same name in another case is taken, and reported on the field.
	_, err = r.svc.Create(ctx, staffActor, vendors.Input{Name: "ACME cloud", Tier: 3})
	if f := apperr.Fields(err); len(f) != 1 || f[0].Path != "name" {
		t.Fatalf("duplicate name: %v", err)
	}
	// An unknown or disabled owner is refused on its field; nothing is stored.
	for _, email := range []string{"stranger@example.test", "gone@example.test"} {
		_, err = r.svc.Create(ctx, staffActor, vendors.Input{Name: "Beta", Tier: 3, OwnerEmail: email})
		if f := apperr.Fields(err); len(f) != 1 || f[0].Path != "owner_email" {
			t.Fatalf("owner %s: %v", email, err)
		}
	}
	if _, total, _ := r.svc.List(ctx, vendors.Filter{Status: vendors.StatusAll}); total != 1 {
		t.Fatalf("%d vendors after refused creates, want 1", total)
	}

	up, err := r.svc.Update(ctx, staffActor, v.ID, vendors.Input{Name: "Acme Cloud Ltd", Tier: 1, Website: "https://acme.example"})
	if err != nil || up.Tier != 1 || up.OwnerID != "" || len(up.Contacts) != 0 {
		t.Fatalf("update: %+v, %v", up, err)
	}
	if _, err := r.svc.Update(ctx, staffActor, "nope", vendors.Input{Name: "X", Tier: 1}); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("update unknown: %v", err)
	}
	// A bad edit changes nothing.
	if _, err := r.svc.Update(ctx, staffActor, v.ID, vendors.Input{Name: "", Tier: 1}); apperr.Fields(err) == nil {
		t.Fatalf("bad update: %v", err)
	}
	if got, _ := r.svc.Get(ctx, v.ID); got.Name != "Acme Cloud Ltd" {
		t.Fatalf("bad update changed the name to %q", got.Name)
	}

	if err := r.svc.Archive(ctx, staffActor, v.ID); err != nil {
		t.Fatal(err)
	}
	ref, err := r.svc.VendorRef(ctx, v.ID)
	if err != nil || !ref.Archived || ref.Name != "Acme Cloud Ltd" || ref.Tier != 1 {
		t.Fatalf("ref after archive: %+v, %v", ref, err)
	}
	if list, _, _ := r.svc.List(ctx, vendors.Filter{}); len(list) != 0 {
		t.Fatalf("archived vendor listed among active ones")
	}
	if list, _, _ := r.svc.List(ctx, vendors.Filter{Status: vendors.StatusArchived}); len(list) != 1 {
		t.Fatalf("archived vendor not listed as archived")
	}
	if err := r.svc.Unarchive(ctx, staffActor, v.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.VendorRef(ctx, "nope"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("ref of unknown vendor: %v", err)
	}
	want := []string{"vendor.create", "vendor.update", "vendor.archive", "vendor.unarchive"}
	if got := r.audit.actions(); !slices.Equal(got, want) {
		t.Errorf("audit %v, want %v", got, want)
	}
	if e := r.audit.list[1]; e.Before["name"] != "Acme Cloud" || e.After["name"] != "Acme Cloud Ltd" || e.Actor != staffActor || e.ObjectID != v.ID {
		t.Errorf("update entry %+v", e)
	}
}

// TestPartsDoNotOverwriteEachOther: an edit made from a stale read of the
// vendor leaves the risk a completed assessment recorded meanwhile.
func TestPartsDoNotOverwriteEachOther(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	v := r.create(t, vendors.Input{Name: "Acme", Tier: 2})
	stale, _ := r.store.Get(ctx, v.ID)
	if err := r.svc.RecordAssessment(ctx, v.ID, risk("a1", 70, "B", "medium", time.Now())); err != nil {
		t.Fatal(err)
	}
	stale.Tier = 3
	if err := r.store.Save(ctx, stale, vendors.PartDetails); err != nil {
		t.Fatal(err)
	}
	got, _ := r.store.Get(ctx, v.ID)
	if got.Tier != 3 || got.Grade != "B" || len(got.ScoreHistory) != 1 {
		t.Fatalf("tier %d grade %q history %d", got.Tier, got.Grade, len(got.ScoreHistory))
	}
}

func risk(id string, overall float64, grade, residual string, at time.Time) assessments.VendorRisk {
	return assessments.VendorRisk{AssessmentID: id, Overall: overall, Grade: grade, Residual: residual,
		Decision: assessments.TreatMitigate, CompletedAt: at}
}

func TestRecordAssessment(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	v := r.create(t, vendors.Input{Name: "Acme", Tier: 2})
	at := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	if err := r.svc.RecordAssessment(ctx, v.ID, risk("a1", 62.5, "C", "high", at)); err != nil {
		t.Fatal(err)
	}
	// Again for the same assessment (a retried call): no second point.
	if err := r.svc.RecordAssessment(ctx, v.ID, risk("a1", 64, "C", "high", at)); err != nil {
		t.Fatal(err)
	}
	got, _ := r.svc.Get(ctx, v.ID)
	if got.LatestScore == nil || *got.LatestScore != 64 || got.Grade != "C" || got.ResidualRisk != "high" || got.RiskRank != 3 ||
		got.Decision != assessments.TreatMitigate || got.LastAssessmentID != "a1" || len(got.ScoreHistory) != 1 {
		t.Fatalf("after record: %+v", got)
	}
	if want := vendors.NextReview(2, at); !got.NextReviewAt.Equal(want) {
		t.Errorf("next review %v, want %v (tier 2 interval)", got.NextReviewAt, want)
	}
	for i := range vendors.MaxHistory + 5 {
		next := risk("b"+string(rune('a'+i%26))+string(rune('a'+i/26)), float64(i), "D", "medium", at.AddDate(0, 0, i+1))
		next.NextReview = at.AddDate(1, 0, 0)
		if err := r.svc.RecordAssessment(ctx, v.ID, next); err != nil {
			t.Fatal(err)
		}
	}
	got, _ = r.svc.Get(ctx, v.ID)
	if len(got.ScoreHistory) != vendors.MaxHistory || got.ScoreHistory[len(got.ScoreHistory)-1].Overall != float64(vendors.MaxHistory+4) {
		t.Fatalf("history of %d points, last %+v", len(got.ScoreHistory), got.ScoreHistory[len(got.ScoreHistory)-1])
	}
	if !got.NextReviewAt.Equal(at.AddDate(1, 0, 0)) {
		t.Errorf("given next review not kept: %v", got.NextReviewAt)
	}
	if e := r.audit.list[len(r.audit.list)-1]; e.Action != "vendor.risk" || e.Actor.Kind != "system" {
		t.Errorf("last audit entry %+v", e)
	}
}

func TestListFiltersAndSorts(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	at := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	mk := func(name string, tier int, tags ...string) *vendors.Vendor {
		return r.create(t, vendors.Input{Name: name, Tier: tier, Tags: tags, OwnerEmail: "owner@example.test"})
	}
	alpha := mk("Alpha (EU)", 1, "cloud", "eu")
	beta := mk("beta.io", 2, "cloud")
	gamma := mk("Gamma", 3, "payroll")
	delta := mk("Delta", 4)
	arch := mk("Alphabet Archived", 1, "cloud")
	_ = r.svc.Archive(ctx, staffActor, arch.ID)
	_ = r.svc.RecordAssessment(ctx, alpha.ID, risk("a", 80, "B", "low", at))
	_ = r.svc.RecordAssessment(ctx, beta.ID, risk("b", 30, "E", "critical", at))
	_ = r.svc.RecordAssessment(ctx, gamma.ID, risk("c", 55, "C", "high", at))
	if err := r.svc.MarkOverdue(ctx, []string{gamma.ID, delta.ID}); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.MarkOverdue(ctx, []string{delta.ID}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		f    vendors.Filter
		want []string
	}{
		{"all active by name", vendors.Filter{}, []string{"Alpha (EU)", "beta.io", "Delta", "Gamma"}},
		{"search any case", vendors.Filter{Q: "ALPHA"}, []string{"Alpha (EU)"}},
		{"search is not a regex", vendors.Filter{Q: "(eu)"}, []string{"Alpha (EU)"}},
		{"dot is literal", vendors.Filter{Q: "l.h"}, nil},
		{"substring", vendors.Filter{Q: "ta.i"}, []string{"beta.io"}},
		{"tier", vendors.Filter{Tier: 2}, []string{"beta.io"}},
		{"risk", vendors.Filter{Risk: "critical"}, []string{"beta.io"}},
		{"never assessed", vendors.Filter{Risk: "none"}, []string{"Delta"}},
		{"overdue", vendors.Filter{Overdue: true}, []string{"Delta"}},
		{"tags all", vendors.Filter{Tags: []string{"cloud", "EU"}}, []string{"Alpha (EU)"}},
		{"tag", vendors.Filter{Tags: []string{"cloud"}}, []string{"Alpha (EU)", "beta.io"}},
		{"archived", vendors.Filter{Status: vendors.StatusArchived}, []string{"Alphabet Archived"}},
		{"all statuses", vendors.Filter{Status: vendors.StatusAll, Q: "alpha"}, []string{"Alpha (EU)", "Alphabet Archived"}},
		{"name descending", vendors.Filter{Sort: "-name"}, []string{"Gamma", "Delta", "beta.io", "Alpha (EU)"}},
		{"tier descending", vendors.Filter{Sort: "-tier"}, []string{"Delta", "Gamma", "beta.io", "Alpha (EU)"}},
		{"highest risk first", vendors.Filter{Sort: "-risk"}, []string{"beta.io", "Gamma", "Alpha (EU)", "Delta"}},
		{"lowest score first", vendors.Filter{Sort: "score", Risk: "high"}, []string{"Gamma"}},
		{"score descending", vendors.Filter{Sort: "-score"}, []string{"Alpha (EU)", "Gamma", "beta.io", "Delta"}},
		{"unknown sort falls back to name", vendors.Filter{Sort: "$where"}, []string{"Alpha (EU)", "beta.io", "Delta", "Gamma"}},
		{"ids", vendors.Filter{IDs: []string{delta.ID, beta.ID}}, []string{"beta.io", "Delta"}},
		{"page 2 of 3 per page", vendors.Filter{Page: 2, Per: 3}, []string{"Gamma"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			list, total, err := r.svc.List(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range list {
				got = append(got, v.Name)
				if v.OwnerName != "Olivia Owner" {
					t.Errorf("%s: owner name %q", v.Name, v.OwnerName)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
			if c.f.Per == 0 && int(total) != len(c.want) {
				t.Errorf("total %d, want %d", total, len(c.want))
			}
		})
	}
}

func TestIntakeSetsTier(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	v := r.create(t, vendors.Input{Name: "Acme", Tier: 4})
	tmpl, err := r.svc.IntakeTemplate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Missing required answers: refused, field by field, tier unchanged.
	_, err = r.svc.Intake(ctx, staffActor, v.ID, map[string][]string{})
	if len(apperr.Fields(err)) == 0 {
		t.Fatalf("empty intake: %v", err)
	}
	// Answer every question with its riskiest option: tier 1.
	form := map[string][]string{}
	for _, q := range tmpl.Questions() {
		switch opts := q.EffectiveOptions(); {
		case len(opts) > 0:
			best := opts[0]
			for _, o := range opts {
				if o.Score != nil && (best.Score == nil || *o.Score > *best.Score) {
					best = o
				}
			}
			form["q."+q.ID] = []string{best.Value}
		case q.Type == "number":
			form["q."+q.ID] = []string{"1000000"}
		case q.Type == "date":
			form["q."+q.ID] = []string{"2026-01-01"}
		default:
			form["q."+q.ID] = []string{"answer"}
		}
	}
	got, err := r.svc.Intake(ctx, staffActor, v.ID, form)
	if err != nil {
		t.Fatalf("intake: %v", err)
	}
	if got.Tier != 1 || got.TierSource != vendors.TierIntake || got.IntakeAt.IsZero() || len(got.IntakeValues()) == 0 {
		t.Fatalf("after intake: tier %d source %s answers %d", got.Tier, got.TierSource, len(got.IntakeValues()))
	}
	stored, _ := r.svc.Get(ctx, v.ID)
	if len(stored.IntakeValues()) != len(got.IntakeValues()) {
		t.Errorf("stored %d answers, want %d", len(stored.IntakeValues()), len(got.IntakeValues()))
	}
	// An invalid value is reported on its question.
	for _, q := range tmpl.Questions() {
		if len(q.EffectiveOptions()) > 0 {
			form["q."+q.ID] = []string{"not-an-option"}
			_, err = r.svc.Intake(ctx, staffActor, v.ID, form)
			if f := apperr.Fields(err); len(f) != 1 || f[0].Path != "q."+q.ID {
				t.Fatalf("bad option: %v", err)
			}
			break
		}
	}
	// A manual tier change afterwards wins over the intake.
	up, err := r.svc.Update(ctx, staffActor, v.ID, vendors.Input{Name: "Acme", Tier: 3})
	if err != nil || up.TierSource != vendors.TierManual {
		t.Fatalf("manual tier after intake: %+v %v", up, err)
	}
}

// TestListSeesOtherInstancesWrites: two stores over one database stand for
// two Assay instances; each one's list copy follows the other's writes,
// through the change log and, once it is far behind, a full reload.
func TestListSeesOtherInstancesWrites(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	other := vendors.NewService(vendors.Deps{Store: storemongo.NewVendors(r.db), Staff: storemongo.NewStaffDirectory(r.db),
		Audit: r.audit, Now: func() time.Time { return r.now }})
	v := r.create(t, vendors.Input{Name: "Acme", Tier: 2})
	names := func() []string {
		list, _, err := other.List(ctx, vendors.Filter{Sort: "tier"})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range list {
			out = append(out, fmt.Sprintf("%s:%d", x.Name, x.Tier))
		}
		return out
	}
	if got := names(); !slices.Equal(got, []string{"Acme:2"}) {
		t.Fatalf("first list %v", got)
	}
	if _, err := r.svc.Update(ctx, staffActor, v.ID, vendors.Input{Name: "Acme", Tier: 1}); err != nil {
		t.Fatal(err)
	}
	r.create(t, vendors.Input{Name: "Beta", Tier: 3})
	if got := names(); !slices.Equal(got, []string{"Acme:1", "Beta:3"}) {
		t.Fatalf("after an edit and a create elsewhere: %v", got)
	}
	// More changes than the log holds: the copy reloads whole.
	for i := range 130 {
		if _, err := r.svc.Update(ctx, staffActor, v.ID, vendors.Input{Name: "Acme", Tier: i%4 + 1}); err != nil {
			t.Fatal(err)
		}
	}
	if got := names(); !slices.Equal(got, []string{"Acme:2", "Beta:3"}) {
		t.Fatalf("after 130 edits elsewhere: %v", got)
	}
	if err := r.svc.MarkOverdue(ctx, []string{v.ID}); err != nil {
		t.Fatal(err)
	}
	if list, _, _ := other.List(ctx, vendors.Filter{Overdue: true}); len(list) != 1 || list[0].ID != v.ID {
		t.Fatalf("overdue flag not seen: %v", list)
	}
}

// TestListFollowsConcurrentWrites: writes made at the same moment by
// several goroutines (or instances) each get their own place in the change
// log, so another instance's list copy, already loaded, catches up on all
// of them without a full reload.
func TestListFollowsConcurrentWrites(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	other := vendors.NewService(vendors.Deps{Store: storemongo.NewVendors(r.db), Staff: storemongo.NewStaffDirectory(r.db),
		Audit: r.audit, Now: func() time.Time { return r.now }})
	r.create(t, vendors.Input{Name: "First", Tier: 2})
	if _, total, err := other.List(ctx, vendors.Filter{}); err != nil || total != 1 {
		t.Fatalf("first list: %d %v", total, err)
	}
	const writers, each = 4, 8
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := r.svc.Create(ctx, staffActor, vendors.Input{Name: fmt.Sprintf("V%d-%d", w, i), Tier: 3}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	list, total, err := other.List(ctx, vendors.Filter{Per: 200})
	if err != nil || total != 1+writers*each || len(list) != int(total) {
		t.Fatalf("after concurrent creates the other copy lists %d, want %d (%v)", total, 1+writers*each, err)
	}
}
