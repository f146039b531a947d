// Command loadgen is Assay's loopback load test. It starts, in this one
// process, Assay on the embedded FerretDB with a MinIO server (and for the
// soak a mailpit server) started from the test tools, plus a bare Echo
// server as the baseline, all on 127.0.0.1, and then either:
//
//   - measures (default) the supplier page, autosave, evidence upload and
//     the dashboard at 64 concurrent clients, each as a ratio to the bare
//     baseline measured in alternating turns, with the storage floors (the
//     bare Echo making only the database read, database write or S3 put an
//     operation needs), prints one table and writes bench/results.json;
//     -upload-gib adds one streamed upload of that size and the RSS growth
//     it causes;
//   - or, with -soak, has 500 simulated suppliers answer, upload and submit,
//     then checks every answer, file and mail, and exits non-zero on any
//     loss, duplicate or 5xx.
//
// Every run is bounded in requests and in time and exits by itself; it
// only ever connects to loopback.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		b        benchOptions
		so       soakOptions
		soak     = fs.Bool("soak", false, "run the soak test instead of the benchmark")
		limit    = fs.Duration("timeout", 15*time.Minute, "stop everything after this long, whatever is left")
		requests = fs.Int64("requests", 200_000, "most requests of one operation")
		listen   = fs.String("listen", "127.0.0.1:0", "where Assay listens: 127.0.0.1 or localhost only")
	)
	fs.IntVar(&b.clients, "clients", 64, "concurrent clients of the benchmark")
	fs.DurationVar(&b.dur, "duration", 8*time.Second, "time each operation and each baseline is measured")
	fs.IntVar(&b.rounds, "rounds", 4, "turns in which an operation alternates with its baseline")
	fs.Int64Var(&b.uploadLimit, "upload-requests", 4000, "most uploads of the benchmark (each one is stored)")
	fs.IntVar(&b.uploadMiB, "upload-mib", 1, "size of each benchmark upload in MiB")
	fs.IntVar(&b.dashboardVendors, "dashboard-vendors", 40, "vendors with a completed assessment seeded for the dashboard")
	fs.IntVar(&b.assessments, "assessments", 64, "full ISO assessments the benchmark's clients answer (client i uses assessment i mod this)")
	fs.Float64Var(&b.uploadGiB, "upload-gib", 0, "also stream one upload of this many GiB and report the RSS growth")
	fs.StringVar(&b.ops, "ops", "page,pagebytes,autosave,upload,dashboard,floors", "operations to measure, comma-separated (floors: the bare Echo making only the one storage call each operation needs)")
	fs.StringVar(&b.cpuProfile, "cpuprofile", "", "write a CPU profile of the measurement (server, database and client: one process) to this file")
	fs.StringVar(&b.out, "out", "bench/results.json", "where the benchmark writes its results (empty: nowhere)")
	fs.IntVar(&so.suppliers, "suppliers", 500, "simulated suppliers of the soak")
	fs.IntVar(&so.concurrency, "concurrency", 32, "suppliers answering at once in the soak")
	fs.StringVar(&so.template, "template", vendorLite, "questionnaire the soak sends")
	fs.IntVar(&so.files, "files", 2, "evidence files each supplier uploads")
	fs.IntVar(&so.fileKiB, "file-kib", 256, "size of each soak evidence file in KiB")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	b.limit, b.listen, so.listen, so.cpuProfile = *requests, *listen, *listen, b.cpuProfile
	if err := checkLoopback(*listen); err != nil {
		fmt.Fprintln(stderr, "loadgen:", err)
		return 2
	}
	if b.clients < 1 || b.rounds < 1 || b.dur <= 0 || so.suppliers < 1 || so.concurrency < 1 || b.uploadMiB < 1 {
		fmt.Fprintln(stderr, "loadgen: -clients, -rounds, -duration, -suppliers, -concurrency and -upload-mib must be positive")
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, *limit)
	defer cancel()
	var err error
	if *soak {
		err = runSoak(ctx, so, stdout)
	} else {
		err = runBench(ctx, b, stdout)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("%w: stopped after -timeout %s", err, *limit)
	}
	if err != nil {
		fmt.Fprintln(stderr, "loadgen:", err)
		return 1
	}
	return 0
}
