package docsui

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
)

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	New("/openapi.json", "blogd <API> & docs").Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp, b
}

// The page points at the spec and at its own assets only, each of which is
// served with the right type, a hash in its address, and long caching.
func TestPageAndAssets(t *testing.T) {
	srv := newServer(t)
	resp, page := get(t, srv.URL+"/docs", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /docs: %d", resp.StatusCode)
	}
	for k, want := range map[string]string{
		"Content-Type":  "text/html; charset=utf-8",
		"Cache-Control": "no-cache",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("GET /docs: %s %q, want %q", k, got, want)
		}
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if !bytes.Contains(page, []byte(`data-spec-url="/openapi.json"`)) {
		t.Errorf("page does not point at /openapi.json:\n%s", page)
	}
	if !bytes.Contains(page, []byte("<title>blogd &lt;API&gt; &amp; docs</title>")) {
		t.Errorf("title not escaped:\n%s", page)
	}
	if bytes.Contains(page, []byte("<script>")) {
		t.Errorf("page has an inline script, which its CSP forbids:\n%s", page)
	}

	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllSubmatch(page, -1)
	wantTypes := map[string]string{
		"swagger-ui-bundle.js": "text/javascript; charset=utf-8",
		"init.js":              "text/javascript; charset=utf-8",
		"swagger-ui.css":       "text/css; charset=utf-8",
		"favicon-32x32.png":    "image/png",
	}
	seen := map[string]bool{}
	for _, m := range refs {
		ref := string(m[1])
		if !strings.HasPrefix(ref, AssetsPath) {
			t.Errorf("page refers to %q, outside %s", ref, AssetsPath)
			continue
		}
		name, v, ok := strings.Cut(strings.TrimPrefix(ref, AssetsPath), "?v=")
		if !ok {
			t.Errorf("asset address %q carries no version", ref)
		}
		seen[name] = true
		resp, body := get(t, srv.URL+ref, nil)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", ref, resp.StatusCode)
			continue
		}
		if got := resp.Header.Get("Content-Type"); got != wantTypes[name] {
			t.Errorf("GET %s: Content-Type %q, want %q", ref, got, wantTypes[name])
		}
		if got := resp.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: Cache-Control %q", ref, got)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q", ref, got)
		}
		sum := sha256.Sum256(body)
		if v != hex.EncodeToString(sum[:16]) || resp.Header.Get("ETag") != `"`+v+`"` {
			t.Errorf("GET %s: version %q and ETag %q are not the body's hash", ref, v, resp.Header.Get("ETag"))
		}
		// A revalidation with the ETag gets 304 and no body.
		resp, body = get(t, srv.URL+ref, http.Header{"If-None-Match": {resp.Header.Get("ETag")}})
		if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("GET %s with If-None-Match: %d, %d bytes", ref, resp.StatusCode, len(body))
		}
	}
	for name := range wantTypes {
		if !seen[name] {
			t.Errorf("page does not load %s", name)
		}
	}
}

func TestUnknownAssetIsNotFound(t *testing.T) {
	srv := newServer(t)
	for _, p := range []string{"/docs/assets/nope.js", "/docs/assets/swagger-ui-bundle.js.map"} {
		resp, body := get(t, srv.URL+p, nil)
		if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("GET %s: %d %s %s", p, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
}

// The embedded files are those the update script took from the npm
// package, byte for byte, and the package is the one pinned.
func TestEmbeddedFilesMatchThePackage(t *testing.T) {
	f, err := os.Open("dist/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	listed := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS: bad line %q", sc.Text())
		}
		listed[name] = sum
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	embedded := map[string]string{"swagger-ui-bundle.js": bundleJS, "swagger-ui.css": bundleCSS, "favicon-32x32.png": favicon}
	for _, name := range []string{"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "package.json", "LICENSE"} {
		b, err := os.ReadFile("dist/" + name)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != listed[name] {
			t.Errorf("dist/%s: sha256 %s, SHA256SUMS says %q: run scripts/update-docs-ui.sh", name, got, listed[name])
		}
		if e, ok := embedded[name]; ok && e != string(b) {
			t.Errorf("embedded dist/%s differs from the file", name)
		}
	}
	b, err := os.ReadFile("dist/package.json")
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct{ Name, Version string }
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatal(err)
	}
	if pkg.Name != "swagger-ui-dist" || !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(pkg.Version) {
		t.Errorf("dist/package.json: %+v, want swagger-ui-dist at an exact version", pkg)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, []byte("**"+pkg.Version+"**")) {
		t.Errorf("README.md does not name the vendored version %s", pkg.Version)
	}
}

func TestETagMatches(t *testing.T) {
	for _, c := range []struct {
		header string
		want   bool
	}{
		{`"abc"`, true},
		{`W/"abc"`, true},
		{`"x", "abc"`, true},
		{`*`, true},
		{`"abcd"`, false},
		{`abc`, false},
	} {
		if got := etagMatches(c.header, `"abc"`); got != c.want {
			t.Errorf("etagMatches(%q) = %v, want %v", c.header, got, c.want)
		}
	}
}
