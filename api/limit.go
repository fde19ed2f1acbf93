package api

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/rs/cors"
	"golang.org/x/time/rate"
)

// rateLimiter allows each client address rate requests a second, in bursts
// of up to burst, and answers the rest with 429 and Retry-After. A client
// that waits is served; one that hammers slows only itself.
type rateLimiter struct {
	rate  rate.Limit
	burst int
	now   func() time.Time

	mu      sync.Mutex
	clients map[string]*clientLimit
}

type clientLimit struct {
	lim  *rate.Limiter
	seen time.Time
}

// maxRateClients bounds the memory of the limiter: past it, the addresses
// idle longest are forgotten (they start again with a full burst).
const maxRateClients = 100_000

func newRateLimiter(perSecond float64, burst int, now func() time.Time) *rateLimiter {
	if burst < 1 {
		burst = max(1, int(math.Ceil(perSecond)))
	}
	return &rateLimiter{rate: rate.Limit(perSecond), burst: burst, now: now, clients: map[string]*clientLimit{}}
}

// wait returns 0 when the client at addr may be served now, else how long
// it should wait.
func (rl *rateLimiter) wait(addr string) time.Duration {
	now := rl.now()
	rl.mu.Lock()
	c := rl.clients[addr]
	if c == nil {
		if len(rl.clients) >= maxRateClients {
			rl.forgetIdle(now)
		}
		c = &clientLimit{lim: rate.NewLimiter(rl.rate, rl.burst)}
		rl.clients[addr] = c
	}
	c.seen = now
	r := c.lim.ReserveN(now, 1)
	delay := r.DelayFrom(now)
	if delay > 0 {
		r.CancelAt(now) // a refused request takes no token
	}
	rl.mu.Unlock()
	return delay
}

// forgetIdle drops the clients whose bucket has refilled: forgetting them
// changes nothing.
func (rl *rateLimiter) forgetIdle(now time.Time) {
	full := time.Duration(float64(rl.burst) / float64(rl.rate) * float64(time.Second))
	for addr, c := range rl.clients {
		if now.Sub(c.seen) > full {
			delete(rl.clients, addr)
		}
	}
	if len(rl.clients) >= maxRateClients {
		clear(rl.clients) // all busy: start afresh rather than grow
	}
}

// exemptFromLimits are the routes that neither the rate limit nor the
// queue of reads may hold back: the health checks and metrics, which
// orchestrators and monitors poll.
var exemptFromLimits = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// limitRate wraps next with rl.
func limitRate(next http.Handler, rl *rateLimiter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if exemptFromLimits[r.URL.Path] || r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		if wait := rl.wait(clientAddr(r)); wait > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			writeProblem(w, http.StatusTooManyRequests, msgRateLimited)
			return
		}
		next.ServeHTTP(w, r)
	})
}

const msgRateLimited = "Too many requests from this address; try again after Retry-After seconds"

// queueReads lets at most n GET requests make their answers at once; the
// others wait their turn in the order they came (the waiting senders of a
// channel are served first in, first out). Under load each request then
// waits about as long as the others, instead of all of them sharing the
// processors at once, each slowed by all the others and finishing in
// random order: the same throughput, a shorter tail of latencies
// (docs/performance.md). The turn covers making the answer, not sending
// it: withETags, outside, holds a GET's body until the handler is done, so
// a slow client keeps nobody waiting. A request whose client leaves while
// it waits gets 499 and is not run. The health checks and /metrics never
// wait: they must answer while the server is busy.
func queueReads(next http.Handler, n int) http.Handler {
	turns := make(chan struct{}, n)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || exemptFromLimits[r.URL.Path] {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case turns <- struct{}{}:
		case <-r.Context().Done():
			writeProblem(w, statusClientClosed, "client closed request")
			return
		}
		defer func() { <-turns }()
		next.ServeHTTP(w, r)
	})
}

// allowCORS lets pages from origins call the API from a browser: it answers
// their preflight requests (OPTIONS) and marks the answers they may read.
// No origins allows none, as browsers do by default.
func allowCORS(next http.Handler, origins []string) http.Handler {
	if len(origins) == 0 {
		return next
	}
	return cors.New(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete},
		AllowedHeaders: []string{"Authorization", "Content-Type", "X-Request-ID", "If-Match", "If-None-Match", "Blogd-Bookmark"},
		ExposedHeaders: []string{"Location", "Retry-After", "X-Request-ID", "WWW-Authenticate", "ETag", "Link", "X-Total-Count", "Blogd-Bookmark"},
		MaxAge:         600,
	}).Handler(next)
}
