package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/questionnaires"
)

// benchOptions bound the benchmark: every operation runs for dur (split in
// rounds, alternating with its baseline) or limit requests, whichever
// comes first.
type benchOptions struct {
	clients          int
	dur              time.Duration
	rounds           int
	limit            int64
	uploadLimit      int64
	uploadMiB        int
	dashboardVendors int
	assessments      int
	uploadGiB        float64
	out              string
	listen           string
	cpuProfile       string
	ops              string
}

// row is one line of the table.
type row struct {
	Operation   string  `json:"operation"`
	Request     string  `json:"request"`
	Requests    int     `json:"requests"`
	Failures    int     `json:"failures"`
	FirstError  string  `json:"first_error,omitempty"`
	RPS         float64 `json:"requests_per_second"`
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	Baseline    string  `json:"baseline,omitempty"`
	BaselineRPS float64 `json:"baseline_requests_per_second,omitempty"` // in the turns alternating with this one
	Ratio       float64 `json:"ratio_to_baseline,omitempty"`
	PeakRSSMiB  float64 `json:"peak_rss_mib"`
	Target      string  `json:"target,omitempty"`
	Met         *bool   `json:"target_met,omitempty"`
}

// results is bench/results.json.
type results struct {
	GeneratedAt time.Time  `json:"generated_at"`
	Command     string     `json:"command"`
	GoVersion   string     `json:"go_version"`
	CPUs        int        `json:"cpus"`
	LoadAverage string     `json:"load_average_at_start"`
	Clients     int        `json:"clients"`
	PerOp       string     `json:"duration_per_operation"`
	Rounds      int        `json:"rounds"`
	Rows        []row      `json:"rows"`
	BigUpload   *bigUpload `json:"big_upload,omitempty"`
	Notes       []string   `json:"notes"`
}

type benchData struct {
	links     []link // one full ISO assessment per client
	uploads   []link // another per client, which the upload benchmark fills
	section   string // first section of the full questionnaire
	yesNo     []string
	evidenceQ []string
	cookies   []*http.Cookie
}

func runBench(ctx context.Context, o benchOptions, stdout io.Writer) error {
	maxMB := 50
	if o.uploadGiB > 0 {
		maxMB = int(o.uploadGiB*1024) + 64
	}
	load, _ := os.ReadFile("/proc/loadavg")
	res := results{
		GeneratedAt: time.Now().UTC(), Command: "go run ./cmd/loadgen " + strings.Join(os.Args[1:], " "),
		GoVersion: runtime.Version(), CPUs: runtime.NumCPU(), LoadAverage: strings.TrimSpace(string(load)),
		Clients: o.clients, PerOp: o.dur.String(), Rounds: o.rounds,
	}
	fmt.Fprintf(stdout, "starting Assay (embedded FerretDB, MinIO) and the bare Echo baseline on loopback\n")
	s, err := startStack(ctx, stackOptions{listen: o.listen, maxUploadMB: maxMB, logTo: os.Stderr})
	if err != nil {
		return err
	}
	defer s.Close()
	hc := loopbackClient(o.clients, 5*time.Minute)
	t0 := time.Now()
	d, err := seedBench(ctx, s, hc, o)
	if err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	fmt.Fprintf(stdout, "seeded %d completed vendors and %d full ISO assessments, each half answered (%d with half their files, %d for uploads), in %s\n",
		o.dashboardVendors, len(d.links)+len(d.uploads), len(d.links), len(d.uploads), time.Since(t0).Round(time.Second))

	tk := func(c int) string { return d.links[c%len(d.links)].Token }
	get := func(url string) func(c int, i int64) (*http.Request, error) {
		return func(c int, i int64) (*http.Request, error) {
			req, err := http.NewRequest(http.MethodGet, url, nil)
			if err == nil {
				setClient(req, c, i)
			}
			return req, err
		}
	}
	bareGET := target{name: "baseline GET", build: get(s.bareURL + "/page"), want: http.StatusOK}
	page := target{name: "supplier page", want: http.StatusOK, build: func(c int, i int64) (*http.Request, error) {
		return get(s.url+"/q/"+tk(c)+"/s/"+d.section)(c, i)
	}}
	// The page's own bytes from the bare Echo: the most any handler that
	// sends this page can do here, whatever it does to make it.
	if err := fetchSamePage(ctx, hc, s, s.url+"/q/"+tk(0)+"/s/"+d.section); err != nil {
		return err
	}
	samePage := target{name: "fixed page bytes", build: get(s.bareURL + "/same"), want: http.StatusOK}
	autosave := target{name: "autosave", want: http.StatusOK, build: func(c int, i int64) (*http.Request, error) {
		qid, val := d.yesNo[int(i)%len(d.yesNo)], "yes"
		if i/int64(len(d.yesNo))%2 == 1 {
			val = "no"
		}
		body := fmt.Sprintf(`{"answers":{%q:%q}}`, qid, val)
		req, err := http.NewRequest(http.MethodPut, s.url+"/api/v1/portal/"+tk(c)+"/answers", strings.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
			setClient(req, c, i)
		}
		return req, err
	}}
	content := make([]byte, o.uploadMiB<<20)
	_, _ = io.ReadFull(newPDF(0, 0, int64(len(content))).reader(), content)
	bodies, ctypes := make([][]byte, len(d.evidenceQ)), make([]string, len(d.evidenceQ))
	for j, qid := range d.evidenceQ {
		bodies[j], ctypes[j] = multipartBytes(qid, "policy.pdf", content)
	}
	post := func(url func(c int) string) func(c int, i int64) (*http.Request, error) {
		return func(c int, i int64) (*http.Request, error) {
			j := int(i) % len(bodies)
			req, err := http.NewRequest(http.MethodPost, url(c), bytes.NewReader(bodies[j]))
			if err == nil {
				req.Header.Set("Content-Type", ctypes[j])
				setClient(req, c, i)
			}
			return req, err
		}
	}
	rawCopy := target{name: "raw loopback copy", want: http.StatusCreated, build: post(func(int) string { return s.bareURL + "/raw" })}
	upload := target{name: "evidence upload", want: http.StatusCreated, build: post(func(c int) string {
		return s.url + "/api/v1/portal/" + d.uploads[c%len(d.uploads)].Token + "/evidence"
	})}
	floorRead := target{name: "one database read", want: http.StatusOK, build: func(c int, i int64) (*http.Request, error) {
		return get(s.bareURL+"/floor/read/"+d.links[c%len(d.links)].ID)(c, i)
	}}
	floorWrite := target{name: "one database write", want: http.StatusOK, build: func(c int, i int64) (*http.Request, error) {
		req, err := http.NewRequest(http.MethodPut, s.bareURL+"/floor/write/"+d.links[c%len(d.links)].ID, nil)
		if err == nil {
			setClient(req, c, i)
		}
		return req, err
	}}
	floorPut := target{name: "one S3 put", want: http.StatusCreated, build: post(func(int) string { return s.bareURL + "/floor/put" })}
	dashboard := target{name: "dashboard", want: http.StatusOK, build: func(c int, i int64) (*http.Request, error) {
		req, err := get(s.url+"/app/")(c, i)
		if err == nil {
			for _, ck := range d.cookies {
				req.AddCookie(ck)
			}
		}
		return req, err
	}}

	stopProfile, err := startProfile(o.cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	type pair struct {
		key       string
		base, op  target
		request   string
		limit     int64
		minRatio  float64
		maxP99    time.Duration
		baseLabel string
	}
	// Each storage floor runs right after the operation it bounds, on the
	// database as that operation left it.
	pairs := []pair{
		{"page", bareGET, page, "GET /q/:token/s/" + d.section, o.limit, 0.40, 25 * time.Millisecond, "baseline GET"},
		{"floors", bareGET, floorRead, "GET /floor/read/:id (bare Echo, one FindOne of a client's assessment by _id)", o.limit, 0, 0, "baseline GET"},
		{"pagebytes", bareGET, samePage, fmt.Sprintf("GET /same (bare Echo, the supplier page's %d bytes, fixed)", len(*s.samePage.Load())), o.limit, 0, 0, "baseline GET"},
		{"autosave", bareGET, autosave, "PUT /api/v1/portal/:token/answers (one answer)", o.limit, 0.40, 25 * time.Millisecond, "baseline GET"},
		{"floors", bareGET, floorWrite, "PUT /floor/write/:id (bare Echo, one UpdateOne $set of one field of it)", o.limit, 0, 0, "baseline GET"},
		{"upload", rawCopy, upload, fmt.Sprintf("POST /api/v1/portal/:token/evidence (%d MiB PDF)", o.uploadMiB), o.uploadLimit, 0.70, 0, "raw loopback copy"},
		{"floors", rawCopy, floorPut, fmt.Sprintf("POST /floor/put (bare Echo, the same %d MiB body put as one object)", o.uploadMiB), o.uploadLimit, 0, 0, "raw loopback copy"},
		{"dashboard", bareGET, dashboard, "GET /app/ (staff session)", o.limit, 0, 0, "baseline GET"},
	}
	baseTotals := map[string]*tally{}
	baseRSS := map[string]int64{}
	baseReq := map[string]string{"baseline GET": "GET /page (bare Echo, fixed HTML)", "raw loopback copy": "POST /raw (bare Echo, io.Copy to io.Discard, same bytes)"}
	var opRows []row
	wanted := strings.Split(o.ops, ",")
	for _, p := range pairs {
		if !slices.Contains(wanted, p.key) {
			continue
		}
		if p.key == "dashboard" {
			if st, err := probe(ctx, hc, p.op); err != nil || st != http.StatusOK {
				res.Notes = append(res.Notes, fmt.Sprintf("dashboard not measured: GET /app/ answered %d (%v)", st, err))
				fmt.Fprintf(stdout, "dashboard not measured: GET /app/ answered %d (%v)\n", st, err)
				continue
			}
		}
		fmt.Fprintf(stdout, "measuring %s against %s: %d clients, %s in %d turns each\n", p.op.name, p.base.name, o.clients, o.dur, o.rounds)
		b, m, bPeak, peak := interleave(ctx, hc, p.base, p.op, o.clients, o.dur, p.limit, o.rounds)
		if baseTotals[p.baseLabel] == nil {
			baseTotals[p.baseLabel] = &tally{statuses: map[int]int{}}
		}
		baseTotals[p.baseLabel].add(b)
		baseRSS[p.baseLabel] = max(baseRSS[p.baseLabel], bPeak)
		r := rowOf(p.op.name, p.request, m, peak)
		r.Baseline, r.BaselineRPS = p.baseLabel, b.rps()
		if b.rps() > 0 {
			r.Ratio = m.rps() / b.rps()
		}
		var targets []string
		met := true
		if p.minRatio > 0 {
			targets = append(targets, fmt.Sprintf("≥ %.0f%% of %s", p.minRatio*100, p.baseLabel))
			met = met && r.Ratio >= p.minRatio
		}
		if p.maxP99 > 0 {
			targets = append(targets, fmt.Sprintf("p99 < %s", p.maxP99))
			met = met && quantile(m.lat, 0.99) < p.maxP99
		}
		if len(targets) > 0 {
			r.Target, r.Met = strings.Join(targets, ", "), &met
		}
		opRows = append(opRows, r)
	}
	for _, label := range []string{"baseline GET", "raw loopback copy"} {
		if t := baseTotals[label]; t != nil {
			slices.Sort(t.lat)
			res.Rows = append(res.Rows, rowOf(label, baseReq[label], *t, baseRSS[label]))
		}
	}
	res.Rows = append(res.Rows, opRows...)
	res.Notes = append(res.Notes,
		"Assay, its embedded FerretDB and the load generator share one process: peak RSS is theirs together; MinIO runs as its own process.",
		"Each operation alternates with its baseline in equal turns, so load from elsewhere on the machine weighs on both alike; the ratio compares the two.",
		"Supplier requests carry one of 16 client addresses per simulated client in X-Forwarded-For, so the per-address limit of supplier routes stays out of the measurement while its cost stays in.")

	if o.uploadGiB > 0 {
		size := int64(o.uploadGiB * (1 << 30))
		fmt.Fprintf(stdout, "streaming one %.3g GiB upload and sampling RSS\n", o.uploadGiB)
		big, err := runBigUpload(ctx, s, hc, d.uploads[0], d.evidenceQ[0], size)
		if err != nil {
			return err
		}
		res.BigUpload = &big
	}
	printTable(stdout, res)
	return writeJSON(o.out, res)
}

// fetchSamePage stores the body of one supplier page for the bare Echo's
// /same.
func fetchSamePage(ctx context.Context, hc *http.Client, s *stack, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	setClient(req, 0, 0)
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("fetching a supplier page: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetching a supplier page: %d %v", resp.StatusCode, err)
	}
	s.samePage.Store(&b)
	return nil
}

// startProfile writes a CPU profile to path (none when empty) until the
// returned function is called.
func startProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func rowOf(name, request string, t tally, peak int64) row {
	failures := t.failures
	return row{
		Operation: name, Request: request, Requests: len(t.lat), Failures: failures, FirstError: t.firstErr,
		RPS: t.rps(), P50ms: ms(quantile(t.lat, 0.50)), P99ms: ms(quantile(t.lat, 0.99)), PeakRSSMiB: mib(peak),
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// setClient names the simulated client of request i: each of the clients
// rotates through 16 addresses.
func setClient(req *http.Request, c int, i int64) {
	req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.1.%d.%d", c%250, i%16))
}

// probe sends one request of t and returns its status.
func probe(ctx context.Context, hc *http.Client, t target) (int, error) {
	st, _, err := once(ctx, hc, t, 0, 0)
	return st, err
}

// multipartBytes is a whole upload body in memory, for the benchmark,
// where the client must cost as little as it can.
func multipartBytes(qid, filename string, content []byte) ([]byte, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("question_id", qid)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
	h.Set("Content-Type", "application/pdf")
	p, _ := w.CreatePart(h)
	_, _ = p.Write(content)
	_ = w.Close()
	return b.Bytes(), w.FormDataContentType()
}

// seedBench prepares what the operations read and write: the dashboard's
// portfolio first (every write to the embedded FerretDB costs more the more
// assessments there are, and the full questionnaires are the largest),
// then the full ISO questionnaires the clients answer, one each as 64
// suppliers would, and as many again for the upload benchmark.
//
// Each supplier is half way through, as in the middle of a sitting, with
// half its files uploaded: the page, autosave and the storage floors then
// read and write an assessment of the size suppliers work on. Uploads go
// to assessments of their own, so that the files they add leave what the
// other operations measure the same whatever the order they run in.
func seedBench(ctx context.Context, s *stack, hc *http.Client, o benchOptions) (benchData, error) {
	var d benchData
	if err := seedCompleted(ctx, s, o.dashboardVendors); err != nil {
		return d, err
	}
	n := max(o.assessments, 1)
	all := make([]link, 2*n)
	err := parallel(ctx, len(all), 4, func(ctx context.Context, i int) error {
		var err error
		all[i], err = sendNew(ctx, s.app, fmt.Sprintf("Bench Supplier %03d", i), fmt.Sprintf("bench-%03d@supplier.test", i), fullISO, 2)
		return err
	})
	if err != nil {
		return d, err
	}
	if err := tokensFromOutbox(ctx, s.app, s.url, all); err != nil {
		return d, err
	}
	d.links, d.uploads = all[:n], all[n:]
	a, err := s.app.Assessments.Get(ctx, d.links[0].ID)
	if err != nil {
		return d, err
	}
	supplier := audit.Actor{Kind: audit.KindSupplier, IP: "127.0.0.1"}
	err = parallel(ctx, len(all), 4, func(ctx context.Context, i int) error {
		p := planFor(a.Template, uint64(i%n+1), 12)
		half := map[string]any{}
		for _, x := range p.answers[:len(p.answers)/2] {
			half[x.qid] = x.value
		}
		if _, err := s.app.Assessments.SaveAnswers(ctx, supplier, all[i].Token, half); err != nil {
			return err
		}
		if i >= n {
			return nil
		}
		for j, qid := range p.files[:len(p.files)/2] {
			f := newPDF(uint64(i), j, 64<<10)
			if _, err := s.app.Assessments.Upload(ctx, supplier, all[i].Token, qid, f.name, f.reader()); err != nil {
				return fmt.Errorf("uploading to %s: %w", all[i].ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return d, fmt.Errorf("answering half of each questionnaire: %w", err)
	}
	d.section = a.Template.Sections[0].ID
	for _, sec := range a.Template.Sections {
		for _, q := range sec.Questions {
			if q.ShowIf != nil {
				continue
			}
			if q.Type == questionnaires.TypeYesNo {
				d.yesNo = append(d.yesNo, q.ID)
			}
			if q.Evidence != nil && q.Type != questionnaires.TypeFile {
				d.evidenceQ = append(d.evidenceQ, q.ID)
			}
		}
	}
	if len(d.yesNo) == 0 || len(d.evidenceQ) == 0 {
		return d, fmt.Errorf("%s has no unconditional yes/no or evidence question to exercise", fullISO)
	}
	d.cookies, err = signIn(ctx, hc, s.url, adminEmail, adminPassword)
	return d, err
}

func printTable(w io.Writer, r results) {
	fmt.Fprintf(w, "\n%d clients, %s per operation in %d turns alternating with its baseline; %d CPUs, load average at start %s\n\n",
		r.Clients, r.PerOp, r.Rounds, r.CPUs, r.LoadAverage)
	fmt.Fprintf(w, "%-20s %10s %9s %9s %8s %10s  %s\n", "operation", "req/s", "p50", "p99", "ratio", "peak RSS", "target")
	for _, x := range r.Rows {
		ratio, target := "-", ""
		if x.Baseline != "" {
			ratio = fmt.Sprintf("%.1f%%", x.Ratio*100)
		}
		if x.Met != nil {
			target = x.Target + map[bool]string{true: ": met", false: ": MISSED"}[*x.Met]
		}
		if x.Failures > 0 {
			target += fmt.Sprintf(" [%d failed: %s]", x.Failures, x.FirstError)
		}
		fmt.Fprintf(w, "%-20s %10.1f %7.1fms %7.1fms %8s %6.0f MiB  %s\n", x.Operation, x.RPS, x.P50ms, x.P99ms, ratio, x.PeakRSSMiB, target)
	}
	if b := r.BigUpload; b != nil {
		verdict := map[bool]string{true: "met", false: "MISSED"}[b.GrowthMiB <= b.TargetMiB]
		fmt.Fprintf(w, "\n%.3g GiB upload: %.1f s (%.0f MiB/s), RSS %.0f → %.0f MiB, growth %.1f MiB (target ≤ %.0f MiB: %s), SHA-256 and size match: %v\n",
			float64(b.Bytes)/(1<<30), b.Seconds, b.MiBPerSecond, b.RSSBeforeMiB, b.RSSPeakMiB, b.GrowthMiB, b.TargetMiB, verdict, b.SHA256Match)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

func writeJSON(path string, v any) error {
	if path == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
