package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/assayhq/assay/library"
	"github.com/assayhq/assay/questionnaires"
)

func init() {
	commands["templates"] = command{"check questionnaire template files before uploading them: validate FILE...", templates}
}

const templatesUsage = `Usage: assay templates validate FILE...

Checks each YAML (.yaml, .yml) or JSON (.json) questionnaire template against
every rule an upload must pass, and prints each problem as
FILE:LINE: PATH: MESSAGE. Exits 1 when any file has a problem. Needs no
server or database. The format is described in docs/templates.md.
`

func templates(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, templatesUsage)
		if len(args) == 0 {
			return errors.New("no action given")
		}
		return nil
	}
	if args[0] != "validate" {
		fmt.Fprint(stderr, templatesUsage)
		return fmt.Errorf("unknown action %q", args[0])
	}
	files := args[1:]
	if len(files) == 0 {
		fmt.Fprint(stderr, templatesUsage)
		return errors.New("name at least one template file")
	}
	problems, failed := 0, 0
	for _, file := range files {
		n := validateTemplateFile(file, stdout)
		problems += n
		if n > 0 {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%s in %d of %d files", plural(problems, "problem"), failed, len(files))
	}
	return nil
}

// validateTemplateFile prints the file's problems, or a one-line summary
// when it has none, and returns how many problems it has.
func validateTemplateFile(file string, stdout io.Writer) int {
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stdout, "%s: %v\n", file, err)
		return 1
	}
	format := ""
	switch strings.ToLower(filepath.Ext(file)) {
	case ".json":
		format = questionnaires.FormatJSON
	case ".yaml", ".yml":
		format = questionnaires.FormatYAML
	}
	t, problems := library.Check(data, format)
	for _, p := range problems {
		// FILE:LINE: is what editors and CI annotate.
		where := file
		if p.Line > 0 {
			where = fmt.Sprintf("%s:%d", file, p.Line)
		}
		if p.Path != "" {
			where += ": " + p.Path
		}
		fmt.Fprintf(stdout, "%s: %s\n", where, p.Message)
	}
	if t != nil {
		fmt.Fprintf(stdout, "%s: ok: %s, %s in %s covering %s\n", file, t.Key,
			plural(t.QuestionCount(), "question"), plural(len(t.Sections), "section"), plural(len(t.ControlIDs()), "control"))
	}
	return len(problems)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
