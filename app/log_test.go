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

// FerretDB's logger keeps warnings and errors but not the wire dumps it
// logs as warnings for every failed command; a dropped connection, logged
// as an error, still shows.
func TestFerretDBLogger(t *testing.T) {
	cases := []struct {
		name string
		log  func(l *slog.Logger)
		want string // in the output; "" for nothing at all
	}{
		{"failed command dump", func(l *slog.Logger) {
			l.Warn("Response header: length:   121, id:   12, response_to:   61, opcode: OP_MSG")
			l.Warn("Response message:\n{\"errmsg\": \"no such command: 'endSessions'\"}\n")
		}, ""},
		{"dropped connection dump", func(l *slog.Logger) { l.Error("Response header: length: 10") }, "level=ERROR"},
		{"other warning", func(l *slog.Logger) { l.Warn("disk almost full") }, "level=WARN msg=\"disk almost full\""},
		{"debug request dump", func(l *slog.Logger) { l.Debug("Request header: x") }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			c.log(ferretDBLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})).With("component", "ferretdb")))
			out := buf.String()
			if c.want == "" && out != "" || c.want != "" && !strings.Contains(out, c.want) {
				t.Errorf("output %q, want %q", out, c.want)
			}
		})
	}
}
