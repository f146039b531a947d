package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// procStatus reads one kB field (VmRSS, VmHWM) of this process from
// /proc/self/status, in bytes.
func procStatus(field string) (int64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("reading /proc/self/status: %w", err)
	}
	s := bufio.NewScanner(bytes.NewReader(data))
	for s.Scan() {
		line := s.Bytes()
		if !bytes.HasPrefix(line, []byte(field+":")) {
			continue
		}
		f := bytes.Fields(line[len(field)+1:])
		if len(f) < 1 {
			break
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s in /proc/self/status: %w", field, err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("no %s in /proc/self/status", field)
}

// resetPeak sets VmHWM back to the current RSS (Linux ≥ 4.0), so that the
// peak read after an operation is that operation's own. It reports whether
// the kernel took it; when not, the sampled maximum is all there is.
func resetPeak() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// rssSampler records the peak RSS between start and stop: VmHWM, reset at
// start, and the largest VmRSS sampled, which is all there is where the
// kernel does not let VmHWM be reset.
type rssSampler struct {
	mu   sync.Mutex
	max  int64
	hwm  bool // VmHWM was reset at start, so it is this interval's peak
	stop chan struct{}
	done chan struct{}
}

func startRSS(every time.Duration) *rssSampler {
	r := &rssSampler{hwm: resetPeak(), stop: make(chan struct{}), done: make(chan struct{})}
	r.sample()
	go func() {
		defer close(r.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-r.stop:
				return
			case <-t.C:
				r.sample()
			}
		}
	}()
	return r
}

func (r *rssSampler) sample() {
	if v, err := procStatus("VmRSS"); err == nil {
		r.mu.Lock()
		r.max = max(r.max, v)
		r.mu.Unlock()
	}
}

// Stop ends sampling and returns the peak.
func (r *rssSampler) Stop() int64 {
	close(r.stop)
	<-r.done
	r.sample()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.hwm {
		if hwm, err := procStatus("VmHWM"); err == nil {
			return max(r.max, hwm)
		}
	}
	return r.max
}
