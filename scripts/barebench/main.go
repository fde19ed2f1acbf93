// Command barebench is the yardstick of scripts/bench: the least a Go server
// can do to answer GET /users/{id} from blogd's SQLite file. It reads one
// user row by primary key with a prepared statement on a pool of read-only
// WAL connections and encodes it with encoding/json, with no router,
// middleware, logging or validation. scripts/bench runs the load harness's
// get_user scenario against it and against blogd in the same run, so that
// blogd's figure can be given as a share of it.
//
// With --no-db it answers the same route with a user made up from the id,
// touching no database: the machine's ceiling for an HTTP round trip with
// encoding/json, the other yardstick (85,000 req/s on its machine).
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // the same driver as blogd
)

type user struct {
	ID        int64     `json:"id"`
	Username  string    `json:"username"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "listen address")
	db := flag.String("db", "blogd.db", "blogd's SQLite file")
	noDB := flag.Bool("no-db", false, "answer without the database")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *noDB {
		*db = ""
	}
	if err := run(ctx, *addr, *db); err != nil {
		log.Fatal(err)
	}
}

// run serves GET /users/{id} until ctx ends: from the SQLite file at path,
// or, when path is empty, with a made-up user.
func run(ctx context.Context, addr, path string) error {
	var read func(ctx context.Context, id int64) (user, error)
	if path == "" {
		created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		read = func(_ context.Context, id int64) (user, error) {
			name := "user" + strconv.FormatInt(id, 10)
			return user{ID: id, Username: name, Email: name + "@example.com", CreatedAt: created}, nil
		}
	} else {
		dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=query_only(1)&_time_format=sqlite"
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			return fmt.Errorf("open %s: %w", path, err)
		}
		defer db.Close()
		n := max(4, 2*runtime.GOMAXPROCS(0))
		db.SetMaxOpenConns(n)
		db.SetMaxIdleConns(n)
		st, err := db.PrepareContext(ctx, "SELECT id, username, email, created_at FROM users WHERE id = ?")
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		defer st.Close()
		read = func(ctx context.Context, id int64) (user, error) {
			var u user
			var created any
			if err := st.QueryRowContext(ctx, id).Scan(&u.ID, &u.Username, &u.Email, &created); err != nil {
				return u, err
			}
			u.CreatedAt = parseTime(created)
			return u, nil
		}
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			http.Error(w, "bad id", http.StatusUnprocessableEntity)
			return
		}
		u, err := read(r.Context(), id)
		if errors.Is(err, sql.ErrNoRows) {
			http.Error(w, "User not found", http.StatusNotFound)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(u); err != nil {
			log.Print(err)
		}
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// parseTime reads a timestamp as the driver hands it: time.Time for a
// TIMESTAMP column, or SQLite's text form.
func parseTime(v any) time.Time {
	var s string
	switch v := v.(type) {
	case time.Time:
		return v.UTC()
	case string:
		s = v
	case []byte:
		s = string(v)
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
