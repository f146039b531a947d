package report_test

import (
	"os"
	"strings"
	"testing"

	"github.com/assayhq/assay/report"
)

// The methodology section quotes docs/scoring.md through a copy; a change
// to the method's description must reach the report.
func TestMethodologyIsTheScoringDoc(t *testing.T) {
	doc, err := os.ReadFile("../docs/scoring.md")
	if err != nil {
		t.Fatal(err)
	}
	copyOf, err := os.ReadFile("methodology.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(doc) != string(copyOf) {
		t.Fatal("report/methodology.md differs from docs/scoring.md: run `go generate ./report`")
	}
}

func TestMethodologyBlocks(t *testing.T) {
	blocks := report.Methodology()
	count := map[report.BlockKind]int{}
	var headings []string
	for _, b := range blocks {
		count[b.Kind]++
		if b.Kind == report.BlockHeading {
			headings = append(headings, b.Text)
		}
		for _, s := range append(append([]string{b.Text}, b.Items...), flat(b.Rows)...) {
			if b.Kind != report.BlockCode && (strings.Contains(s, "**") || strings.Contains(s, "`") || strings.Contains(s, "<sub>")) {
				t.Errorf("markup left in %q", s)
			}
		}
	}
	if headings[0] != "Scoring method" || !contains(headings, "12. Worked example") || !contains(headings, "9. Findings") {
		t.Errorf("headings %v", headings)
	}
	if count[report.BlockTable] < 10 || count[report.BlockCode] < 4 || count[report.BlockList] < 3 || count[report.BlockParagraph] < 30 {
		t.Errorf("blocks %v", count)
	}
}

func TestMarkdownSubset(t *testing.T) {
	blocks := report.ParseMarkdown("# Title\n\nSome **bold** and `code`, S<sub>c</sub> and *m*.\nSame paragraph, capped at\n100. Not a list.\n\n" +
		"1. First\n   continued\n2. Second\n\n- a\n- b\n\n| x \\| y | z |\n|---|---|\n| 1 | 2 |\n\n```\ncode  kept\n```\n")
	want := []report.Block{
		{Kind: report.BlockHeading, Level: 1, Text: "Title"},
		{Kind: report.BlockParagraph, Text: "Some bold and code, S_c and m. Same paragraph, capped at 100. Not a list."},
		{Kind: report.BlockList, Ordered: true, Items: []string{"First continued", "Second"}},
		{Kind: report.BlockList, Items: []string{"a", "b"}},
		{Kind: report.BlockTable, Rows: [][]string{{"x | y", "z"}, {"1", "2"}}},
		{Kind: report.BlockCode, Text: "code  kept"},
	}
	if len(blocks) != len(want) {
		t.Fatalf("%d blocks: %+v", len(blocks), blocks)
	}
	for i := range want {
		if !equalBlock(blocks[i], want[i]) {
			t.Errorf("block %d: %+v, want %+v", i, blocks[i], want[i])
		}
	}
}

func equalBlock(a, b report.Block) bool {
	return a.Kind == b.Kind && a.Level == b.Level && a.Text == b.Text && a.Ordered == b.Ordered &&
		strings.Join(a.Items, "\x00") == strings.Join(b.Items, "\x00") && strings.Join(flat(a.Rows), "\x00") == strings.Join(flat(b.Rows), "\x00")
}

func flat(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
