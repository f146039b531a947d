package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/assessments"
	storemongo "github.com/assayhq/assay/storage/mongo"
)

// A small soak passes, and its checks catch a lost answer, a lost file
// and a lost mail once something is taken away behind Assay's back.
func TestSoakChecksCatchLosses(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var out bytes.Buffer
	r, err := prepareSoak(ctx, soakOptions{suppliers: 3, concurrency: 3, template: vendorLite, files: 2, fileKiB: 16, listen: "127.0.0.1:0"}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	defer r.s.Close()
	if err := r.answer(ctx, &out); err != nil {
		t.Fatal(err)
	}
	if err := r.verify(ctx, &out); err != nil {
		t.Fatalf("clean soak: %v\n%s", err, out.String())
	}
	for _, want := range []string{"0 lost, 0 different", "0 mismatched", "0 missing, 0 duplicates", "0 5xx, 0 other failures", "soak passed"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("clean soak output lacks %q:\n%s", want, out.String())
		}
	}

	sp := r.sups[0]
	qid := sp.plan.answers[0].qid
	// Lose an answer behind the app's back (answers are stored packed, so
	// through the store rather than an $unset of its path).
	lose := assessments.Change{ClearAnswers: []string{qid}, At: time.Now()}
	if err := storemongo.NewAssessments(r.s.app.DB).Update(ctx, sp.ID, assessments.Expect{}, lose); err != nil {
		t.Fatal(err)
	}
	ev, err := r.s.app.Assessments.Evidence(ctx, sp.ID)
	if err != nil || len(ev) == 0 {
		t.Fatalf("evidence of %s: %v %v", sp.ID, ev, err)
	}
	if err := r.s.app.Blobs.Delete(ctx, ev[0].ObjectKey); err != nil {
		t.Fatal(err)
	}
	msgs, err := r.mb.all(ctx)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("mailpit: %v %v", msgs, err)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodDelete, r.mb.api+"/api/v1/messages", strings.NewReader(`{"IDs":["`+msgs[0].ID+`"]}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.hc.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("deleting a message from mailpit: %v %v", resp, err)
	}
	resp.Body.Close()

	out.Reset()
	if err := r.verify(ctx, &out); err == nil {
		t.Fatalf("the checks passed after losses:\n%s", out.String())
	}
	for _, want := range []string{" 1 lost, 0 different", "1 mismatched", "1 missing"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("after the losses the output lacks %q:\n%s", want, out.String())
		}
	}
}
