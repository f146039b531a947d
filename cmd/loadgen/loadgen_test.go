package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/questionnaires"
)

func TestCheckLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:8080", true},
		{"127.0.0.1:0", true},
		{"localhost:9000", true},
		{"[::1]:80", true},
		{"127.1.2.3:80", true}, // all of 127/8 is loopback
		{"0.0.0.0:8080", false},
		{"10.0.0.5:8080", false},
		{"192.168.1.1:443", false},
		{"example.com:80", false},
		{"[2001:db8::1]:80", false},
		{"127.0.0.1", false}, // no port
		{"", false},
	} {
		err := checkLoopback(tc.addr)
		if (err == nil) != tc.ok {
			t.Errorf("checkLoopback(%q) = %v, want ok=%v", tc.addr, err, tc.ok)
		}
	}
}

// The client refuses to dial anything but loopback, whatever URL it is
// given.
func TestLoopbackClientRefusesOtherHosts(t *testing.T) {
	hc := loopbackClient(1, 5*time.Second)
	for _, url := range []string{"http://192.0.2.1/", "http://[2001:db8::1]:8080/"} {
		_, err := hc.Get(url)
		if err == nil || !strings.Contains(err.Error(), "only targets 127.0.0.1") {
			t.Errorf("GET %s: %v, want a refusal", url, err)
		}
	}
}

func TestRunRefusesANonLoopbackListenAddress(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"-listen", "0.0.0.0:8080"}, &out, &errs); code != 2 || !strings.Contains(errs.String(), "refusing") {
		t.Fatalf("exit %d, stderr %q; want 2 and a refusal", code, errs.String())
	}
}

func TestQuantile(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		out := make([]time.Duration, len(n))
		for i, v := range n {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	for _, tc := range []struct {
		lat  []time.Duration
		q    float64
		want time.Duration
	}{
		{nil, 0.5, 0},
		{ms(7), 0.99, 7 * time.Millisecond},
		{ms(1, 2, 3, 4), 0.5, 2 * time.Millisecond},
		{ms(hundred...), 0.5, 50 * time.Millisecond},
		{ms(hundred...), 0.99, 99 * time.Millisecond},
		{ms(hundred...), 1, 100 * time.Millisecond},
		{ms(hundred...), 0, time.Millisecond},
	} {
		if got := quantile(tc.lat, tc.q); got != tc.want {
			t.Errorf("quantile(%d values, %v) = %v, want %v", len(tc.lat), tc.q, got, tc.want)
		}
	}
}

// Every planned answer is valid, every question visible once the plan is
// applied is answered or gets a file, and the plan differs by supplier.
func TestPlanAnswersEveryVisibleQuestion(t *testing.T) {
	lib, err := questionnaires.Library()
	if err != nil {
		t.Fatal(err)
	}
	for _, tpl := range lib {
		for seed := range uint64(20) {
			p := planFor(tpl, seed, 2)
			given := questionnaires.Answers{}
			for _, a := range p.answers {
				q, ok := tpl.Question(a.qid)
				if !ok {
					t.Fatalf("%s: planned answer to unknown question %s", tpl.Key, a.qid)
				}
				norm, err := questionnaires.ValidateAnswer(q, a.value)
				if err != nil || norm == nil {
					t.Fatalf("%s: answer %v to %s is refused: %v", tpl.Key, a.value, a.qid, err)
				}
				if !sameAnswer(q, a.value, norm) {
					t.Fatalf("%s: %s: stored form %v does not compare equal to %v", tpl.Key, a.qid, norm, a.value)
				}
				given[a.qid] = norm
			}
			files := map[string]int{}
			for _, qid := range p.files {
				files[qid]++
			}
			if missing := questionnaires.MissingRequired(tpl, given, files); len(missing) > 0 {
				t.Fatalf("%s seed %d: required questions left open: %v", tpl.Key, seed, missing)
			}
			if len(p.files) < 2 && takesFiles(tpl) {
				t.Fatalf("%s seed %d: %d files planned, want 2", tpl.Key, seed, len(p.files))
			}
		}
		if a, b := planFor(tpl, 1, 2), planFor(tpl, 2, 2); sameValues(a, b) {
			t.Errorf("%s: suppliers 1 and 2 plan the same answers", tpl.Key)
		}
	}
}

func takesFiles(t *questionnaires.Template) bool {
	for _, s := range t.Sections {
		for _, q := range s.Questions {
			if q.Evidence != nil || q.Type == questionnaires.TypeFile {
				return true
			}
		}
	}
	return false
}

func sameValues(a, b plan) bool {
	if len(a.answers) != len(b.answers) {
		return false
	}
	for i := range a.answers {
		if a.answers[i].qid != b.answers[i].qid || !strings.EqualFold(strings.TrimSpace(toString(a.answers[i].value)), strings.TrimSpace(toString(b.answers[i].value))) {
			return false
		}
	}
	return true
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

// The streamed upload body is exactly the declared length and parses as
// the form the portal reads, with the file's bytes intact.
func TestMultipartBody(t *testing.T) {
	f := newPDF(7, 1, 300<<10+17)
	body, ctype, n := multipartBody("sup-policy", f)
	raw, err := io.ReadAll(body())
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(raw)) != n {
		t.Fatalf("body is %d bytes, declared %d", len(raw), n)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", bytes.NewReader(raw))
	req.Header.Set("Content-Type", ctype)
	mr, err := req.MultipartReader()
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]byte{}
	var name string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		parts[p.FormName()] = b
		if p.FormName() == "file" {
			name = p.FileName()
		}
	}
	want, _ := io.ReadAll(f.reader())
	if string(parts["question_id"]) != "sup-policy" || !bytes.Equal(parts["file"], want) || name != f.name {
		t.Fatalf("parts: question_id %q, file %d bytes named %q; want sup-policy, %d bytes named %q",
			parts["question_id"], len(parts["file"]), name, len(want), f.name)
	}
	first, second := sha256Of(f), sha256Of(f)
	if !bytes.HasPrefix(want, []byte("%PDF-")) || first != second {
		t.Fatal("the file must look like a PDF and read the same every time")
	}
}

func TestClassifyMail(t *testing.T) {
	msg := func(to, subject string) mpMessage {
		m := mpMessage{Subject: subject}
		m.To = append(m.To, struct {
			Address string `json:"Address"`
		}{to})
		return m
	}
	for _, tc := range []struct {
		m    mpMessage
		want mailKey
		ok   bool
	}{
		{msg("s@x.test", `Loadgen Corp asks Soak Vendor 0042 to complete "Vendor essentials" by 1 May 2026`), mailKey{"s@x.test", "invitation", "Soak Vendor 0042"}, true},
		{msg("s@x.test", `Received: "Vendor essentials" from Soak Vendor 0042`), mailKey{"s@x.test", "receipt", "Soak Vendor 0042"}, true},
		{msg("r@x.test", `Submitted: Soak Vendor 0007 answered "Vendor essentials"`), mailKey{"r@x.test", "submitted", "Soak Vendor 0007"}, true},
		{msg("r@x.test", `Reminder: Soak Vendor 0007`), mailKey{}, false},
		{msg("r@x.test", `Password reset`), mailKey{}, false},
	} {
		got, ok := classify(tc.m)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("classify(%q) = %+v %v, want %+v %v", tc.m.Subject, got, ok, tc.want, tc.ok)
		}
	}
}
