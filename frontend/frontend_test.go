package frontend

import (
	"bytes"
	"strings"
	"testing"
)

func TestEveryPageParses(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Pages()) == 0 {
		t.Fatal("no pages")
	}
	var b bytes.Buffer
	err = r.Render(&b, "error", Page{Title: "Not found", Data: map[string]any{"Message": "No such vendor <x>"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "No such vendor &lt;x&gt;") {
		t.Fatalf("error page does not escape or show the message:\n%s", b.String())
	}
	if strings.Contains(b.String(), "<script>") || strings.Contains(b.String(), "style=") {
		t.Fatal("pages must carry no inline script or style (CSP)")
	}
}

func TestNoticeMail(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	subj, text, html, err := r.Mail("notice", Notice{Company: "Acme", Subject: "Hello  there", Heading: "Hi",
		Paragraphs: []string{"A & B"}, Link: &Link{Label: "Open", URL: "http://x/q/abc?a=1&b=2"}})
	if err != nil {
		t.Fatal(err)
	}
	if subj != "Hello there" {
		t.Errorf("subject %q", subj)
	}
	if !strings.Contains(text, "A & B") || !strings.Contains(text, "http://x/q/abc?a=1&b=2") {
		t.Errorf("plain text must not be HTML-escaped:\n%s", text)
	}
	if !strings.Contains(html, "A &amp; B") || !strings.Contains(html, `href="http://x/q/abc?a=1&amp;b=2"`) {
		t.Errorf("html body:\n%s", html)
	}
}

func TestHumanBytes(t *testing.T) {
	for in, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 1_500_000: "1.5 MB", 52_428_800: "52.4 MB"} {
		if got := HumanBytes(in); got != want {
			t.Errorf("HumanBytes(%d) = %q, want %q", in, got, want)
		}
	}
}
