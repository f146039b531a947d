package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/testenv"
)

// Bad configuration ends start-up within 15 s with one line naming the
// problem, not a stack of wrapped driver noise across several lines.
func TestServeFailsFastOnBadConfiguration(t *testing.T) {
	minio := testenv.SharedMinIO(t)
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"unreachable database", map[string]string{"ASSAY_MONGO_URI": "mongodb://127.0.0.1:1"}, "database mongodb://127.0.0.1:1 is unreachable"},
		{"wrong S3 secret", map[string]string{
			"ASSAY_MONGO_URI": testenv.MongoURI(t), "ASSAY_S3_ENDPOINT": minio.Endpoint,
			"ASSAY_S3_ACCESS_KEY": minio.AccessKey, "ASSAY_S3_SECRET_KEY": "wrong",
		}, "S3 bucket"},
		{"unwritable data folder", map[string]string{"ASSAY_DATA_DIR": filepath.Join(file, "data")}, "folder"},
		{"invalid setting", map[string]string{"ASSAY_SMTP_TLS": "maybe"}, "ASSAY_SMTP_TLS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var out, errOut bytes.Buffer
			start := time.Now()
			code := run(context.Background(), []string{"serve", "-addr", "127.0.0.1:0"}, &out, &errOut)
			took := time.Since(start)
			msg := errOut.String()
			if code == 0 || took > 15*time.Second {
				t.Fatalf("exit %d after %v", code, took)
			}
			if strings.Count(strings.TrimSpace(msg), "\n") != 0 || !strings.Contains(msg, tc.want) {
				t.Fatalf("want one line containing %q, got:\n%s", tc.want, msg)
			}
		})
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"frobnicate"}, &out, &errOut); code != 2 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(errOut.String(), "serve") {
		t.Fatalf("usage does not list commands:\n%s", errOut.String())
	}
}

func TestLoopback(t *testing.T) {
	for in, want := range map[string]string{"0.0.0.0:8080": "127.0.0.1:8080", ":9000": "127.0.0.1:9000", "10.1.2.3:80": "10.1.2.3:80"} {
		if got := loopback(in); got != want {
			t.Errorf("loopback(%q) = %q, want %q", in, got, want)
		}
	}
}
