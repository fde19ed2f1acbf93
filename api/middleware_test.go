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
	"sync"
	"testing"
	"time"

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

// queueReads runs at most n GETs at once, lets the others wait (and run
// when a turn frees), drops a waiting request whose client left, and never
// holds back the health checks, /metrics or a write.
func TestQueueReads(t *testing.T) {
	var running, most int
	var mu sync.Mutex
	release := make(chan struct{})
	started := make(chan string, 16)
	h := queueReads(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- r.Method + " " + r.URL.Path
		if r.URL.Path != "/slow" {
			return
		}
		mu.Lock()
		running++
		most = max(most, running)
		mu.Unlock()
		<-release
		mu.Lock()
		running--
		mu.Unlock()
	}), 2)
	serve := func(r *http.Request) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}

	// Two slow GETs take both turns; three more wait.
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if rec := serve(httptest.NewRequest("GET", "/slow", nil)); rec.Code != 200 {
				t.Errorf("GET /slow: %d", rec.Code)
			}
		})
	}
	for range 2 {
		<-started
	}
	select {
	case s := <-started:
		t.Fatalf("%s ran while two GETs held both turns", s)
	case <-time.After(50 * time.Millisecond):
	}
	// What must never wait runs now.
	for _, r := range []*http.Request{httptest.NewRequest("GET", "/healthz", nil),
		httptest.NewRequest("GET", "/metrics", nil), httptest.NewRequest("POST", "/posts", nil)} {
		serve(r)
		if s := <-started; s != r.Method+" "+r.URL.Path {
			t.Errorf("%s %s: ran %s", r.Method, r.URL.Path, s)
		}
	}
	// A waiting GET whose client leaves is answered 499 and not run.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if rec := serve(httptest.NewRequestWithContext(ctx, "GET", "/gone", nil)); rec.Code != statusClientClosed {
		t.Errorf("GET of a client gone: %d", rec.Code)
	}
	// The waiting GETs run as turns free, two at a time at most.
	close(release)
	wg.Wait()
	for range 3 {
		if s := <-started; s != "GET /slow" {
			t.Errorf("ran %s", s)
		}
	}
	if most != 2 {
		t.Errorf("%d GETs ran at once, want 2", most)
	}
}
