package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/blogd/blogd"
	"github.com/danielgtaylor/huma/v2"
)

// statusClientClosed is the status recorded for a request whose client left
// before the answer (nginx's 499).
const statusClientClosed = 499

// problemFor maps a domain error to its HTTP problem: the one place where
// error kinds become status codes.
func (s *server) problemFor(ctx context.Context, err error) error {
	var se huma.StatusError
	if errors.As(err, &se) {
		return se // already an HTTP error
	}
	status := http.StatusInternalServerError
	switch blogd.ErrorKind(err) {
	case blogd.KindNotFound:
		status = http.StatusNotFound
	case blogd.KindConflict:
		status = http.StatusConflict
	case blogd.KindInvalid:
		status = http.StatusBadRequest
	case blogd.KindForbidden:
		status = http.StatusForbidden
	case blogd.KindChanged:
		status = http.StatusPreconditionFailed
	default:
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			// The client went away (or the server is stopping): nobody reads
			// this answer. Not a failure of blogd: no error log, and the
			// metrics count it as 499, nginx's "client closed request".
			s.log.DebugContext(ctx, "request abandoned by the client", "err", err)
			return problem(statusClientClosed, "client closed request")
		}
		s.log.ErrorContext(ctx, "request failed", "err", err)
	}
	return problem(status, blogd.ErrorDetail(err))
}

// problem builds an RFC 9457 body: every error body of blogd is built here,
// whether huma writes it (through huma.NewError, set in init) or blogd does
// (writeProblemModel). It is called directly where the status must stay as
// it is: huma.NewError turns 400 into 422.
func problem(status int, detail string, errs ...*huma.ErrorDetail) *huma.ErrorModel {
	return &huma.ErrorModel{Title: http.StatusText(status), Status: status, Detail: detail, Errors: errs}
}

func init() {
	// huma answers a body that is not JSON, or a missing body, with 400. The
	// contract says such input is 422, like every other invalid input; 400
	// is kept for requests that contradict the data. huma offers these
	// hooks, package variables, as its way to customise errors; they are set
	// once here and never changed.
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		switch status {
		case http.StatusBadRequest:
			status = http.StatusUnprocessableEntity
		case http.StatusUnsupportedMediaType:
			msg = msgNotJSON // huma says "validation failed"
		}
		m := problem(status, msg)
		for _, e := range errs {
			if e == nil {
				continue
			}
			var d huma.ErrorDetailer
			if errors.As(e, &d) {
				m.Errors = append(m.Errors, safeDetail(fieldDetail(d.ErrorDetail())))
			} else {
				m.Errors = append(m.Errors, &huma.ErrorDetail{Message: e.Error()})
			}
		}
		return m
	}
	// huma writes the bounds of its messages with %v, which gives a large
	// whole float64 as 9.007199254740991e+15: write whole numbers whole.
	huma.ErrorFormatter = func(format string, a ...any) string {
		for i, v := range a {
			if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1<<62 {
				a[i] = int64(f)
			}
		}
		return fmt.Sprintf(format, a...)
	}
}

// The details of errors that are not a domain error's sentence.
const (
	msgValidationFailed = "validation failed"
	msgNotJSON          = "the body must be JSON: send Content-Type: application/json"
	msgOutOfRange       = "integer out of range"
	msgBadCredentials   = "Incorrect username or password"
	msgSignInThrottled  = "Too many failed sign-ins for this username; try again later"
	msgBadBookmark      = "Blogd-Bookmark must be a bookmark that blogd gave in an answer, such as 0/16B3748"
)

// maxEchoedValue is the longest value, in bytes, that an error repeats.
const maxEchoedValue = 64

// safeDetail bounds what an error detail repeats of the request: never a
// secret (a password field), never the whole body or an object of it (huma
// gives an object for an unknown field, and the body for a syntax error),
// and no more than maxEchoedValue bytes of a string. It also says "out of
// range" for a number too large for an integer, where huma says "invalid
// integer".
func safeDetail(d *huma.ErrorDetail) *huma.ErrorDetail {
	switch v := d.Value.(type) {
	case string:
		if d.Message == "invalid integer" && isDigits(strings.TrimPrefix(v, "-")) {
			d.Message = msgOutOfRange
		}
		if len(v) > maxEchoedValue {
			cut := maxEchoedValue
			for cut > 0 && !utf8.RuneStart(v[cut]) {
				cut--
			}
			d.Value = v[:cut] + "…"
		}
	case nil, bool, int, int64, float64, json.Number:
	default:
		d.Value = nil
	}
	if d.Location == "body" || strings.HasSuffix(d.Location, "password") {
		d.Value = nil
	}
	return d
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// fieldDetail points a missing-property error at the field itself
// (body.email) rather than at the object that lacks it (body), so that
// every error names the field a client must fix.
func fieldDetail(d *huma.ErrorDetail) *huma.ErrorDetail {
	const pre, post = "expected required property ", " to be present"
	if name, ok := strings.CutPrefix(d.Message, pre); ok && strings.HasSuffix(name, post) {
		name = strings.TrimSuffix(name, post)
		return &huma.ErrorDetail{Location: d.Location + "." + name, Message: "required field is missing"}
	}
	return d
}

// withProblemFallback answers requests that match no route (404) or that
// use a method the route lacks (405) with problem+json, as every other error,
// instead of net/http's plain text.
func withProblemFallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		// Let the mux say which (404 or 405, with its Allow header), then
		// write the body ourselves.
		rec := &headerRecorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		if allow := rec.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		status := rec.status
		detail := "Not found"
		if status == http.StatusMethodNotAllowed {
			detail = "Method not allowed"
		} else if status != http.StatusNotFound {
			// A redirect or anything else the mux decided: pass it on.
			mux.ServeHTTP(w, r)
			return
		}
		writeProblem(w, status, detail)
	})
}

func writeProblem(w http.ResponseWriter, status int, detail string) {
	writeProblemModel(w, problem(status, detail))
}

func writeProblemModel(w http.ResponseWriter, m *huma.ErrorModel) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(m.Status)
	_ = json.NewEncoder(w).Encode(m)
}

// headerRecorder keeps the status and headers a handler writes and drops
// its body.
type headerRecorder struct {
	header http.Header
	status int
}

func (r *headerRecorder) Header() http.Header { return r.header }
func (r *headerRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}
func (r *headerRecorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return len(b), nil
}

// maxBodyBytes is the largest request body accepted (huma's default too).
const maxBodyBytes = 1 << 20

// withNullCheck rejects an explicit null for any field of a PATCH body with
// 422. huma, like many validators, reads a null as an absent optional field;
// in blogd no PATCH field can be null, and a client that sends one expects to
// hear so, not to see nothing change.
func withNullCheck(next http.Handler, mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPatch || r.Body == nil {
			next.ServeHTTP(w, r)
			return
		}
		raw, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
		r.Body.Close()
		if err != nil {
			// As huma answers when it cannot read a body: 408 past the
			// server's read timeout, else 500 (the client is most likely
			// gone). Both are in every PATCH operation's responses.
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				writeProblem(w, http.StatusRequestTimeout, "request body read timeout")
				return
			}
			writeProblem(w, http.StatusInternalServerError, "cannot read request body")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		var fields map[string]json.RawMessage
		if len(raw) > maxBodyBytes || json.Unmarshal(raw, &fields) != nil {
			next.ServeHTTP(w, r) // huma reports the size or syntax error
			return
		}
		m := problem(http.StatusUnprocessableEntity, msgValidationFailed)
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			if string(fields[k]) == "null" {
				m.Errors = append(m.Errors, &huma.ErrorDetail{Location: "body." + k, Message: "must not be null", Value: nil})
			}
		}
		if len(m.Errors) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		// The answer comes before the mux has matched a route: name the
		// route for the access log and metrics, as the mux would have.
		_, r.Pattern = mux.Handler(r)
		writeProblemModel(w, m)
	})
}
