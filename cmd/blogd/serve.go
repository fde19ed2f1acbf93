package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime/debug"
	"time"

	"github.com/blogd/blogd/api"
	"github.com/blogd/blogd/store"
)

// serveConfig is the flags of blogd serve.
type serveConfig struct {
	addr              string
	db                *dbConfig
	logFormat         string
	logLevel          string
	readHeaderTimeout time.Duration
	readTimeout       time.Duration
	writeTimeout      time.Duration
	idleTimeout       time.Duration
	shutdownTimeout   time.Duration
	pprofAddr         string
	tokenTTL          time.Duration
	rateLimit         float64
	rateBurst         int
	corsOrigins       listFlag
	memoryLimitMiB    int
	readConcurrency   int
}

func serveCmd(ctx context.Context, args []string, getenv func(string) string, _, stderr io.Writer) error {
	c, help, err := parseServeFlags(args, getenv, stderr)
	if help || err != nil {
		return err
	}
	setMemoryLimit(c.memoryLimitMiB, getenv)
	return serve(ctx, c, stderr)
}

// parseServeFlags reads and checks the flags of blogd serve.
func parseServeFlags(args []string, getenv func(string) string, stderr io.Writer) (c serveConfig, help bool, err error) {
	fs := newFlagSet("serve", "Create or upgrade the database and serve the API.", stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8000", "listen address, host:port")
	c.db = addDBFlags(fs)
	addReplicaFlags(fs, c.db)
	fs.StringVar(&c.logFormat, "log-format", "auto", "log format: auto (text on a terminal, JSON otherwise), text or json")
	fs.StringVar(&c.logLevel, "log-level", "info", "least level logged: debug, info, warn or error")
	fs.DurationVar(&c.readHeaderTimeout, "read-header-timeout", 5*time.Second, "most time to read a request's headers")
	fs.DurationVar(&c.readTimeout, "read-timeout", 30*time.Second, "most time to read a whole request")
	fs.DurationVar(&c.writeTimeout, "write-timeout", 60*time.Second, "most time to write a response")
	fs.DurationVar(&c.idleTimeout, "idle-timeout", 120*time.Second, "how long an idle keep-alive connection stays open")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 15*time.Second, "on SIGINT or SIGTERM, most time to finish requests in flight")
	fs.StringVar(&c.pprofAddr, "pprof-addr", "", "if set, serve net/http/pprof's profiles on this separate address, host:port (off by default; never expose it)")
	fs.DurationVar(&c.tokenTTL, "token-ttl", time.Hour, "how long a bearer token from POST /auth/token lives")
	fs.Float64Var(&c.rateLimit, "rate-limit", 0, "requests a second allowed to each client address, beyond which 429 with Retry-After; 0: no limit")
	fs.IntVar(&c.rateBurst, "rate-burst", 0, "requests one client address may make at once under --rate-limit; 0: as many as the rate, at least 1")
	fs.IntVar(&c.readConcurrency, "read-concurrency", 0, "GET requests that make their answers at once; the others wait their turn, first come first served; 0: 4 per CPU")
	fs.IntVar(&c.memoryLimitMiB, "memory-limit", defaultMemoryLimitMiB, "soft limit of the Go heap in MiB, past which the garbage collector runs harder; 0: none (GOMEMLIMIT and GOGC, when set, take precedence)")
	fs.Var(&c.corsOrigins, "cors-origin", "an origin whose pages may call the API from a browser, e.g. https://blog.example.com, or * for any; repeat the flag or separate with commas; none by default")
	if help, err := parseFlags(fs, args, getenv); help || err != nil {
		return c, help, err
	}
	if err := c.db.check(); err != nil {
		return c, false, err
	}
	for name, d := range map[string]time.Duration{"read-header-timeout": c.readHeaderTimeout, "read-timeout": c.readTimeout,
		"write-timeout": c.writeTimeout, "idle-timeout": c.idleTimeout, "shutdown-timeout": c.shutdownTimeout,
		"token-ttl": c.tokenTTL} {
		if d <= 0 {
			return c, false, usageError{fmt.Errorf("--%s must be positive", name)}
		}
	}
	if c.memoryLimitMiB < 0 {
		return c, false, usageError{errors.New("--memory-limit must not be negative")}
	}
	if c.readConcurrency < 0 {
		return c, false, usageError{errors.New("--read-concurrency must not be negative")}
	}
	if c.rateLimit < 0 || c.rateBurst < 0 {
		return c, false, usageError{errors.New("--rate-limit and --rate-burst must not be negative")}
	}
	return c, false, nil
}

// defaultMemoryLimitMiB keeps the whole process (binary, SQLite's page
// caches, Go's heap) under 60 MB under the load harness at the 10x
// dataset, and leaves the collector room above the embedded rows kept
// (store.DefaultEmbedCacheBytes); docs/performance.md has the figures.
const defaultMemoryLimitMiB = 28

// setMemoryLimit trades memory for CPU the way a small server wants. Go's
// default (GOGC=100) collects whenever the heap doubles; a request's garbage
// dwarfs blogd's live heap (a few MiB), so the collector ran dozens of times
// a second and took a tenth of the CPU. With a soft limit it can wait
// longer (GOGC=400) and still never let the heap pass the limit. The
// runtime's own variables, when set, win.
func setMemoryLimit(mib int, getenv func(string) string) {
	if mib == 0 || getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(int64(mib) << 20)
	if getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}

// serve serves the API as c says until ctx ends, then shuts down: it stops
// accepting, lets the requests in flight finish (bounded), and closes the
// database.
func serve(ctx context.Context, c serveConfig, stderr io.Writer) error {
	db := c.db
	logs := newLogBuffer(stderr)
	defer logs.Close()
	logger, err := newLogger(stderr, logs, c.logFormat, c.logLevel)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return usageError{fmt.Errorf("listen on %s: %w", c.addr, err)}
	}
	defer ln.Close()

	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			logger.Error("closing the database", "err", err)
		}
	}()

	srv := &http.Server{
		Handler: api.NewHandler(api.Config{Store: st, Logger: logger, Version: version(), TokenTTL: c.tokenTTL,
			RateLimit: c.rateLimit, RateBurst: c.rateBurst, CORSOrigins: c.corsOrigins,
			ReadConcurrency: c.readConcurrency}),
		ReadHeaderTimeout: c.readHeaderTimeout,
		ReadTimeout:       c.readTimeout,
		WriteTimeout:      c.writeTimeout,
		IdleTimeout:       c.idleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	logger.Info("serving", "addr", ln.Addr().String(), "db", store.Redact(db.dsn), "version", version(),
		"docs", "http://"+ln.Addr().String()+"/docs")

	if c.pprofAddr != "" {
		stop, err := servePprof(c.pprofAddr, logger)
		if err != nil {
			return err
		}
		defer stop()
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", c.shutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), c.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// servePprof serves the runtime profiles of net/http/pprof on a listener of
// their own, apart from the API, so that they are never reachable through
// the API's address. It returns a function that stops the server.
func servePprof(addr string, logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, usageError{fmt.Errorf("pprof: listen on %s: %w", addr, err)}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	logger.Info("serving pprof", "addr", ln.Addr().String())
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("pprof server", "err", err)
		}
	}()
	return func() { srv.Close() }, nil
}
