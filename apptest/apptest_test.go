package apptest

import (
	"encoding/json"
	"net/http"
	"testing"
)

func TestEnvServesHealthAndReadiness(t *testing.T) {
	env := New(t, Options{})
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := env.Client().Get(env.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %v %v", path, resp.StatusCode, body, err)
		}
	}
}
