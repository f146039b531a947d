package handlers_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/labstack/echo/v4"
)

// BenchmarkPortal measures the two requests a supplier makes most: opening
// the largest section of the full ISO questionnaire, and one autosave. Each
// is compared with a bare Echo handler measured in the same run over the
// same kind of connection, so the ratios say what Assay adds on top of HTTP
// on this machine:
//
//	go test -run '^$' -bench BenchmarkPortal -benchtime 5s ./handlers
func BenchmarkPortal(b *testing.B) {
	env := apptest.New(b, apptest.Options{NoWorkers: true})
	l := portalSend(b, env, portalFullKey, "")
	a, err := env.App.Assessments.Get(portalCtx(b), l.ID)
	if err != nil {
		b.Fatal(err)
	}
	// The largest section, half answered, as in the middle of a sitting.
	section := a.Template.Sections[0]
	for _, s := range a.Template.Sections {
		if len(s.Questions) > len(section.Questions) {
			section = s
		}
	}
	var yesNo []string
	half := map[string]any{}
	for i, q := range section.Questions {
		if q.Type == "yes_no" || q.Type == "yes_no_na" {
			yesNo = append(yesNo, q.ID)
			if i%2 == 0 {
				half[q.ID] = "yes"
			}
		}
	}
	if _, err := env.App.Assessments.SaveAnswers(portalCtx(b), portalSupplier, l.Token, half); err != nil {
		b.Fatal(err)
	}

	bare := echo.New()
	bare.GET("/bare", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	bareSrv := httptest.NewServer(bare)
	b.Cleanup(bareSrv.Close)

	base := map[string]benchResult{}
	b.Run("bare-echo", func(b *testing.B) {
		base["bare"] = benchHTTP(b, func(i int64) *http.Request {
			req, _ := http.NewRequest(http.MethodGet, bareSrv.URL+"/bare", nil)
			return req
		}, http.StatusOK)
	})
	b.Run(fmt.Sprintf("section-page-%dq", len(section.Questions)), func(b *testing.B) {
		r := benchHTTP(b, func(i int64) *http.Request {
			req, _ := http.NewRequest(http.MethodGet, env.URL+l.Path+"/s/"+section.ID, nil)
			return req
		}, http.StatusOK)
		r.report(b, base["bare"])
	})
	b.Run("autosave-put", func(b *testing.B) {
		r := benchHTTP(b, func(i int64) *http.Request {
			qid, val := yesNo[i%int64(len(yesNo))], "yes"
			if i%2 == 1 {
				val = "no"
			}
			body := fmt.Sprintf(`{"answers":{%q:%q}}`, qid, val)
			req, _ := http.NewRequest(http.MethodPut, env.URL+"/api/v1/portal/"+l.Token+"/answers", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			return req
		}, http.StatusOK)
		r.report(b, base["bare"])
	})
}

type benchResult struct {
	rps float64
	p99 time.Duration
}

// report adds the throughput and the 99th percentile as ratios to the bare
// handler's: the share of its requests per second, and how many times its
// tail latency.
func (r benchResult) report(b *testing.B, bare benchResult) {
	if bare.rps > 0 && bare.p99 > 0 {
		b.ReportMetric(r.rps/bare.rps, "rps/bare")
		b.ReportMetric(float64(r.p99)/float64(bare.p99), "p99/bare")
	}
}

// benchHTTP sends b.N requests from GOMAXPROCS×4 goroutines and reports
// requests per second and the 99th percentile latency. Each request comes
// from its own address (X-Forwarded-For, believed from loopback) so that
// the per-address limit of supplier routes measures itself, not refusals.
func benchHTTP(b *testing.B, newReq func(i int64) *http.Request, want int) benchResult {
	tr := &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}
	b.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var (
		n      atomic.Int64
		mu     sync.Mutex
		all    []time.Duration
		failed atomic.Value
	)
	b.SetParallelism(4)
	b.ResetTimer()
	cpu0 := processCPU()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			i := n.Add(1)
			req := newReq(i)
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				failed.Store(err.Error())
				continue
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			local = append(local, time.Since(t0))
			if resp.StatusCode != want {
				failed.Store(fmt.Sprintf("status %d", resp.StatusCode))
			}
		}
		mu.Lock()
		all = append(all, local...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	b.StopTimer()
	if f := failed.Load(); f != nil {
		b.Fatalf("a request failed: %v", f)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	r := benchResult{rps: float64(len(all)) / elapsed.Seconds()}
	if len(all) > 0 {
		r.p99 = all[min(len(all)-1, len(all)*99/100)]
	}
	b.ReportMetric(r.rps, "req/s")
	b.ReportMetric(float64(r.p99.Microseconds())/1000, "p99-ms")
	// The machine is shared: wall-clock figures move with its load, the
	// CPU spent per request (server, embedded database and client, all in
	// this process) much less.
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(max(len(all), 1)), "cpu-ms/op")
	return r
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
