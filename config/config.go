// Package config turns flags and environment variables into one validated
// Config. Every setting has a flag and an ASSAY_* variable; a flag given on
// the command line wins over the environment, which wins over the default.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything the server needs to start.
type Config struct {
	Addr    string
	BaseURL string
	DataDir string

	MongoURI string
	MongoDB  string
	DBSync   string // the embedded database's durability: normal or full

	S3Endpoint  string
	S3AccessKey string
	S3SecretKey string
	S3Bucket    string
	S3Region    string
	S3UseTLS    bool

	SMTPHost     string
	SMTPPort     int
	SMTPUsername string
	SMTPPassword string
	SMTPTLS      string
	MailFrom     string

	AdminEmail    string
	AdminPassword string

	CompanyName     string
	MaxUploadMB     int
	LinkValidDays   int
	ReminderDays    int
	SessionIdle     time.Duration
	SessionAbsolute time.Duration
	// ReassessMonths is the reassessment interval by vendor tier 1–4.
	ReassessMonths [4]int
	reassess       string

	LogLevel  string
	LogFormat string
	Demo      bool
}

// EmbeddedMongo reports whether the in-process FerretDB is wanted.
func (c *Config) EmbeddedMongo() bool { return c.MongoURI == "" }

// EmbeddedS3 reports whether the in-process S3 endpoint is wanted.
func (c *Config) EmbeddedS3() bool { return c.S3Endpoint == "" }

// MaxUploadBytes is the largest evidence file accepted.
func (c *Config) MaxUploadBytes() int64 { return int64(c.MaxUploadMB) << 20 }

// TLS reports whether users reach Assay over HTTPS, which decides Secure
// cookies and HSTS.
func (c *Config) TLS() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Setting documents one configuration entry; the README table is written
// from the same list so the two never drift.
type Setting struct {
	Flag, Env, Default, Usage string
}

type binder struct {
	fs       *flag.FlagSet
	getenv   func(string) string
	settings []Setting
	errs     []error
}

// env returns the environment's value for a setting, or def.
func (b *binder) env(name, env, def, usage string) string {
	if v := b.getenv(env); v != "" {
		def = v
	}
	b.settings = append(b.settings, Setting{"-" + name, env, def, usage})
	return def
}

func (b *binder) str(p *string, name, env, def, usage string) {
	b.fs.StringVar(p, name, b.env(name, env, def, usage), usage+" ("+env+")")
}

func (b *binder) boolean(p *bool, name, env, def, usage string) {
	v, err := strconv.ParseBool(b.env(name, env, def, usage))
	if err != nil {
		b.errs = append(b.errs, fmt.Errorf("%s: want true or false: %w", env, err))
	}
	b.fs.BoolVar(p, name, v, usage+" ("+env+")")
}

func (b *binder) integer(p *int, name, env, def, usage string) {
	v, err := strconv.Atoi(b.env(name, env, def, usage))
	if err != nil {
		b.errs = append(b.errs, fmt.Errorf("%s: want a whole number: %w", env, err))
	}
	b.fs.IntVar(p, name, v, usage+" ("+env+")")
}

func (b *binder) duration(p *time.Duration, name, env, def, usage string) {
	v, err := time.ParseDuration(b.env(name, env, def, usage))
	if err != nil {
		b.errs = append(b.errs, fmt.Errorf("%s: want a duration such as 30m: %w", env, err))
	}
	b.fs.DurationVar(p, name, v, usage+" ("+env+")")
}

// Load parses args (without the program and subcommand names) and the
// environment.
func Load(name string, args []string, getenv func(string) string) (*Config, error) {
	c, b := bind(name, getenv)
	if err := errors.Join(b.errs...); err != nil {
		return nil, err
	}
	if err := b.fs.Parse(args); err != nil {
		return nil, err
	}
	return c, c.finish()
}

// Settings lists every configuration entry with its default, for --help and
// the README.
func Settings() []Setting {
	_, b := bind("assay", func(string) string { return "" })
	return b.settings
}

// FlagSet returns the flags of name, for usage output.
func FlagSet(name string) *flag.FlagSet {
	_, b := bind(name, os.Getenv)
	return b.fs
}

func bind(name string, getenv func(string) string) (*Config, *binder) {
	c := &Config{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	b := &binder{fs: fs, getenv: getenv}
	b.str(&c.Addr, "addr", "ASSAY_ADDR", "127.0.0.1:8080", "address to listen on")
	b.str(&c.BaseURL, "base-url", "ASSAY_BASE_URL", "", "public URL used in emailed links (default http://<addr>)")
	b.str(&c.DataDir, "data-dir", "ASSAY_DATA_DIR", "./data", "folder for the embedded database and evidence store")
	b.str(&c.MongoURI, "mongo-uri", "ASSAY_MONGO_URI", "", "MongoDB URI; empty starts the embedded FerretDB")
	b.str(&c.MongoDB, "mongo-db", "ASSAY_MONGO_DB", "assay", "database name")
	b.str(&c.DBSync, "db-sync", "ASSAY_DB_SYNC", "normal", "embedded database durability: normal (nothing lost if the process dies; a power cut may lose the last writes) or full (every write on disk first, slower)")
	b.str(&c.S3Endpoint, "s3-endpoint", "ASSAY_S3_ENDPOINT", "", "S3 endpoint host:port; empty starts the embedded S3 endpoint")
	b.str(&c.S3AccessKey, "s3-access-key", "ASSAY_S3_ACCESS_KEY", "", "S3 access key")
	b.str(&c.S3SecretKey, "s3-secret-key", "ASSAY_S3_SECRET_KEY", "", "S3 secret key")
	b.str(&c.S3Bucket, "s3-bucket", "ASSAY_S3_BUCKET", "assay-evidence", "bucket for evidence files")
	b.str(&c.S3Region, "s3-region", "ASSAY_S3_REGION", "us-east-1", "S3 region")
	b.boolean(&c.S3UseTLS, "s3-use-tls", "ASSAY_S3_USE_TLS", "false", "use HTTPS to reach S3")
	b.str(&c.SMTPHost, "smtp-host", "ASSAY_SMTP_HOST", "", "SMTP relay; empty keeps mail in the outbox only")
	b.integer(&c.SMTPPort, "smtp-port", "ASSAY_SMTP_PORT", "587", "SMTP port")
	b.str(&c.SMTPUsername, "smtp-username", "ASSAY_SMTP_USERNAME", "", "SMTP user (empty: no authentication)")
	b.str(&c.SMTPPassword, "smtp-password", "ASSAY_SMTP_PASSWORD", "", "SMTP password")
	b.str(&c.SMTPTLS, "smtp-tls", "ASSAY_SMTP_TLS", "starttls", "SMTP security: none, starttls or tls")
	b.str(&c.MailFrom, "mail-from", "ASSAY_MAIL_FROM", "Assay <assay@localhost>", "sender of outgoing mail")
	b.str(&c.AdminEmail, "admin-email", "ASSAY_ADMIN_EMAIL", "admin@assay.local", "bootstrap admin created on first start")
	b.str(&c.AdminPassword, "admin-password", "ASSAY_ADMIN_PASSWORD", "", "bootstrap admin password (empty: generated and printed once)")
	b.str(&c.CompanyName, "company", "ASSAY_COMPANY", "Assay", "your company's name, shown to suppliers")
	b.integer(&c.MaxUploadMB, "max-upload-mb", "ASSAY_MAX_UPLOAD_MB", "50", "largest evidence file in MiB")
	b.integer(&c.LinkValidDays, "link-valid-days", "ASSAY_LINK_VALID_DAYS", "30", "days a supplier link stays valid after the due date")
	b.integer(&c.ReminderDays, "reminder-days", "ASSAY_REMINDER_DAYS", "7", "days before the due date of the first reminder")
	b.duration(&c.SessionIdle, "session-idle", "ASSAY_SESSION_IDLE", "30m", "staff session idle timeout")
	b.duration(&c.SessionAbsolute, "session-absolute", "ASSAY_SESSION_ABSOLUTE", "12h", "staff session absolute lifetime")
	b.str(&c.reassess, "reassess-months", "ASSAY_REASSESS_MONTHS", "12,18,24,24", "months between assessments for tiers 1,2,3,4")
	b.str(&c.LogLevel, "log-level", "ASSAY_LOG_LEVEL", "info", "debug, info, warn or error")
	b.str(&c.LogFormat, "log-format", "ASSAY_LOG_FORMAT", "text", "text or json")
	b.boolean(&c.Demo, "demo", "ASSAY_DEMO", "false", "seed a demo portfolio into an empty database")
	return c, b
}

// finish derives defaults that depend on other settings and rejects values
// that could only fail later, with the setting's name in the message.
func (c *Config) finish() error {
	var errs []error
	if c.MaxUploadMB <= 0 {
		errs = append(errs, errors.New("ASSAY_MAX_UPLOAD_MB: must be positive"))
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("ASSAY_BASE_URL: want http(s)://host[:port], got %q", c.BaseURL))
	}
	switch c.SMTPTLS {
	case "none", "starttls", "tls":
	default:
		errs = append(errs, fmt.Errorf("ASSAY_SMTP_TLS: want none, starttls or tls, got %q", c.SMTPTLS))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("ASSAY_LOG_LEVEL: want debug, info, warn or error, got %q", c.LogLevel))
	}
	if c.DBSync != "normal" && c.DBSync != "full" {
		errs = append(errs, fmt.Errorf("ASSAY_DB_SYNC: want normal or full, got %q", c.DBSync))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("ASSAY_LOG_FORMAT: want text or json, got %q", c.LogFormat))
	}
	if c.S3Endpoint != "" && (c.S3AccessKey == "" || c.S3SecretKey == "") {
		errs = append(errs, errors.New("ASSAY_S3_ACCESS_KEY and ASSAY_S3_SECRET_KEY are required with ASSAY_S3_ENDPOINT"))
	}
	if c.LinkValidDays < 1 || c.ReminderDays < 0 {
		errs = append(errs, errors.New("ASSAY_LINK_VALID_DAYS must be at least 1 and ASSAY_REMINDER_DAYS not negative"))
	}
	if c.SessionIdle <= 0 || c.SessionAbsolute < c.SessionIdle {
		errs = append(errs, errors.New("ASSAY_SESSION_IDLE must be positive and no longer than ASSAY_SESSION_ABSOLUTE"))
	}
	if err := c.parseReassess(); err != nil {
		errs = append(errs, err)
	}
	if c.DataDir != "" {
		abs, err := filepath.Abs(c.DataDir)
		if err != nil {
			errs = append(errs, fmt.Errorf("ASSAY_DATA_DIR: %w", err))
		}
		c.DataDir = abs
	}
	return errors.Join(errs...)
}

func (c *Config) parseReassess() error {
	parts := strings.Split(c.reassess, ",")
	if len(parts) != 4 {
		return fmt.Errorf("ASSAY_REASSESS_MONTHS: want four numbers for tiers 1-4, got %q", c.reassess)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 || n > 60 {
			return fmt.Errorf("ASSAY_REASSESS_MONTHS: %q is not a number of months from 1 to 60", p)
		}
		c.ReassessMonths[i] = n
	}
	return nil
}
