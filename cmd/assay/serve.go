package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/assayhq/assay/app"
	"github.com/assayhq/assay/config"
)

func init() {
	commands["serve"] = command{"run the web server (embedded database, storage and outbox unless configured)", serve}
	commands["healthcheck"] = command{"exit 0 when the local server answers /healthz (for container health checks)", healthcheck}
}

// startTimeout bounds start-up, so a misconfigured server fails fast.
const startTimeout = 14 * time.Second

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := config.Load("serve", args, os.Getenv)
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg)
	startCtx, cancel := context.WithTimeout(ctx, startTimeout)
	a, err := app.Open(startCtx, cfg, log)
	cancel()
	if err != nil {
		return err
	}
	defer a.Close()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           a.Handlers().Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	workCtx, stopWork := context.WithCancel(context.Background())
	defer stopWork()
	a.Run(workCtx)
	a.Announce(stdout, ln.Addr().String())

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutCtx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	stopWork()
	if errors.Is(err, context.DeadlineExceeded) {
		return errors.New("some requests did not finish within 25s")
	}
	return err
}

func healthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := config.Load("healthcheck", args, os.Getenv)
	if err != nil {
		return err
	}
	return probeHealth(ctx, cfg.Addr, 3*time.Second)
}

// probeHealth asks the server listening on addr for /healthz.
func probeHealth(ctx context.Context, addr string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+loopback(addr)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/healthz answered %s", resp.Status)
	}
	return nil
}

// loopback turns a listen address such as 0.0.0.0:8080 into one to dial.
func loopback(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" || host == "0.0.0.0" || host == "::" {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return addr
}
