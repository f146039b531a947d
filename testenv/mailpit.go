package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Mailpit is a mailpit SMTP server with its HTTP API, started for tests.
type Mailpit struct {
	*Process
	SMTPHost string
	SMTPPort int
	API      string // http://127.0.0.1:port
}

// NewMailpit starts a dedicated mailpit, stopped when the test ends; tests
// that stop and restart SMTP use it.
func NewMailpit(t testing.TB) *Mailpit {
	t.Helper()
	m, err := StartMailpit(t.TempDir(), mustPorts(t, 2))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	return m
}

// StartMailpit runs mailpit with its database in dir, taking SMTP on
// ports[0] and serving its API on ports[1] of loopback, and returns once it
// answers. The caller stops it; the load generator uses it outside of tests.
func StartMailpit(dir string, ports []int) (*Mailpit, error) {
	bin, err := Tool("mailpit")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("mailpit data folder: %w", err)
	}
	m := &Mailpit{SMTPHost: "127.0.0.1", SMTPPort: ports[0], API: "http://" + addr(ports[1])}
	m.Process = &Process{
		name: "mailpit", bin: bin,
		args: []string{"--smtp", addr(ports[0]), "--listen", addr(ports[1]),
			"--database", filepath.Join(dir, "mailpit.db"), "--max", "100000",
			"--smtp-auth-accept-any", "--smtp-auth-allow-insecure", "--disable-version-check", "--quiet"},
		ready: m.API + "/readyz",
	}
	return m, m.Start()
}

var (
	mailpitOnce   sync.Once
	sharedMailpit *Mailpit
	mailpitErr    error
)

// Mailbox is a mailpit server and an address that only this test uses, so
// tests can share one server.
type Mailbox struct {
	*Mailpit
	Address string
}

// MailpitBox returns the shared mailpit and a fresh address on it.
func MailpitBox(t testing.TB) *Mailbox {
	t.Helper()
	mailpitOnce.Do(func() {
		dir, err := os.MkdirTemp("", "assay-test-mailpit-*")
		if err != nil {
			mailpitErr = err
			return
		}
		ports := make([]int, 2)
		for i := range ports {
			if ports[i], err = FreePort(); err != nil {
				mailpitErr = err
				return
			}
		}
		sharedMailpit, mailpitErr = StartMailpit(dir, ports)
	})
	if mailpitErr != nil {
		t.Fatalf("mailpit: %v", mailpitErr)
	}
	return &Mailbox{Mailpit: sharedMailpit, Address: UniqueAddress(t)}
}

// UniqueAddress returns an email address no other test uses.
func UniqueAddress(t testing.TB) string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return "t" + hex.EncodeToString(b[:]) + "@example.test"
}

// Summary is a message as mailpit's search lists it.
type Summary struct {
	ID      string `json:"ID"`
	Subject string `json:"Subject"`
	To      []struct {
		Address string `json:"Address"`
	} `json:"To"`
}

// Message is one message read back from mailpit.
type Message struct {
	ID        string `json:"ID"`
	MessageID string `json:"MessageID"`
	Subject   string `json:"Subject"`
	Text      string `json:"Text"`
	HTML      string `json:"HTML"`
}

// Search returns the messages sent to address.
func (m *Mailpit) Search(t testing.TB, address string) []Summary {
	t.Helper()
	var out struct {
		Messages []Summary `json:"messages"`
	}
	m.getJSON(t, "/api/v1/search?limit=1000&query="+url.QueryEscape("to:"+address), &out)
	return out.Messages
}

// Get reads one message.
func (m *Mailpit) Get(t testing.TB, id string) Message {
	t.Helper()
	var msg Message
	m.getJSON(t, "/api/v1/message/"+id, &msg)
	return msg
}

// WaitFor polls until address has received want messages (or more), and
// returns them read in full, oldest first.
func (m *Mailpit) WaitFor(t testing.TB, address string, want int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var found []Summary
	for {
		found = m.Search(t, address)
		if len(found) >= want || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(found) < want {
		t.Fatalf("mailpit: %d messages to %s after %v, want %d", len(found), address, timeout, want)
	}
	out := make([]Message, len(found))
	for i := range found {
		// mailpit lists newest first.
		out[len(found)-1-i] = m.Get(t, found[i].ID)
	}
	return out
}

func (m *Mailpit) getJSON(t testing.TB, path string, v any) {
	t.Helper()
	resp, err := http.Get(m.API + path)
	if err != nil {
		t.Fatalf("mailpit API: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("mailpit API %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("mailpit API %s: %v", path, err)
	}
}

// LinkIn returns the first URL in text that starts with prefix.
func LinkIn(text, prefix string) (string, error) {
	i := strings.Index(text, prefix)
	if i < 0 {
		return "", fmt.Errorf("no link starting %q in message", prefix)
	}
	end := strings.IndexAny(text[i:], " \r\n\t\"<>")
	if end < 0 {
		return text[i:], nil
	}
	return text[i : i+end], nil
}
