package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// target is one kind of request to measure. build makes request i of
// client c; it may return a body that is generated as it is read.
type target struct {
	name  string
	build func(c int, i int64) (*http.Request, error)
	want  int // the status every request must get
}

// tally is what one or more timed runs of a target saw.
type tally struct {
	lat      []time.Duration
	elapsed  time.Duration
	statuses map[int]int
	failures int // transport errors and unexpected statuses
	firstErr string
}

func (t *tally) add(o tally) {
	t.lat = append(t.lat, o.lat...)
	t.elapsed += o.elapsed
	if t.statuses == nil {
		t.statuses = map[int]int{}
	}
	for k, v := range o.statuses {
		t.statuses[k] += v
	}
	t.failures += o.failures
	if t.firstErr == "" {
		t.firstErr = o.firstErr
	}
}

func (t *tally) rps() float64 {
	if t.elapsed <= 0 {
		return 0
	}
	return float64(len(t.lat)) / t.elapsed.Seconds()
}

// quantile returns the q-quantile (0..1) of the sorted latencies, by the
// nearest-rank method.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// drive sends t's requests from clients goroutines, each waiting for its
// answer before sending the next, until dur has passed or limit requests
// were sent: bounded in time and in count whatever the server does.
// Requests in flight at the deadline finish and count, so that the server
// never sees a cut-off request the measurement caused.
func drive(ctx context.Context, hc *http.Client, t target, clients int, dur time.Duration, limit int64) tally {
	var (
		sent atomic.Int64
		mu   sync.Mutex
		out  = tally{statuses: map[int]int{}}
		wg   sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(dur)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := tally{statuses: map[int]int{}}
			for ctx.Err() == nil && time.Now().Before(deadline) {
				i := sent.Add(1)
				if i > limit {
					break
				}
				status, took, err := once(ctx, hc, t, c, i)
				local.lat = append(local.lat, took)
				local.statuses[status]++
				if err != nil {
					local.failures++
					if local.firstErr == "" {
						local.firstErr = err.Error()
					}
				}
			}
			mu.Lock()
			out.add(local)
			mu.Unlock()
		}()
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	return out
}

// once sends one request and reads the whole answer; an answer other than
// t.want is an error that quotes the start of the body.
func once(ctx context.Context, hc *http.Client, t target, c int, i int64) (int, time.Duration, error) {
	req, err := t.build(c, i)
	if err != nil {
		return 0, 0, err
	}
	req = req.WithContext(ctx)
	t0 := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		return 0, time.Since(t0), err
	}
	var head bytes.Buffer
	_, err = io.Copy(io.Discard, io.TeeReader(resp.Body, &limitedBuffer{&head, 300}))
	resp.Body.Close()
	took := time.Since(t0)
	if err == nil && resp.StatusCode != t.want {
		err = fmt.Errorf("%s: status %d, want %d: %s", t.name, resp.StatusCode, t.want, strings.TrimSpace(head.String()))
	}
	return resp.StatusCode, took, err
}

// limitedBuffer keeps the first n bytes written to it.
type limitedBuffer struct {
	b *bytes.Buffer
	n int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.n - l.b.Len(); room > 0 {
		l.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// interleave measures target and its baseline in turns of dur/rounds each,
// so that whatever else loads the machine weighs on both alike; warm-up
// requests before the first turn are not counted. The peak RSS of each is
// taken over its own turns.
func interleave(ctx context.Context, hc *http.Client, base, t target, clients int, dur time.Duration, limit int64, rounds int) (b, m tally, bPeak, mPeak int64) {
	warm := min(dur/8, time.Second)
	drive(ctx, hc, base, clients, warm, limit)
	drive(ctx, hc, t, clients, warm, limit)
	turn := dur / time.Duration(rounds)
	per := max(limit/int64(rounds), 1)
	b.statuses, m.statuses = map[int]int{}, map[int]int{}
	measure := func(into *tally, peak *int64, x target) {
		rss := startRSS(20 * time.Millisecond)
		into.add(drive(ctx, hc, x, clients, turn, per))
		*peak = max(*peak, rss.Stop())
	}
	for range rounds {
		measure(&b, &bPeak, base)
		measure(&m, &mPeak, t)
	}
	slices.Sort(b.lat)
	slices.Sort(m.lat)
	return b, m, bPeak, mPeak
}
