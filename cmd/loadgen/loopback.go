package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// checkLoopback refuses any address whose host is not 127.0.0.1, ::1 or
// localhost: the load generator floods what it targets, and must never be
// pointed at a server someone else runs.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("refusing %q: the load generator only targets 127.0.0.1 or localhost", addr)
	}
	return nil
}

// loopbackClient is an HTTP client whose every connection is checked again
// as it is dialled, so no URL built later (a redirect, a link read from a
// mail) can send traffic off the machine.
func loopbackClient(conns int, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if err := checkLoopback(addr); err != nil {
				return nil, err
			}
			host, port, _ := net.SplitHostPort(addr)
			if host == "localhost" {
				addr = net.JoinHostPort("127.0.0.1", port)
			}
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConns:        conns * 4,
		MaxIdleConnsPerHost: conns * 2,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		// Redirects are answers to measure, not to follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
