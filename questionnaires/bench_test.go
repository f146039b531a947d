package questionnaires

import (
	"os"
	"testing"
)

// benchTemplates returns the synthetic full-size template and, once it
// exists, the real full ISO 27001 template.
func benchTemplates(b *testing.B) map[string]*Template {
	b.Helper()
	ts := map[string]*Template{"synthetic": syntheticFullTemplate()}
	if _, err := os.Stat(fullTemplatePath); err == nil {
		ts["library-full"] = loadTemplate(b, fullTemplatePath)
	}
	return ts
}

func BenchmarkValidateFull(b *testing.B) {
	for name, tmpl := range benchTemplates(b) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if errs := Validate(tmpl); errs != nil {
					b.Fatal(errs)
				}
			}
		})
	}
}

func BenchmarkVisibleFull(b *testing.B) {
	for name, tmpl := range benchTemplates(b) {
		a := syntheticAnswers(tmpl)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				Visible(tmpl, a)
			}
		})
	}
}
