package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/blogd/blogd/store"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// The middleware around every request, outermost first: request id, access
// log and metrics, panic recovery.

type ctxKey int

const requestInfoKey ctxKey = iota

// requestInfo is what observe learns of a request for the layers below: its
// id, for the logs, and the client's address, for the throttles.
type requestInfo struct {
	id, addr string
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	ri, _ := ctx.Value(requestInfoKey).(*requestInfo)
	if ri == nil {
		return ""
	}
	return ri.id
}

// clientAddrOf returns the client address of the request of ctx, or "".
func clientAddrOf(ctx context.Context) string {
	ri, _ := ctx.Value(requestInfoKey).(*requestInfo)
	if ri == nil {
		return ""
	}
	return ri.addr
}

// clientAddr is the IP address of the client of r: the TCP peer. Behind a
// reverse proxy that is the proxy, which then speaks for all its clients.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// withRequestID adds the request id of the context to every log record
// made with one, so that an error line can be matched to its request's
// access line.
type withRequestID struct{ slog.Handler }

// Handle adds request_id to r.
func (h withRequestID) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the request id in the derived handler.
func (h withRequestID) WithAttrs(attrs []slog.Attr) slog.Handler {
	return withRequestID{h.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the request id in the derived handler.
func (h withRequestID) WithGroup(name string) slog.Handler {
	return withRequestID{h.Handler.WithGroup(name)}
}

// validRequestID accepts a client's X-Request-ID when it is short and plain,
// so that it cannot forge log lines.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// metrics are the HTTP metrics of one handler, registered on a registry
// that the caller owns.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "blogd_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "blogd_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by method, route pattern and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route", "status"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "blogd_http_requests_in_flight",
			Help: "HTTP requests being answered now.",
		}),
	}
	reg.MustRegister(m.requests, m.duration, m.inFlight)
	return m
}

// registerRuntimeMetrics adds the Go runtime's, the process's and the
// database pools' metrics (open, in use, idle connections, waits).
func registerRuntimeMetrics(reg prometheus.Registerer, st *store.Store) {
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if st == nil {
		return
	}
	for name, db := range st.Pools() {
		reg.MustRegister(collectors.NewDBStatsCollector(db, name))
	}
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "blogd_embed_cache_entries",
			Help: "Relations' rows kept between reads (include, SQLite).",
		}, func() float64 { n, _ := st.EmbedCacheSize(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "blogd_embed_cache_bytes",
			Help: "About the memory that the rows kept between reads take, bounded by --embed-cache-mib.",
		}, func() float64 { _, n := st.EmbedCacheSize(); return float64(n) }),
	)
}

// recorder keeps the status and size of a response, and adds the
// Server-Timing header of the request's statements (stats) as the answer
// begins.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	stats  *store.Stats
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
		r.Header().Set("Server-Timing", serverTiming(r.stats))
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (deadlines,
// flushing).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// observe wraps next with the request id, one access log line per request
// and the request metrics. The route is the pattern the mux matched
// ("GET /users/{id}"), so that ids do not explode the metrics' labels.
func observe(next http.Handler, log *slog.Logger, m *metrics) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-ID", id)
		ctx, stats := store.WithStats(context.WithValue(r.Context(), requestInfoKey, &requestInfo{id: id, addr: clientAddr(r)}))
		r = r.WithContext(ctx)
		m.inFlight.Inc()
		rec := &recorder{ResponseWriter: w, stats: stats}
		defer func() {
			m.inFlight.Dec()
			elapsed := time.Since(start)
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			code := strconv.Itoa(status)
			m.requests.WithLabelValues(r.Method, route, code).Inc()
			m.duration.WithLabelValues(r.Method, route, code).Observe(elapsed.Seconds())
			log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Float64("duration_ms", float64(elapsed.Nanoseconds())/1e6),
				slog.Int64("bytes", rec.bytes),
			)
		}()
		next.ServeHTTP(rec, r)
	})
}

// recoverPanics turns a panic in a handler into a logged 500 problem, so
// that one bad request cannot take the server down.
func recoverPanics(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler { //nolint:errorlint // a sentinel passed to panic, never wrapped
				panic(v)
			}
			log.ErrorContext(r.Context(), "panic in handler", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if rec, ok := w.(*recorder); ok && rec.status != 0 {
				return // the response has begun; the client sees it cut short
			}
			writeProblem(w, http.StatusInternalServerError, "internal server error")
		}()
		next.ServeHTTP(w, r)
	})
}

// serverTiming is the Server-Timing header (W3C) of a request's statements:
// how long they took and how many there were.
func serverTiming(s *store.Stats) string {
	b := make([]byte, 0, 48)
	b = append(b, "db;dur="...)
	b = strconv.AppendFloat(b, float64(s.Duration().Microseconds())/1000, 'f', -1, 64)
	b = append(b, `;desc="`...)
	n := s.Statements()
	b = strconv.AppendInt(b, n, 10)
	if n == 1 {
		b = append(b, ` statement"`...)
	} else {
		b = append(b, ` statements"`...)
	}
	return string(b)
}
