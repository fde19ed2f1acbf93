package api

import (
	"log/slog"
	"net/http"

	"github.com/blogd/blogd/store"
)

// Read-your-writes across replicas: every successful write answers
// Blogd-Bookmark, the primary's WAL position after it; a request that sends
// it back reads only where that position is replayed (store.WithBookmark).

const bookmarkHeader = "Blogd-Bookmark"

// withBookmarks reads the bookmark a request sends back and gives each
// successful write's answer the bookmark after it. On SQLite, which has
// one copy of the data, there is none to give.
func withBookmarks(next http.Handler, st *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v := r.Header.Get(bookmarkHeader); v != "" {
			lsn, err := store.ParseLSN(v)
			if err != nil {
				writeProblem(w, http.StatusBadRequest, msgBadBookmark)
				return
			}
			r = r.WithContext(store.WithBookmark(r.Context(), lsn))
		}
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
		default:
			next.ServeHTTP(&bookmarkWriter{ResponseWriter: w, r: r, st: st, log: log}, r)
		}
	})
}

// bookmarkWriter adds the bookmark to a write's 2xx answer as it begins,
// when the write has committed.
type bookmarkWriter struct {
	http.ResponseWriter
	r     *http.Request
	st    *store.Store
	log   *slog.Logger
	begun bool
}

func (b *bookmarkWriter) WriteHeader(status int) {
	if !b.begun {
		b.begun = true
		if status >= 200 && status < 300 {
			bm, err := b.st.Bookmark(b.r.Context())
			if err != nil {
				b.log.ErrorContext(b.r.Context(), "bookmark", "err", err)
			} else if bm != "" {
				b.Header().Set(bookmarkHeader, bm)
			}
		}
	}
	b.ResponseWriter.WriteHeader(status)
}

func (b *bookmarkWriter) Write(p []byte) (int, error) {
	if !b.begun {
		b.WriteHeader(http.StatusOK)
	}
	return b.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (b *bookmarkWriter) Unwrap() http.ResponseWriter { return b.ResponseWriter }
