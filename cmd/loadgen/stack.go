package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/assayhq/assay/app"
	"github.com/assayhq/assay/config"
	"github.com/assayhq/assay/storage/blobs"
	"github.com/assayhq/assay/testenv"
	"github.com/labstack/echo/v4"
	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
)

// Credentials of the bootstrap admin the load generator signs in as.
const (
	adminEmail    = "admin@loadgen.test"
	adminPassword = "loadgen admin password, loopback only"
)

// stackOptions choose what the stack runs with.
type stackOptions struct {
	listen      string // Assay's listen address, loopback only
	smtp        bool   // start mailpit and send mail through it
	maxUploadMB int
	logTo       io.Writer
}

// stack is Assay served from this process on loopback, over the embedded
// FerretDB (in this process too), a MinIO server and, for the soak, a
// mailpit server, plus a bare Echo server for the baselines.
type stack struct {
	dir     string
	minio   *testenv.MinIO
	mailpit *testenv.Mailpit
	app     *app.App
	srv     *http.Server
	url     string
	bare    *http.Server
	bareURL string
	// samePage is what the bare Echo's /same serves: the bytes of a
	// supplier page, once the benchmark has fetched one.
	samePage atomic.Pointer[[]byte]
	stopWork context.CancelFunc
}

// baselinePage is what the bare Echo handler serves: a small fixed HTML
// page, the least any page of Assay costs.
const baselinePage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Baseline</title></head>` +
	`<body><main><h1>Baseline</h1><p>A fixed page from a bare Echo handler.</p></main></body></html>`

func startStack(ctx context.Context, o stackOptions) (_ *stack, err error) {
	if err := checkLoopback(o.listen); err != nil {
		return nil, err
	}
	s := &stack{}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if s.dir, err = os.MkdirTemp("", "assay-loadgen-*"); err != nil {
		return nil, err
	}
	ports, err := freePorts(4)
	if err != nil {
		return nil, err
	}
	if s.minio, err = testenv.StartMinIO(filepath.Join(s.dir, "minio"), ports[:2]); err != nil {
		return nil, err
	}
	env := map[string]string{
		"ASSAY_DATA_DIR":       filepath.Join(s.dir, "data"), // the embedded FerretDB
		"ASSAY_S3_ENDPOINT":    s.minio.Endpoint,
		"ASSAY_S3_ACCESS_KEY":  s.minio.AccessKey,
		"ASSAY_S3_SECRET_KEY":  s.minio.SecretKey,
		"ASSAY_S3_BUCKET":      "loadgen-evidence",
		"ASSAY_ADMIN_EMAIL":    adminEmail,
		"ASSAY_ADMIN_PASSWORD": adminPassword,
		"ASSAY_COMPANY":        "Loadgen Corp",
		"ASSAY_MAIL_FROM":      "Assay <assay@loadgen.test>",
		"ASSAY_LOG_LEVEL":      "warn",
		"ASSAY_MAX_UPLOAD_MB":  strconv.Itoa(o.maxUploadMB),
	}
	if o.smtp {
		if s.mailpit, err = testenv.StartMailpit(filepath.Join(s.dir, "mailpit"), ports[2:]); err != nil {
			return nil, err
		}
		env["ASSAY_SMTP_HOST"] = s.mailpit.SMTPHost
		env["ASSAY_SMTP_PORT"] = strconv.Itoa(s.mailpit.SMTPPort)
		env["ASSAY_SMTP_TLS"] = "none"
	}
	// Links in mails name the listener, so it comes first.
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", o.listen, err)
	}
	s.url = "http://" + ln.Addr().String()
	env["ASSAY_ADDR"], env["ASSAY_BASE_URL"] = ln.Addr().String(), s.url
	cfg, err := config.Load("loadgen", nil, func(k string) string { return env[k] })
	if err != nil {
		ln.Close()
		return nil, err
	}
	// Errors only: FerretDB warns of every connection the driver drops.
	log := slog.New(slog.NewTextHandler(o.logTo, &slog.HandlerOptions{Level: slog.LevelError}))
	openCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if s.app, err = app.Open(openCtx, cfg, log); err != nil {
		ln.Close()
		return nil, err
	}
	s.srv = &http.Server{Handler: s.app.Handlers().Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	workCtx, stop := context.WithCancel(context.Background())
	s.stopWork = stop
	s.app.Run(workCtx)

	bln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.bareURL = "http://" + bln.Addr().String()
	fl := &floors{assessments: s.app.DB.Collection("assessments"), blobs: s.app.Blobs}
	s.bare = &http.Server{Handler: bareEcho(&s.samePage, fl), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.bare.Serve(bln) }()
	return s, nil
}

// floors are the storage calls an operation cannot do without, made by the
// bare Echo through the drivers Assay uses and nothing else: one read of
// an assessment document, one update of it, one object put in the bucket.
// What one of them reaches is the most that operation can reach here,
// whatever Assay does around the call.
type floors struct {
	assessments *driver.Collection
	blobs       *blobs.Store
	n           atomic.Int64
}

// bareEcho is the baseline: Echo with no middleware, a fixed page, the
// fixed bytes of a supplier page (what sending that page costs with no
// work behind it), a raw copy of a request body to nowhere, and the
// storage floors.
func bareEcho(same *atomic.Pointer[[]byte], fl *floors) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/page", func(c echo.Context) error { return c.HTML(http.StatusOK, baselinePage) })
	e.GET("/same", func(c echo.Context) error {
		b := same.Load()
		if b == nil {
			return c.NoContent(http.StatusServiceUnavailable)
		}
		return c.HTMLBlob(http.StatusOK, *b)
	})
	e.POST("/raw", func(c echo.Context) error {
		if _, err := io.Copy(io.Discard, c.Request().Body); err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, map[string]bool{"ok": true})
	})
	if fl == nil {
		return e
	}
	e.GET("/floor/read/:id", func(c echo.Context) error {
		var doc bson.Raw
		err := fl.assessments.FindOne(c.Request().Context(), bson.D{{Key: "_id", Value: c.Param("id")}}).Decode(&doc)
		if err != nil {
			return err
		}
		return c.HTML(http.StatusOK, baselinePage)
	})
	e.PUT("/floor/write/:id", func(c echo.Context) error {
		res, err := fl.assessments.UpdateOne(c.Request().Context(), bson.D{{Key: "_id", Value: c.Param("id")}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "loadgen_floor", Value: fl.n.Add(1)}}}})
		if err != nil {
			return err
		}
		if res.MatchedCount != 1 {
			return c.NoContent(http.StatusNotFound)
		}
		return c.JSON(http.StatusOK, map[string]bool{"ok": true})
	})
	e.POST("/floor/put", func(c echo.Context) error {
		r := c.Request()
		key := fmt.Sprintf("loadgen-floor/%d", fl.n.Add(1))
		if _, err := fl.blobs.Put(r.Context(), key, r.Body, r.ContentLength, "application/octet-stream"); err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, map[string]bool{"ok": true})
	})
	return e
}

// Close stops everything the stack started and removes its files.
func (s *stack) Close() {
	var errs []error
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if s.bare != nil {
		errs = append(errs, s.bare.Shutdown(ctx))
	}
	if s.srv != nil {
		errs = append(errs, s.srv.Shutdown(ctx))
	}
	if s.stopWork != nil {
		s.stopWork()
	}
	if s.app != nil {
		errs = append(errs, s.app.Close())
	}
	if s.mailpit != nil {
		s.mailpit.Stop()
	}
	if s.minio != nil {
		s.minio.Stop()
	}
	if s.dir != "" {
		errs = append(errs, os.RemoveAll(s.dir))
	}
	if err := errors.Join(errs...); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen: cleaning up:", err)
	}
}

// freePorts returns n loopback ports that were free a moment ago; a port
// taken in between makes the server fail to start, with its name.
func freePorts(n int) ([]int, error) {
	ports := make([]int, n)
	for i := range ports {
		p, err := testenv.FreePort()
		if err != nil {
			return nil, fmt.Errorf("no free loopback port: %w", err)
		}
		ports[i] = p
	}
	return ports, nil
}
