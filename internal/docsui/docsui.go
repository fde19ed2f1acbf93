// Package docsui serves blogd's interactive API reference: Swagger UI, from
// the files of the npm package swagger-ui-dist, embedded in the binary so
// that the page works with no network at all.
//
// The vendored version is the one in dist/package.json; the files are
// replaced, never edited, by scripts/update-docs-ui.sh, and dist/SHA256SUMS
// records their hashes. The page loads nothing but the spec and the assets
// from its own origin, and its Content-Security-Policy says so.
package docsui

import (
	"crypto/sha256"
	_ "embed" // the assets
	"encoding/hex"
	"html"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// The files of swagger-ui-dist that the page serves, and the page's own
// start-up script. Strings, so that serving them copies nothing.
var (
	//go:embed dist/swagger-ui-bundle.js
	bundleJS string
	//go:embed dist/swagger-ui.css
	bundleCSS string
	//go:embed dist/favicon-32x32.png
	favicon string
	//go:embed init.js
	initJS string
)

// Routes of the page and of its assets.
const (
	// PagePath is the address of the page.
	PagePath = "/docs"
	// AssetsPath is the folder the page's scripts and styles are served from.
	AssetsPath = "/docs/assets/"
)

// contentSecurityPolicy lets the page run only its own scripts and fetch only
// from its own origin (the spec, and the requests of "Try it out"). Swagger
// UI sets inline styles and uses data: images for its icons.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// contentType is the media type of an asset, by its extension, set
// explicitly rather than taken from the host's MIME tables.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".png":
		return "image/png"
	}
	return "application/octet-stream"
}

// asset is one embedded file, ready to serve.
type asset struct {
	body        string
	contentType string
	etag        string
}

// UI is the docs page and its assets. It is immutable once built and safe
// for concurrent use.
type UI struct {
	page     string
	pageETag string
	assets   map[string]asset
}

// New returns the docs page for the OpenAPI document at specURL, titled
// title.
func New(specURL, title string) *UI {
	u := &UI{assets: map[string]asset{}}
	for name, body := range map[string]string{
		"swagger-ui-bundle.js": bundleJS,
		"swagger-ui.css":       bundleCSS,
		"favicon-32x32.png":    favicon,
		"init.js":              initJS,
	} {
		u.assets[name] = asset{body: body, contentType: contentType(name), etag: etag(body)}
	}
	u.page = u.render(specURL, title)
	u.pageETag = etag(u.page)
	return u
}

// render writes the page. Each asset's address carries its hash, so that a
// browser may keep it for good and still never runs a stale one.
func (u *UI) render(specURL, title string) string {
	src := func(name string) string {
		return html.EscapeString(AssetsPath + name + "?v=" + strings.Trim(u.assets[name].etag, `"`))
	}
	var b strings.Builder
	b.WriteString("<!doctype html>\n<html lang=\"en\">\n<head>\n")
	b.WriteString("<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	b.WriteString("<meta name=\"referrer\" content=\"no-referrer\">\n")
	b.WriteString("<title>" + html.EscapeString(title) + "</title>\n")
	b.WriteString("<link rel=\"icon\" type=\"image/png\" href=\"" + src("favicon-32x32.png") + "\">\n")
	b.WriteString("<link rel=\"stylesheet\" href=\"" + src("swagger-ui.css") + "\">\n")
	b.WriteString("</head>\n<body>\n")
	b.WriteString("<div id=\"swagger-ui\" data-spec-url=\"" + html.EscapeString(specURL) + "\"></div>\n")
	b.WriteString("<script src=\"" + src("swagger-ui-bundle.js") + "\"></script>\n")
	b.WriteString("<script src=\"" + src("init.js") + "\"></script>\n")
	b.WriteString("</body>\n</html>\n")
	return b.String()
}

// etag is a strong validator: the first 128 bits of the SHA-256 of body.
func etag(body string) string {
	h := sha256.New()
	_, _ = io.WriteString(h, body) // a hash never fails to write
	sum := h.Sum(nil)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// Mux is where the routes are registered: an *http.ServeMux or a wrapper.
type Mux interface {
	Handle(pattern string, handler http.Handler)
}

// Register adds GET PagePath and GET AssetsPath{name} to mux.
func (u *UI) Register(mux Mux) {
	mux.Handle("GET "+PagePath, http.HandlerFunc(u.servePage))
	mux.Handle("GET "+AssetsPath+"{name}", http.HandlerFunc(u.serveAsset))
}

// servePage answers with the page; it is small and revalidated on each visit.
func (u *UI) servePage(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Cache-Control", "no-cache")
	serve(w, r, "text/html; charset=utf-8", u.pageETag, u.page)
}

// serveAsset answers with an embedded file. Its address carries its hash
// (see render), so it may be cached for a year.
func (u *UI) serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := u.assets[r.PathValue("name")]
	if !ok {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"title":"Not Found","status":404,"detail":"Not found"}` + "\n"))
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	serve(w, r, a.contentType, a.etag, a.body)
}

// serve writes body with its type and ETag, or 304 when the client has it.
func serve(w http.ResponseWriter, r *http.Request, contentType, tag, body string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", tag)
	if match := r.Header.Get("If-None-Match"); match != "" && etagMatches(match, tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = io.WriteString(w, body)
}

// etagMatches reports whether an If-None-Match header names tag (weak
// comparison, as RFC 9110 asks for If-None-Match).
func etagMatches(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == tag {
			return true
		}
	}
	return false
}
