package api

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blogd/blogd"
	"github.com/blogd/blogd/store"
	"github.com/cespare/xxhash/v2"
	"github.com/danielgtaylor/huma/v2"
)

// Conditional requests. Every 200 answer to a GET or PATCH carries a strong
// ETag, the hash of its body, so that it changes whenever anything in the
// body would (embedded relations included). A GET whose If-None-Match holds
// the current tag gets 304 and no body. A PATCH or DELETE with If-Match
// happens only if the tag is the resource's current one (ifMatch).

// etagOf is the strong entity tag of a body.
func etagOf(body []byte) string {
	b := make([]byte, 0, 18)
	b = append(b, '"')
	b = strconv.AppendUint(b, xxhash.Sum64(body), 16)
	return string(append(b, '"'))
}

// bodyBuffers recycles the buffers that hold bodies while they are hashed.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// noETag are the routes whose answers are not tagged: metrics change at
// every read.
var noETag = map[string]bool{"/metrics": true}

// withETags tags the 200 answers of GET and PATCH requests and answers 304
// to a GET whose If-None-Match holds the tag. It holds the body of such an
// answer until it is complete, to hash it.
func withETags(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method != http.MethodGet && r.Method != http.MethodPatch) || noETag[r.URL.Path] {
			next.ServeHTTP(w, r)
			return
		}
		buf := bodyBuffers.Get().(*bytes.Buffer)
		defer func() {
			if buf.Cap() <= maxBodyBytes { // a rare huge body is left to the collector
				buf.Reset()
				bodyBuffers.Put(buf)
			}
		}()
		bw := &bodyBuffer{ResponseWriter: w, body: buf}
		next.ServeHTTP(bw, r)
		if !bw.held {
			return
		}
		tag := etagOf(bw.body.Bytes())
		w.Header().Set("ETag", tag)
		if r.Method == http.MethodGet && tagListHas(r.Header.Get("If-None-Match"), tag, false) {
			h := w.Header()
			h.Del("Content-Type")
			h.Del("Content-Length")
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(bw.body.Bytes())
	})
}

// bodyBuffer holds the body of a 200 answer; any other status goes through
// at once.
type bodyBuffer struct {
	http.ResponseWriter
	status int
	held   bool // a 200: its body is in body
	body   *bytes.Buffer
}

func (b *bodyBuffer) WriteHeader(status int) {
	if b.status != 0 {
		return
	}
	b.status = status
	if status == http.StatusOK {
		b.held = true
		return
	}
	b.ResponseWriter.WriteHeader(status)
}

func (b *bodyBuffer) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.WriteHeader(http.StatusOK)
	}
	if b.held {
		return b.body.Write(p)
	}
	return b.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (b *bodyBuffer) Unwrap() http.ResponseWriter { return b.ResponseWriter }

// tagListHas reports whether header, an If-Match or If-None-Match list
// (RFC 9110), holds tag or "*". Strong comparison (If-Match) never matches
// a weak tag (W/"..."); weak comparison (If-None-Match) ignores W/.
func tagListHas(header, tag string, strong bool) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return true
		}
		if w, ok := strings.CutPrefix(t, "W/"); ok {
			if strong {
				continue
			}
			t = w
		}
		if t == tag {
			return true
		}
	}
	return false
}

// versioned is a resource as a GET shows it, which knows its version.
type versioned interface {
	blogd.Keyed
	Updated() time.Time
}

// ifMatch applies a write's If-Match (header; "" for none) to the resource
// that read returns as its GET shows it: the tag must be the one that GET
// gives now, else changed. It returns the context under which the store's
// write is a compare-and-swap on the resource's version, so that of two
// writes made with one tag only the first happens.
func ifMatch[T versioned](ctx context.Context, header string, changed error, read func() (T, error)) (context.Context, error) {
	if header == "" {
		return ctx, nil
	}
	current, err := read()
	if err != nil {
		return ctx, err
	}
	// Encoded as its GET encodes it (a read), so that the tags agree.
	var a readAlloc
	r, err := a.newRead(ctx, current)
	if err != nil {
		return ctx, err
	}
	var body bytes.Buffer
	if err := jsonFormat.Marshal(&body, r); err != nil {
		return ctx, err
	}
	if !tagListHas(header, etagOf(body.Bytes()), true) {
		return ctx, changed
	}
	return store.IfUnchanged(ctx, current.Updated()), nil
}

// patchInput is the input of a PATCH: the resource's id, the tag the
// client expects it to have, and the change.
type patchInput[T any] struct {
	IDPath
	IfMatch string `header:"If-Match" doc:"the ETag the resource must still have; else 412 and no change"`
	Body    T
}

// deleteInput is the input of a DELETE: the resource's id and the tag the
// client expects it to have.
type deleteInput struct {
	IDPath
	IfMatch string `header:"If-Match" doc:"the ETag the resource must still have; else 412 and no change"`
}

// documentConditional states the conditional requests in o: the ETag of
// the 200 answers of GET and PATCH, If-None-Match and 304 on GET.
func documentConditional(o *huma.OpenAPI) {
	etag := &huma.Param{Description: "a strong tag of the body: it changes whenever the body would",
		Schema: &huma.Schema{Type: huma.TypeString}}
	for path, item := range o.Paths {
		if noETag[path] {
			continue
		}
		for _, op := range []*huma.Operation{item.Get, item.Patch} {
			if op == nil || op.Responses["200"] == nil {
				continue
			}
			r := op.Responses["200"]
			if r.Headers == nil {
				r.Headers = map[string]*huma.Param{}
			}
			r.Headers["ETag"] = etag
			if op != item.Get {
				continue
			}
			op.Parameters = append(op.Parameters, &huma.Param{Name: "If-None-Match", In: "header",
				Description: "the ETag of a copy the client holds: 304 and no body while it is current",
				Schema:      &huma.Schema{Type: huma.TypeString}})
			op.Responses["304"] = &huma.Response{Description: "Not modified: the copy whose ETag was sent in If-None-Match is current.",
				Headers: map[string]*huma.Param{"ETag": etag}}
		}
	}
}
