package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
	"go.mongodb.org/mongo-driver/bson"
	"golang.org/x/time/rate"
)

type soakOptions struct {
	suppliers   int
	concurrency int
	template    string
	files       int
	fileKiB     int
	listen      string
	cpuProfile  string
}

const soakReviewer = "reviewer@soak.test"

// supplier is one simulated supplier: its link, what it plans to send and
// what it sent.
type supplier struct {
	n    int
	name string
	link
	plan  plan
	files []sentFile
}

type sentFile struct {
	qid, sha string
	size     int64
}

// soakStats counts the requests of the soak by outcome.
type soakStats struct {
	requests  atomic.Int64
	autosaves atomic.Int64
	uploads   atomic.Int64
	submits   atomic.Int64
	server    atomic.Int64 // 5xx
	other     atomic.Int64 // transport errors and unexpected statuses below 500
	mu        sync.Mutex
	examples  []string
	lat       map[string][]time.Duration // by kind of request
}

func (st *soakStats) fail(server bool, msg string) {
	if server {
		st.server.Add(1)
	} else {
		st.other.Add(1)
	}
	st.mu.Lock()
	if len(st.examples) < 10 {
		st.examples = append(st.examples, msg)
	}
	st.mu.Unlock()
}

// soakRun is one soak: the stack, the suppliers and what their requests
// got.
type soakRun struct {
	o     soakOptions
	s     *stack
	hc    *http.Client
	mb    mailbox
	sups  []*supplier
	st    soakStats
	start time.Time
}

func runSoak(ctx context.Context, o soakOptions, stdout io.Writer) error {
	r, err := prepareSoak(ctx, o, stdout)
	if err != nil {
		return err
	}
	defer r.s.Close()
	if err := r.answer(ctx, stdout); err != nil {
		return err
	}
	return r.verify(ctx, stdout)
}

// prepareSoak starts the stack and sends every supplier its questionnaire
// through the assessment service; each supplier then reads its link from
// the invitation that reached mailpit.
func prepareSoak(ctx context.Context, o soakOptions, stdout io.Writer) (_ *soakRun, err error) {
	fmt.Fprintf(stdout, "starting Assay (embedded FerretDB, MinIO, mailpit) on loopback\n")
	r := &soakRun{o: o, start: time.Now(), st: soakStats{lat: map[string][]time.Duration{}}}
	if r.s, err = startStack(ctx, stackOptions{listen: o.listen, smtp: true, maxUploadMB: 50, logTo: os.Stderr}); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			r.s.Close()
		}
	}()
	r.hc = loopbackClient(o.concurrency, 2*time.Minute)
	r.mb = mailbox{api: r.s.mailpit.API, hc: r.hc}
	if _, err := r.s.app.Auth.CreateUser(ctx, audit.System, auth.NewUser{
		Email: soakReviewer, Name: "Soak Reviewer", Role: auth.RoleReviewer, Password: "soak reviewer password, loopback only",
	}); err != nil {
		return nil, err
	}
	r.sups = make([]*supplier, o.suppliers)
	err = parallel(ctx, o.suppliers, 4, func(ctx context.Context, i int) error {
		sp := &supplier{n: i, name: fmt.Sprintf("Soak Vendor %04d", i)}
		var err error
		sp.link, err = sendNew(ctx, r.s.app, sp.name, fmt.Sprintf("supplier-%04d@soak.test", i), o.template, 1+i%4)
		r.sups[i] = sp
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sending: %w", err)
	}
	fmt.Fprintf(stdout, "sent %d questionnaires (%s) in %s; reading the invitations from mailpit\n", o.suppliers, o.template, time.Since(r.start).Round(time.Second))
	if err := readInvitations(ctx, r.mb, r.s.url, r.sups); err != nil {
		return nil, err
	}
	tpl, err := r.s.app.Assessments.Get(ctx, r.sups[0].ID)
	if err != nil {
		return nil, err
	}
	for _, sp := range r.sups {
		sp.plan = planFor(tpl.Template, uint64(sp.n), o.files)
	}
	return r, nil
}

// answer has every supplier answer, upload and submit, o.concurrency at
// a time.
func (r *soakRun) answer(ctx context.Context, stdout io.Writer) error {
	stopProfile, err := startProfile(r.o.cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	began := time.Now()
	done := atomic.Int64{}
	ticker := time.NewTicker(15 * time.Second)
	defer ticker.Stop()
	go func() {
		for range ticker.C {
			fmt.Fprintf(stdout, "  %d/%d suppliers done, %d requests, %d 5xx\n", done.Load(), len(r.sups), r.st.requests.Load(), r.st.server.Load())
		}
	}()
	err = parallel(ctx, len(r.sups), r.o.concurrency, func(ctx context.Context, i int) error {
		answerAs(ctx, r.hc, r.s.url, r.sups[i], r.o, &r.st)
		done.Add(1)
		return nil
	})
	if err != nil {
		return err
	}
	took := time.Since(began)
	fmt.Fprintf(stdout, "answered: %d suppliers, %d requests (%d autosaves, %d uploads, %d submits) in %s: %.1f req/s\n",
		len(r.sups), r.st.requests.Load(), r.st.autosaves.Load(), r.st.uploads.Load(), r.st.submits.Load(), took.Round(time.Second),
		float64(r.st.requests.Load())/took.Seconds())
	for _, kind := range []string{"open", "autosave", "upload", "submit"} {
		lat := r.st.lat[kind]
		slices.Sort(lat)
		fmt.Fprintf(stdout, "  %-8s p50 %8.1f ms  p99 %8.1f ms  max %8.1f ms\n", kind, ms(quantile(lat, 0.5)), ms(quantile(lat, 0.99)), ms(quantile(lat, 1)))
	}
	return nil
}

// verify reads every answer, file and mail back and fails on any loss,
// duplicate or 5xx.
func (r *soakRun) verify(ctx context.Context, stdout io.Writer) error {
	v := verifier{s: r.s, sups: r.sups, mb: r.mb}
	failed := false
	check := func(name string, f func(context.Context) (string, bool, error)) error {
		line, ok, err := f(ctx)
		if err != nil {
			return fmt.Errorf("checking %s: %w", name, err)
		}
		fmt.Fprintf(stdout, "%-9s %s\n", name+":", line)
		failed = failed || !ok
		return nil
	}
	if err := errors.Join(check("answers", v.answers), check("files", v.files), check("mails", v.mails)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%-9s %d 5xx, %d other failures\n", "requests:", r.st.server.Load(), r.st.other.Load())
	for _, e := range r.st.examples {
		fmt.Fprintf(stdout, "  %s\n", e)
	}
	if failed || r.st.server.Load() > 0 || r.st.other.Load() > 0 {
		return errors.New("soak failed: see the counts above")
	}
	fmt.Fprintf(stdout, "soak passed in %s\n", time.Since(r.start).Round(time.Second))
	return nil
}

// readInvitations waits until every supplier's invitation reached
// mailpit and takes the link from it, as the supplier would.
func readInvitations(ctx context.Context, mb mailbox, baseURL string, sups []*supplier) error {
	byContact := map[string]*supplier{}
	for _, sp := range sups {
		byContact[sp.Contact] = sp
	}
	// The outbox sends one mail at a time, each a few database round trips.
	wait := 2*time.Minute + time.Duration(len(sups))*time.Second
	deadline := time.Now().Add(wait)
	for {
		msgs, err := mb.all(ctx)
		if err != nil {
			return err
		}
		found := map[string]string{}
		for _, m := range msgs {
			if len(m.To) == 1 && byContact[m.To[0].Address] != nil && strings.Contains(m.Subject, " asks ") {
				found[m.To[0].Address] = m.ID
			}
		}
		if len(found) == len(sups) {
			return parallel(ctx, len(sups), 8, func(ctx context.Context, i int) error {
				text, err := mb.text(ctx, found[sups[i].Contact])
				if err != nil {
					return err
				}
				sups[i].Token, err = tokenIn(text, baseURL)
				return err
			})
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d invitations reached mailpit within %s", len(found), len(sups), wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// answerAs is one supplier's sitting: open the questionnaire, autosave
// every answer in reading order, upload the files, submit. Its requests
// keep under the portal's per-address limit, as a person's do.
func answerAs(ctx context.Context, hc *http.Client, baseURL string, sp *supplier, o soakOptions, st *soakStats) {
	api := baseURL + "/api/v1/portal/" + sp.Token
	addr := fmt.Sprintf("10.2.%d.%d", sp.n/250, sp.n%250)
	pace := rate.NewLimiter(8, 80)
	do := func(req *http.Request, want int, kind, what string) ([]byte, bool) {
		if err := pace.Wait(ctx); err != nil {
			return nil, false
		}
		req = req.WithContext(ctx)
		req.Header.Set("X-Forwarded-For", addr)
		t0 := time.Now()
		resp, err := hc.Do(req)
		st.requests.Add(1)
		if err != nil {
			st.fail(false, fmt.Sprintf("%s %s: %v", sp.name, what, err))
			return nil, false
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(t0)
		st.mu.Lock()
		st.lat[kind] = append(st.lat[kind], took)
		st.mu.Unlock()
		if err != nil || resp.StatusCode != want {
			st.fail(resp.StatusCode >= 500, fmt.Sprintf("%s %s: %d %s %v", sp.name, what, resp.StatusCode, trim(body), err))
			return body, false
		}
		return body, true
	}
	req, _ := http.NewRequest(http.MethodGet, api, nil)
	if _, ok := do(req, http.StatusOK, "open", "open"); !ok {
		return
	}
	for _, a := range sp.plan.answers {
		body, _ := json.Marshal(map[string]any{"answers": map[string]any{a.qid: a.value}})
		req, _ := http.NewRequest(http.MethodPut, api+"/answers", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		do(req, http.StatusOK, "autosave", "autosave "+a.qid)
		st.autosaves.Add(1)
	}
	for j, qid := range sp.plan.files {
		f := newPDF(uint64(sp.n), j, int64(o.fileKiB)<<10+int64(sp.n))
		req, err := uploadRequest(ctx, api+"/evidence", qid, f)
		if err != nil {
			st.fail(false, err.Error())
			continue
		}
		st.uploads.Add(1)
		if _, ok := do(req, http.StatusCreated, "upload", "upload to "+qid); ok {
			sp.files = append(sp.files, sentFile{qid: qid, sha: sha256Of(f), size: f.size})
		}
	}
	req, _ = http.NewRequest(http.MethodPost, api+"/submit", nil)
	do(req, http.StatusOK, "submit", "submit")
	st.submits.Add(1)
}

func trim(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// verifier reads everything back once the suppliers are done.
type verifier struct {
	s    *stack
	sups []*supplier
	mb   mailbox
}

// answers compares every stored answer with what its supplier sent.
func (v verifier) answers(ctx context.Context) (string, bool, error) {
	var sent, same, lost, differ, extra, notSubmitted atomic.Int64
	err := parallel(ctx, len(v.sups), 4, func(ctx context.Context, i int) error {
		sp := v.sups[i]
		a, err := v.s.app.Assessments.Get(ctx, sp.ID)
		if err != nil {
			return err
		}
		if a.Status != assessments.StatusSubmitted {
			notSubmitted.Add(1)
		}
		stored := a.AnswerValues()
		planned := map[string]bool{}
		for _, p := range sp.plan.answers {
			planned[p.qid] = true
			sent.Add(1)
			q, _ := a.Template.Question(p.qid)
			got, ok := stored[p.qid]
			switch {
			case !ok:
				lost.Add(1)
			case !sameAnswer(q, p.value, got):
				differ.Add(1)
			default:
				same.Add(1)
			}
		}
		for qid := range stored {
			if !planned[qid] {
				extra.Add(1)
			}
		}
		return nil
	})
	ok := sent.Load() == same.Load() && extra.Load() == 0 && notSubmitted.Load() == 0
	return fmt.Sprintf("%d sent, %d stored as sent, %d lost, %d different, %d unexpected; %d assessments not submitted",
		sent.Load(), same.Load(), lost.Load(), differ.Load(), extra.Load(), notSubmitted.Load()), ok, err
}

// files finds every file sent in its assessment's evidence and in the
// bucket with the SHA-256 the supplier computed, and no object without a
// record.
func (v verifier) files(ctx context.Context) (string, bool, error) {
	var sent, intact, lost, mismatched, extra atomic.Int64
	keys := sync.Map{}
	err := parallel(ctx, len(v.sups), 4, func(ctx context.Context, i int) error {
		sp := v.sups[i]
		ev, err := v.s.app.Assessments.Evidence(ctx, sp.ID)
		if err != nil {
			return err
		}
		recs := map[string]assessments.Evidence{}
		for _, e := range ev {
			recs[e.QuestionID+"/"+e.SHA256] = e
			keys.Store(e.ObjectKey, true)
		}
		extra.Add(int64(len(ev) - len(sp.plan.files)))
		sent.Add(int64(len(sp.plan.files)))
		// An upload that failed is lost too; the request counts say why.
		lost.Add(int64(len(sp.plan.files) - len(sp.files)))
		for _, want := range sp.files {
			e, ok := recs[want.qid+"/"+want.sha]
			if !ok || e.Size != want.size {
				lost.Add(1)
				continue
			}
			sum, n, err := v.objectHash(ctx, e.ObjectKey)
			if err != nil || sum != want.sha || n != want.size {
				mismatched.Add(1)
				continue
			}
			intact.Add(1)
		}
		return nil
	})
	if err != nil {
		return "", false, err
	}
	objects, err := v.s.app.Blobs.List(ctx, "assessments/")
	if err != nil {
		return "", false, err
	}
	orphans := 0
	for _, o := range objects {
		if _, ok := keys.Load(o.Key); !ok {
			orphans++
		}
	}
	ok := sent.Load() == intact.Load() && extra.Load() == 0 && orphans == 0
	return fmt.Sprintf("%d sent, %d recorded and in the bucket with the SHA-256 sent, %d lost, %d mismatched, %d unexpected records, %d objects without a record (of %d)",
		sent.Load(), intact.Load(), lost.Load(), mismatched.Load(), extra.Load(), orphans, len(objects)), ok, nil
}

func (v verifier) objectHash(ctx context.Context, key string) (string, int64, error) {
	rc, _, err := v.s.app.Blobs.Get(ctx, key)
	if err != nil {
		return "", 0, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// mails waits for the outbox to drain, then checks that mailpit got each
// expected mail exactly once: an invitation and a receipt per supplier
// and a submission notice per supplier to the reviewer, and every
// message of the outbox under its own Message-ID once.
func (v verifier) mails(ctx context.Context) (string, bool, error) {
	expected := map[mailKey]int{}
	for _, sp := range v.sups {
		expected[mailKey{sp.Contact, assessments.MailInvitation, sp.name}] = 0
		expected[mailKey{sp.Contact, assessments.MailReceipt, sp.name}] = 0
		expected[mailKey{soakReviewer, assessments.MailSubmitted, sp.name}] = 0
	}
	var outbox []struct {
		MessageID string `bson:"message_id"`
		Status    string `bson:"status"`
	}
	deadline := time.Now().Add(2*time.Minute + time.Duration(len(v.sups))*time.Second)
	for {
		cur, err := v.s.app.DB.Collection("outbox").Find(ctx, bson.M{})
		if err != nil {
			return "", false, err
		}
		if err := cur.All(ctx, &outbox); err != nil {
			return "", false, err
		}
		pending := 0
		for _, m := range outbox {
			if m.Status != "sent" {
				pending++
			}
		}
		if pending == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(2 * time.Second)
	}
	// A duplicate sent late would arrive after the outbox says "sent".
	time.Sleep(3 * time.Second)
	msgs, err := v.mb.all(ctx)
	if err != nil {
		return "", false, err
	}
	byMessageID := map[string]int{}
	unexpected := 0
	for _, m := range msgs {
		byMessageID[strings.Trim(m.MessageID, "<>")]++
		k, ok := classify(m)
		if _, want := expected[k]; !ok || !want {
			unexpected++
			continue
		}
		expected[k]++
	}
	missing, dup, once := 0, 0, 0
	for _, n := range expected {
		switch {
		case n == 0:
			missing++
		case n == 1:
			once++
		default:
			dup += n - 1
		}
	}
	notSent, idMissing, idDup := 0, 0, 0
	for _, m := range outbox {
		if m.Status != "sent" {
			notSent++
		}
		switch byMessageID[strings.Trim(m.MessageID, "<>")] {
		case 0:
			idMissing++
		case 1:
		default:
			idDup++
		}
	}
	ok := missing == 0 && dup == 0 && unexpected == 0 && notSent == 0 && idMissing == 0 && idDup == 0
	return fmt.Sprintf("%d expected (%d invitations, %d receipts, %d submission notices), %d received once, %d missing, %d duplicates, %d unexpected; outbox: %d messages, %d not sent, %d Message-IDs missing from SMTP, %d received more than once",
		len(expected), len(v.sups), len(v.sups), len(v.sups), once, missing, dup, unexpected,
		len(outbox), notSent, idMissing, idDup), ok, nil
}

// mailKey names one expected mail.
type mailKey struct{ to, kind, vendor string }

// classify names a received mail by recipient, kind and vendor from its
// subject (frontend/templates/mail/*.txt).
func classify(m mpMessage) (mailKey, bool) {
	var k mailKey
	if len(m.To) != 1 {
		return k, false
	}
	k.to = m.To[0].Address
	i := strings.Index(m.Subject, "Soak Vendor ")
	if i < 0 || len(m.Subject) < i+len("Soak Vendor 0000") {
		return k, false
	}
	k.vendor = m.Subject[i : i+len("Soak Vendor 0000")]
	switch {
	case strings.HasPrefix(m.Subject, "Received: "):
		k.kind = assessments.MailReceipt
	case strings.HasPrefix(m.Subject, "Submitted: "):
		k.kind = assessments.MailSubmitted
	case strings.Contains(m.Subject, " asks "+k.vendor+" "):
		k.kind = assessments.MailInvitation
	default:
		return k, false
	}
	return k, true
}
