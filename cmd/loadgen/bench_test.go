package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A tiny benchmark run measures every operation without a failed request,
// prints the table and writes results the README's figures come from.
func TestBenchWritesTableAndResults(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	out := filepath.Join(t.TempDir(), "results.json")
	var table bytes.Buffer
	gib := 0.01
	err := runBench(ctx, benchOptions{
		clients: 2, dur: 600 * time.Millisecond, rounds: 2, limit: 1000, uploadLimit: 20, uploadMiB: 1,
		dashboardVendors: 1, assessments: 1, uploadGiB: gib, out: out, listen: "127.0.0.1:0",
		ops: "page,pagebytes,autosave,upload,dashboard,floors",
	}, &table)
	if err != nil {
		t.Fatalf("%v\n%s", err, table.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var res results
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	rows := map[string]row{}
	for _, r := range res.Rows {
		rows[r.Operation] = r
		if r.Requests == 0 || r.Failures != 0 || r.RPS <= 0 || r.P99ms < r.P50ms || r.PeakRSSMiB <= 0 {
			t.Errorf("row %+v: want requests, no failures, a rate, p99 ≥ p50 and a peak RSS", r)
		}
	}
	for _, name := range []string{"baseline GET", "raw loopback copy", "supplier page", "autosave", "evidence upload"} {
		r, ok := rows[name]
		if !ok {
			t.Errorf("no row %q in %s", name, b)
			continue
		}
		if !strings.Contains(table.String(), name) {
			t.Errorf("the table lacks %q:\n%s", name, table.String())
		}
		if name != "baseline GET" && name != "raw loopback copy" && (r.Baseline == "" || r.Ratio <= 0 || r.Met == nil) {
			t.Errorf("row %q has no ratio to its baseline or no verdict: %+v", name, r)
		}
	}
	// The supplier page's bytes from the bare Echo: measured against the
	// baseline, with no target of its own.
	if r, ok := rows["fixed page bytes"]; !ok || r.Baseline != "baseline GET" || r.Ratio <= 0 || r.Met != nil {
		t.Errorf("fixed page bytes row: %+v (present %v), want a ratio to the baseline GET and no verdict", r, ok)
	}
	// The storage floors: each against its baseline, with no target.
	for name, base := range map[string]string{"one database read": "baseline GET", "one database write": "baseline GET", "one S3 put": "raw loopback copy"} {
		if r, ok := rows[name]; !ok || r.Baseline != base || r.Ratio <= 0 || r.Met != nil {
			t.Errorf("%s row: %+v (present %v), want a ratio to the %s and no verdict", name, r, ok, base)
		}
	}
	if d, ok := rows["dashboard"]; !ok && !strings.Contains(strings.Join(res.Notes, " "), "dashboard not measured") {
		t.Errorf("the dashboard is neither measured nor reported missing: %+v", d)
	}
	if big := res.BigUpload; big == nil || !big.SHA256Match || big.Bytes != int64(gib*(1<<30)) || big.GrowthMiB >= big.RSSPeakMiB {
		t.Errorf("big upload: %+v; want the whole file stored with its SHA-256 and a growth below the peak", big)
	}
}
