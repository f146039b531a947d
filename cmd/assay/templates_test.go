package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTemplatesValidate(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.yaml", `key: good
version: 1
title: Good
sections:
  - id: s
    title: S
    questions:
      - {id: q, text: "Policy?", type: yes_no, controls: [A.5.1]}
`)
	bad := write("bad.yaml", `key: bad
version: 1
title: Bad
sections:
  - id: s
    title: S
    questions:
      - id: q
        text: Policy?
        type: yes_no
        controls: [A.5.99]
        show_if: {question: q, equals: "yes"}
`)
	unparsable := write("broken.json", `{"key": "x", "titel": "y"}`)
	library, err := filepath.Glob("../../questionnaires/library/*.yaml")
	if err != nil || len(library) == 0 {
		t.Fatalf("built-in library files: %v %v", library, err)
	}

	cases := []struct {
		name     string
		args     []string
		code     int
		stdout   []string
		stderr   string
		noStdout string
	}{
		{"valid file", []string{good}, 0, []string{good + ": ok: good, 1 question in 1 section covering 1 control"}, "", ""},
		{"the built-in library", library, 0, []string{"iso27001-2022-supplier-full.yaml: ok: iso27001-2022-supplier-full,", "covering 93 controls"}, "", "problem"},
		{"every problem with its line", []string{good, bad}, 1, []string{
			bad + ":11: sections[0].questions[0].controls[0]: unknown ISO/IEC 27001:2022 Annex A control \"A.5.99\"",
			bad + ":12: sections[0].questions[0].show_if.question: condition refers to its own question \"q\", a cycle",
			good + ": ok",
		}, "assay templates: 2 problems in 1 of 2 files", ""},
		{"unparsable JSON", []string{unparsable}, 1, []string{unparsable + ":1: unknown field \"titel\""}, "1 problem in 1 of 1 files", ""},
		{"missing file", []string{filepath.Join(dir, "nope.yaml")}, 1, []string{"nope.yaml: open "}, "1 problem in 1 of 1 files", ""},
		{"no file", nil, 1, nil, "name at least one template file", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), append([]string{"templates", "validate"}, tc.args...), &out, &errOut)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out.String(), errOut.String())
			}
			for _, want := range tc.stdout {
				if !strings.Contains(out.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, out.String())
				}
			}
			if !strings.Contains(errOut.String(), tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, errOut.String())
			}
			if tc.noStdout != "" && strings.Contains(out.String(), tc.noStdout) {
				t.Errorf("stdout has %q:\n%s", tc.noStdout, out.String())
			}
		})
	}
}

func TestTemplatesUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"templates", "lint"}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "Usage: assay templates validate FILE...") {
		t.Errorf("unknown action: exit %d\n%s", code, errOut.String())
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"templates", "-h"}, &out, &errOut); code != 0 || !strings.Contains(errOut.String(), "FILE:LINE: PATH: MESSAGE") {
		t.Errorf("-h: exit %d\n%s", code, errOut.String())
	}
}
