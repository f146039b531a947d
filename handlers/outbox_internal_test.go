package handlers

import "testing"

func TestLinkify(t *testing.T) {
	cases := map[string]string{
		"Open https://a.example/q/x?a=1&b=2.":   `Open <a href="https://a.example/q/x?a=1&amp;b=2" rel="noopener noreferrer" target="_blank">https://a.example/q/x?a=1&amp;b=2</a>.`,
		"<script>alert(1)</script>":             "&lt;script&gt;alert(1)&lt;/script&gt;",
		"(see http://x.example/a) and \"more\"": `(see <a href="http://x.example/a" rel="noopener noreferrer" target="_blank">http://x.example/a</a>) and &#34;more&#34;`,
		"javascript:alert(1)":                   "javascript:alert(1)",
	}
	for in, want := range cases {
		if got := string(linkify(in)); got != want {
			t.Errorf("linkify(%q)\n got %s\nwant %s", in, got, want)
		}
	}
}
