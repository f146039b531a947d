package app

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// countingHandler counts the WithAttrs calls that reach it.
type countingHandler struct {
	slog.Handler
	withAttrs *int
}

func (h countingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	*h.withAttrs++
	return countingHandler{h.Handler.WithAttrs(as), h.withAttrs}
}

func (h countingHandler) WithGroup(name string) slog.Handler {
	return countingHandler{h.Handler.WithGroup(name), h.withAttrs}
}

func TestFilterLevel(t *testing.T) {
	cases := []struct {
		name      string
		log       func(l *slog.Logger)
		want      string // in the output; "" for nothing at all
		withAttrs int    // WithAttrs calls that reached the text handler
	}{
		{"debug with attributes is dropped unformatted", func(l *slog.Logger) {
			l.With("args", strings.Repeat("x", 1000)).Debug(">>> UPDATE")
		}, "", 0},
		{"info is dropped", func(l *slog.Logger) { l.Info("started") }, "", 0},
		{"warn keeps derived attributes and groups in order", func(l *slog.Logger) {
			l.With("a", 1).WithGroup("g").With("b", 2).Warn("slow", "c", 3)
		}, `level=WARN msg=slow a=1 g.b=2 g.c=3`, 2},
		{"error", func(l *slog.Logger) { l.Error("broken", "err", "disk full") }, `level=ERROR msg=broken err="disk full"`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			n := 0
			base := countingHandler{slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}), &n}
			c.log(filterLevel(slog.New(base), slog.LevelWarn))
			out := buf.String()
			if c.want == "" && out != "" || c.want != "" && !strings.Contains(out, c.want) {
				t.Errorf("output %q, want %q", out, c.want)
			}
			if n != c.withAttrs {
				t.Errorf("%d WithAttrs calls reached the handler, want %d", n, c.withAttrs)
			}
		})
	}
}
