package testenv

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Tool returns the path of an external test server binary.
func Tool(name string) (string, error) {
	envName := map[string]string{"minio": "ASSAY_MINIO_BIN", "mailpit": "ASSAY_MAILPIT_BIN"}[name]
	if p := os.Getenv(envName); p != "" {
		return p, nil
	}
	dir := os.Getenv("ASSAY_TOOLS_BIN")
	if dir == "" {
		if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, ".cache", "assay", "bin")
		}
	}
	if p := filepath.Join(dir, name); fileExists(p) {
		return p, nil
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s not found: run `make tools` (or set %s)", name, envName)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Process is an external server started for tests, which can be stopped and
// started again on the same ports and data, for fault tests.
type Process struct {
	name  string
	bin   string
	args  []string
	env   []string
	ready string // URL that answers 200 once the server is up, or tcp://host:port that accepts connections
	mu    sync.Mutex
	cmd   *exec.Cmd
	out   bytes.Buffer
}

// Start runs the process and waits until it is ready.
func (p *Process) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		return nil
	}
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = &p.out, &p.out
	// The server must not outlive the test binary, whichever way it ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", p.name, err)
	}
	p.cmd = cmd
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			p.cmd = nil
			return fmt.Errorf("%s exited at start: %v\n%s", p.name, err, p.out.String())
		default:
		}
		if p.up() {
			go func() { <-exited }()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	p.cmd = nil
	return fmt.Errorf("%s not ready after 60s:\n%s", p.name, p.out.String())
}

// Stop kills the process (as a crash would) and waits until its port is
// closed.
func (p *Process) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	p.cmd = nil
	for i := 0; i < 100 && p.up(); i++ {
		time.Sleep(20 * time.Millisecond)
	}
}

// up reports whether the server answers its readiness check.
func (p *Process) up() bool {
	if hostport, ok := strings.CutPrefix(p.ready, "tcp://"); ok {
		c, err := net.DialTimeout("tcp", hostport, time.Second)
		if err != nil {
			return false
		}
		c.Close()
		return true
	}
	resp, err := http.Get(p.ready)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func mustPorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		p, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = p
	}
	return ports
}

func addr(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }
