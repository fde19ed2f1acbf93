// Package browsertest holds blogd's end-to-end test of the interactive API
// docs: a real blogd binary, and Debian's Chromium in headless mode driven
// with chromedp, opening /docs, running "Try it out" on GET /users and
// reading the response in the page.
//
// The test runs only when BLOGD_BROWSER_TEST=1 (CI sets it, see .ci/run), so
// that `go test ./...` passes on a machine without Chromium:
//
//	BLOGD_BROWSER_TEST=1 go test ./browsertest/
//
// Environment:
//   - BLOGD_CHROMIUM: the browser (default /usr/bin/chromium).
//   - BLOGD_SCREENSHOT: where to save the PNG screenshot (default
//     artifacts/docs-browser-test.png in the repository).
//   - BLOGD_BIN: a blogd binary to test; by default the test builds one.
package browsertest
