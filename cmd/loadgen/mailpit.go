package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// mailbox reads what reached mailpit through its HTTP API.
type mailbox struct {
	api string
	hc  *http.Client
}

// mpMessage is a message as mailpit lists it.
type mpMessage struct {
	ID        string `json:"ID"`
	MessageID string `json:"MessageID"`
	Subject   string `json:"Subject"`
	To        []struct {
		Address string `json:"Address"`
	} `json:"To"`
}

func (m mailbox) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.api+path, nil)
	if err != nil {
		return err
	}
	resp, err := m.hc.Do(req)
	if err != nil {
		return fmt.Errorf("mailpit API: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("mailpit API %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// all lists every message mailpit holds.
func (m mailbox) all(ctx context.Context) ([]mpMessage, error) {
	var out []mpMessage
	for {
		var page struct {
			Total    int         `json:"total"`
			Messages []mpMessage `json:"messages"`
		}
		if err := m.get(ctx, fmt.Sprintf("/api/v1/messages?start=%d&limit=1000", len(out)), &page); err != nil {
			return nil, err
		}
		out = append(out, page.Messages...)
		if len(page.Messages) == 0 || len(out) >= page.Total {
			return out, nil
		}
	}
}

// text returns the plain-text body of message id.
func (m mailbox) text(ctx context.Context, id string) (string, error) {
	var msg struct {
		Text string `json:"Text"`
	}
	err := m.get(ctx, "/api/v1/message/"+id, &msg)
	return msg.Text, err
}
