package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/assayhq/assay/testenv"
)

// buildBinary compiles assay once per test run, as `make run` does.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "assay")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type proc struct {
	cmd    *exec.Cmd
	stdout strings.Builder
	url    string
}

func startServe(t *testing.T, bin, dataDir string) *proc {
	t.Helper()
	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{url: "http://127.0.0.1:" + strconv.Itoa(port)}
	p.cmd = exec.Command(bin, "serve")
	p.cmd.Env = append(os.Environ(), "ASSAY_ADDR=127.0.0.1:"+strconv.Itoa(port), "ASSAY_DATA_DIR="+dataDir, "ASSAY_LOG_LEVEL=warn")
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = os.Stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			p.stdout.WriteString(s.Text() + "\n")
		}
	}()
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(p.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("server not ready after 60s")
	return nil
}

func (p *proc) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("server exited with %v after SIGTERM", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop within 30s of SIGTERM")
	}
}

// The binary serves health and readiness on the embedded stack, shuts down
// cleanly on SIGTERM, and starts again on the same data folder.
func TestServeEmbeddedStackRestarts(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	p := startServe(t, bin, data)
	resp, err := http.Get(p.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"ok"`) {
		t.Fatalf("/healthz: %d %s", resp.StatusCode, body)
	}
	p.stop(t)
	if !strings.Contains(p.stdout.String(), "Assay is running at "+p.url) || !strings.Contains(p.stdout.String(), data) {
		t.Fatalf("start-up banner lacks the URL or data folder:\n%s", p.stdout.String())
	}
	for _, sub := range []string{"db", "objects"} {
		if _, err := os.Stat(filepath.Join(data, sub)); err != nil {
			t.Fatalf("data folder lacks %s: %v", sub, err)
		}
	}
	p = startServe(t, bin, data)
	p.stop(t)
}
