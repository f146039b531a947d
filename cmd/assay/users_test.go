package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/assayhq/assay/testenv"
)

// runUsers runs `assay users args...` as a fresh process would, against
// the database and bucket in the environment.
func runUsers(t *testing.T, dataDir string, args ...string) (string, string, int) {
	t.Helper()
	t.Setenv("ASSAY_DATA_DIR", dataDir)
	t.Setenv("ASSAY_ADMIN_EMAIL", "root@example.test")
	t.Setenv("ASSAY_ADMIN_PASSWORD", "")
	t.Setenv("ASSAY_LOG_LEVEL", "warn")
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"users"}, args...), &out, &errOut)
	return out.String(), errOut.String(), code
}

func TestUsersCommand(t *testing.T) {
	// Each run opens and closes the app like a separate process; the
	// embedded FerretDB cannot be restarted within one process, so the
	// runs share the test FerretDB and MinIO instead.
	bc := testenv.SharedMinIO(t).Config(t)
	for k, v := range map[string]string{
		"ASSAY_MONGO_URI": testenv.MongoURI(t), "ASSAY_MONGO_DB": testenv.DBName(t),
		"ASSAY_S3_ENDPOINT": bc.Endpoint, "ASSAY_S3_ACCESS_KEY": bc.AccessKey, "ASSAY_S3_SECRET_KEY": bc.SecretKey, "ASSAY_S3_BUCKET": bc.Bucket,
	} {
		t.Setenv(k, v)
	}
	dir := t.TempDir()

	out, errOut, code := runUsers(t, dir, "create", "--email", "Ann@Example.test", "--name", "Ann", "--role", "reviewer", "--data-dir", dir)
	if code != 0 {
		t.Fatalf("create: %d\n%s", code, errOut)
	}
	// The first run also bootstrapped the admin, with a generated password
	// printed once.
	if !regexp.MustCompile(`first admin:\s+root@example.test\s+password: \S{24}`).MatchString(out) {
		t.Errorf("bootstrap notice missing:\n%s", out)
	}
	pw := regexp.MustCompile(`(?m)^password: (\S+)$`).FindStringSubmatch(out)
	if !strings.Contains(out, "created ann@example.test (Ann, reviewer)") || pw == nil || len(pw[1]) != 24 {
		t.Fatalf("create output:\n%s", out)
	}

	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"create", "--email", "ann@example.test", "--name", "Ann", "--role", "viewer"}, 1, "an account with this email already exists"},
		{[]string{"create", "--email", "bob@example.test", "--name", "Bob", "--role", "owner"}, 1, "choose admin, procurement, reviewer or viewer"},
		{[]string{"disable", "--email", "ann@example.test"}, 0, "ann@example.test disabled"},
		{[]string{"list"}, 0, "ann@example.test   Ann            reviewer  disabled"},
		{[]string{"enable", "--email", "ann@example.test"}, 0, "ann@example.test enabled"},
		{[]string{"reset-password", "--email", "ann@example.test", "--password", "short"}, 1, "at least 12 characters"},
		{[]string{"reset-password", "--email", "ann@example.test", "--password=a long new password"}, 0, "new password set for ann@example.test"},
		{[]string{"reset-password", "--email", "nobody@example.test"}, 1, "does not exist"},
		{[]string{"disable"}, 1, "--email is required"},
		{[]string{"promote"}, 1, "unknown action"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, code := runUsers(t, dir, tt.args...)
			if code != tt.code || !strings.Contains(out+errOut, tt.want) {
				t.Fatalf("exit %d (want %d), want %q in:\n%s%s", code, tt.code, tt.want, out, errOut)
			}
		})
	}
	// The bootstrap happens once.
	if out, _, _ := runUsers(t, dir, "list"); strings.Contains(out, "first admin") || !strings.Contains(out, "root@example.test") {
		t.Fatalf("second run:\n%s", out)
	}
}

func TestUsersCommandRefusesWhileTheEmbeddedServerRuns(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	t.Setenv("ASSAY_ADDR", ln.Addr().String())
	// No ASSAY_MONGO_URI: the embedded database, which must not be opened
	// twice.
	t.Setenv("ASSAY_MONGO_URI", "")
	_, errOut, code := runUsers(t, t.TempDir(), "list")
	if code != 1 || !strings.Contains(errOut, "stop it first") {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
}
