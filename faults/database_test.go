package faults_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/config"
	"github.com/assayhq/assay/storage/embedded"
	"github.com/assayhq/assay/testenv"
)

// The database restarts between two autosaves: the driver reconnects on
// its own, the second save goes through once the database is back (the
// portal retries a failed autosave, as this test does for a few seconds),
// and both answers are there.
func TestAutosaveAcrossDatabaseRestart(t *testing.T) {
	dir := t.TempDir()
	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	// A fixed port, so that the restarted server is where the driver
	// looks for it.
	addr := "127.0.0.1:" + strconv.Itoa(port)
	db := startMongo(t, dir, addr)
	// Registered before the app's cleanup, so it runs after it.
	t.Cleanup(func() { _ = db.Close() })
	env := apptest.New(t, apptest.Options{NoWorkers: true, Configure: func(c *config.Config) {
		c.MongoURI, c.MongoDB = db.URI, "faults_restart"
	}})
	id, token := sendFull(t, env)
	url := env.URL + "/api/v1/portal/" + token + "/answers"

	if st, body := autosave(t, url, "sup-policy", "yes"); st != http.StatusOK {
		t.Fatalf("first autosave: %d %s", st, body)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = startMongo(t, dir, addr)

	var failed []string
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, body := autosave(t, url, "sup-inventory", "no")
		if st == http.StatusOK {
			break
		}
		failed = append(failed, fmt.Sprint(st))
		if st < 500 || time.Now().After(deadline) {
			t.Fatalf("second autosave after the restart: %d %s (earlier attempts: %v)", st, body, failed)
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("second autosave went through after %d failed attempts %v", len(failed), failed)
	a, err := env.App.Assessments.Get(ctxFor(t, time.Minute), id)
	if err != nil {
		t.Fatal(err)
	}
	got := a.AnswerValues()
	if got["sup-policy"] != "yes" || got["sup-inventory"] != "no" {
		t.Fatalf("answers after the restart: sup-policy=%v sup-inventory=%v, want yes and no", got["sup-policy"], got["sup-inventory"])
	}
}

// startMongo starts FerretDB on dir and addr, retrying while the port of
// the previous run is released.
func startMongo(t *testing.T, dir, addr string) *embedded.Mongo {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		m, err := embedded.StartMongo(ctxFor(t, 30*time.Second), dir, addr, "", nil)
		if err == nil {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("restarting FerretDB on %s: %v", addr, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func autosave(t *testing.T, url, qid, value string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, url, strings.NewReader(fmt.Sprintf(`{"answers":{%q:%q}}`, qid, value)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("autosave %s: %v", qid, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
