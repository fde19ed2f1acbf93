package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blogd/blogd/internal/blogdtest"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// seededUser is the user the test creates through the API and then expects
// to see in the response that the docs page shows.
const seededUser = "grace_hopper"

// listUsers is the Swagger UI block of GET /users: operations-{tag}-{operationId}.
const listUsers = "#operations-users-list-users"

// TestDocsPageInChromium opens /docs of a running blogd in headless
// Chromium and checks that:
//   - every operation of /openapi.json is listed on the page (method, path
//     and operation id), and no other;
//   - "Try it out" then "Execute" on GET /users sends the request and shows
//     its response in the page: status 200, and a JSON body that holds the
//     user seeded through the API;
//   - the page ran no request to any origin but blogd's own, and logged no
//     error, exception or Content-Security-Policy violation.
//
// It saves a screenshot of the page after the response is shown.
func TestDocsPageInChromium(t *testing.T) {
	if os.Getenv("BLOGD_BROWSER_TEST") != "1" {
		t.Skip("set BLOGD_BROWSER_TEST=1 to run the browser test (needs Chromium)")
	}
	chromium := envOr("BLOGD_CHROMIUM", "/usr/bin/chromium")
	if _, err := os.Stat(chromium); err != nil {
		// Asked to run, so a missing browser is a failure, not a skip.
		t.Fatalf("BLOGD_BROWSER_TEST=1 but no Chromium: %v (install Debian's chromium, or set BLOGD_CHROMIUM)", err)
	}
	shot, err := filepath.Abs(envOr("BLOGD_SCREENSHOT", filepath.Join("..", "artifacts", "docs-browser-test.png")))
	if err != nil {
		t.Fatal(err)
	}

	base := startBlogd(t)
	seedUser(t, base, seededUser)
	documented := documentedOperations(t, base)

	ctx := newBrowser(t, chromium)
	var (
		mu       sync.Mutex
		requests []string
		problems []string
	)
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, ev.Request.URL)
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+exceptionText(ev.ExceptionDetails))
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				problems = append(problems, fmt.Sprintf("console.%s: %s", ev.Type, consoleText(ev.Args)))
			}
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				problems = append(problems, fmt.Sprintf("%s %s: %s %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text, ev.Entry.URL))
			}
		}
	}); err != nil {
		t.Fatalf("listen to the browser: %v", err)
	}

	// The page loads and lists the operations.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/docs"),
		chromedp.WaitVisible(chromedp.CSS(listUsers)),
	); err != nil {
		t.Fatalf("open /docs: %v", err)
	}
	listed, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.opblock')).map(b =>
		b.querySelector('.opblock-summary-method').textContent.trim() + ' ' +
		b.querySelector('.opblock-summary-path').getAttribute('data-path') + ' ' +
		b.querySelector('.opblock-summary-operation-id').textContent.trim())`))
	if err != nil {
		t.Fatalf("read the listed operations: %v", err)
	}
	slices.Sort(listed)
	if !slices.Equal(listed, documented) {
		t.Errorf("the page lists %d operations:\n%s\nthe document has %d:\n%s",
			len(listed), strings.Join(listed, "\n"), len(documented), strings.Join(documented, "\n"))
	}

	// Try it out: GET /users, from the page.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(listUsers+" .opblock-summary-control")),
		chromedp.WaitVisible(chromedp.CSS(listUsers+" .try-out__btn")),
		chromedp.Click(chromedp.CSS(listUsers+" .try-out__btn")),
		chromedp.WaitVisible(chromedp.CSS(listUsers+" .execute")),
		chromedp.Click(chromedp.CSS(listUsers+" .execute")),
		chromedp.WaitVisible(chromedp.CSS(listUsers+" .live-responses-table tr.response .response-col_status")),
	); err != nil {
		t.Fatalf("try out GET /users: %v", err)
	}
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(listUsers+" .live-responses-table tr.response .response-col_status")))
	if err != nil {
		t.Fatalf("read the response status: %v", err)
	}
	if strings.TrimSpace(status) != "200" {
		t.Errorf("the page shows status %q, want 200", status)
	}
	body, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(listUsers+" .live-responses-table tr.response .response-col_description pre")))
	if err != nil {
		t.Fatalf("read the response body: %v", err)
	}
	var users []struct {
		ID       int64  `json:"id"`
		Username string `json:"username"`
	}
	if err := json.Unmarshal([]byte(body), &users); err != nil {
		t.Fatalf("the response body in the page is not a JSON list of users: %v\n%s", err, body)
	}
	if len(users) != 1 || users[0].Username != seededUser {
		t.Errorf("the page shows %+v, want the seeded user %q", users, seededUser)
	}
	requestURL, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(listUsers+" .request-url pre")))
	if err != nil {
		t.Fatalf("read the request URL: %v", err)
	}
	if !strings.HasPrefix(strings.TrimSpace(requestURL), base+"/users") {
		t.Errorf("the page sent %q, want %s/users...", requestURL, base)
	}

	// The screenshot: the page, with the response shown.
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(shot), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", shot)

	mu.Lock()
	defer mu.Unlock()
	sentUsers := false
	for _, u := range requests {
		if !strings.HasPrefix(u, base+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the page requested %s, outside blogd", u)
		}
		sentUsers = sentUsers || strings.HasPrefix(u, base+"/users?")
	}
	if !sentUsers {
		t.Errorf("the browser never requested %s/users; it requested:\n%s", base, strings.Join(requests, "\n"))
	}
	for _, p := range problems {
		t.Errorf("the page logged %s", p)
	}
}

// startBlogd builds blogd (unless BLOGD_BIN names a binary), serves it on a
// free port of 127.0.0.1 with a new SQLite file, waits until it is ready and
// returns its base URL. It stops the server when the test ends.
func startBlogd(t *testing.T) string {
	t.Helper()
	bin := blogdtest.Build(t)
	return blogdtest.Start(t, bin, filepath.Join(t.TempDir(), "blogd.db"), blogdtest.FreeAddr(t)).Base
}

// seedUser signs a user up through the API.
func seedUser(t *testing.T, base, username string) {
	t.Helper()
	b, err := json.Marshal(map[string]string{"username": username, "email": username + "@example.com", "password": "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(base+"/users", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatalf("POST /users: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /users: %d", resp.StatusCode)
	}
}

// documentedOperations returns "METHOD /path operation-id" for each
// operation of the OpenAPI document blogd serves, sorted.
func documentedOperations(t *testing.T, base string) []string {
	t.Helper()
	resp, err := http.Get(base + "/openapi.json")
	if err != nil {
		t.Fatalf("GET /openapi.json: %v", err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
		} `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("decode /openapi.json: %v", err)
	}
	var ops []string
	for path, item := range doc.Paths {
		for method, op := range item {
			ops = append(ops, strings.ToUpper(method)+" "+path+" "+op.OperationID)
		}
	}
	slices.Sort(ops)
	if len(ops) == 0 {
		t.Fatal("/openapi.json has no operations")
	}
	return ops
}

// newBrowser starts headless Chromium with a fresh profile and the flags that
// keep it off the network but for the pages it is sent to, and returns a tab.
func newBrowser(t *testing.T, chromium string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox, // root in CI
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 1024),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancelTab)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelTimeout)
	return ctx
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func exceptionText(d *runtime.ExceptionDetails) string {
	s := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		s += " " + d.Exception.Description
	}
	return fmt.Sprintf("%s (%s:%d)", s, d.URL, d.LineNumber+1)
}

func consoleText(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		switch {
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		case a.Description != "":
			parts = append(parts, a.Description)
		}
	}
	return strings.Join(parts, " ")
}
