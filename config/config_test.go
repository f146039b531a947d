package config

import (
	"os"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadPrecedence(t *testing.T) {
	c, err := Load("serve", []string{"-addr", "127.0.0.1:9999"}, env(map[string]string{
		"ASSAY_ADDR":          "127.0.0.1:7777",
		"ASSAY_MONGO_DB":      "fromenv",
		"ASSAY_MAX_UPLOAD_MB": "10",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9999" {
		t.Errorf("flag should win over env, got %s", c.Addr)
	}
	if c.MongoDB != "fromenv" {
		t.Errorf("env should win over default, got %s", c.MongoDB)
	}
	if c.BaseURL != "http://127.0.0.1:9999" {
		t.Errorf("base URL defaults from addr, got %s", c.BaseURL)
	}
	if c.MaxUploadBytes() != 10<<20 {
		t.Errorf("max upload = %d", c.MaxUploadBytes())
	}
	if c.ReassessMonths != [4]int{12, 18, 24, 24} {
		t.Errorf("reassessment months %v", c.ReassessMonths)
	}
	if !c.EmbeddedMongo() || !c.EmbeddedS3() || c.TLS() {
		t.Errorf("defaults should be embedded and plain HTTP")
	}
}

func TestLoadRejects(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"ASSAY_SMTP_TLS": "ssl"}, "ASSAY_SMTP_TLS"},
		{map[string]string{"ASSAY_SMTP_PORT": "x"}, "ASSAY_SMTP_PORT"},
		{map[string]string{"ASSAY_S3_USE_TLS": "maybe"}, "ASSAY_S3_USE_TLS"},
		{map[string]string{"ASSAY_BASE_URL": "ftp://x"}, "ASSAY_BASE_URL"},
		{map[string]string{"ASSAY_S3_ENDPOINT": "s3.example.com"}, "ASSAY_S3_ACCESS_KEY"},
		{map[string]string{"ASSAY_SESSION_IDLE": "soon"}, "ASSAY_SESSION_IDLE"},
		{map[string]string{"ASSAY_MAX_UPLOAD_MB": "0"}, "ASSAY_MAX_UPLOAD_MB"},
		{map[string]string{"ASSAY_LOG_LEVEL": "loud"}, "ASSAY_LOG_LEVEL"},
		{map[string]string{"ASSAY_REASSESS_MONTHS": "12,18"}, "ASSAY_REASSESS_MONTHS"},
		{map[string]string{"ASSAY_REASSESS_MONTHS": "12,18,x,24"}, "ASSAY_REASSESS_MONTHS"},
	}
	for _, tc := range cases {
		_, err := Load("serve", nil, env(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: want error naming %s, got %v", tc.env, tc.want, err)
		}
	}
}

func TestSettingsListsEveryEnv(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Settings() {
		if !strings.HasPrefix(s.Env, "ASSAY_") || s.Usage == "" {
			t.Errorf("setting %+v lacks env or usage", s)
		}
		seen[s.Env] = true
	}
	for _, want := range []string{"ASSAY_ADDR", "ASSAY_BASE_URL", "ASSAY_DATA_DIR", "ASSAY_MONGO_URI", "ASSAY_MONGO_DB",
		"ASSAY_S3_ENDPOINT", "ASSAY_S3_ACCESS_KEY", "ASSAY_S3_SECRET_KEY", "ASSAY_S3_BUCKET", "ASSAY_S3_REGION",
		"ASSAY_S3_USE_TLS", "ASSAY_SMTP_HOST", "ASSAY_SMTP_PORT", "ASSAY_SMTP_USERNAME", "ASSAY_SMTP_PASSWORD",
		"ASSAY_SMTP_TLS", "ASSAY_MAIL_FROM"} {
		if !seen[want] {
			t.Errorf("%s missing", want)
		}
	}
}

// The README's configuration table is the operator's reference: every
// setting must appear there with its default.
func TestReadmeListsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, s := range Settings() {
		d := s.Default
		if d == "" {
			d = "(empty)"
		}
		row := "| `" + s.Env + "` | `" + s.Flag + "` | `" + d + "` |"
		if !strings.Contains(readme, row) {
			t.Errorf("README lacks the row starting %s", row)
		}
	}
}
