package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// A panic in a handler becomes a logged 500 problem, and the server goes on
// serving.
func TestPanicBecomes500(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })
	srv := httptest.NewServer(observe(recoverPanics(mux, log), log, newMetrics(prometheus.NewRegistry())))
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/boom")
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if resp.StatusCode != 500 || p.Status != 500 || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("panic answered %d %+v %s", resp.StatusCode, p, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(logs.String(), "panic in handler") || !strings.Contains(logs.String(), "boom") ||
		!strings.Contains(logs.String(), "status=500") {
		t.Errorf("panic not logged:\n%s", logs.String())
	}
	resp, err = http.Get(srv.URL + "/ok")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after the panic: %v %v", resp, err)
	}
	resp.Body.Close()
}

// A request whose client has gone is not a server failure: no error log,
// and status 499 in the metrics.
func TestAbandonedRequestIsNotAnError(t *testing.T) {
	var logs bytes.Buffer
	s := &server{log: slog.New(slog.NewTextHandler(&logs, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.problemFor(ctx, fmt.Errorf("get user 1: %w", context.Canceled))
	var m *huma.ErrorModel
	if !errors.As(err, &m) || m.Status != statusClientClosed {
		t.Errorf("got %v", err)
	}
	if strings.Contains(logs.String(), "ERROR") {
		t.Errorf("logged as an error:\n%s", logs.String())
	}
	// The same error on a live request is a failure.
	err = s.problemFor(context.Background(), fmt.Errorf("get user 1: %w", context.Canceled))
	if !errors.As(err, &m) || m.Status != http.StatusInternalServerError || !strings.Contains(logs.String(), "ERROR") {
		t.Errorf("live request: %v\n%s", err, logs.String())
	}
}
