// Package e2e drives the whole app in headless Chromium: every page loads
// under the real Content-Security-Policy and a test fails on any CSP
// violation, console error, JavaScript exception or failed sub-resource.
//
// The tests live in _test.go files; run them with `go test ./e2e/`. They need
// Chromium (`apt-get install chromium`) and skip without it, unless the
// environment variable CI is set, when they fail instead. PCMT_CHROMIUM
// names another Chromium or Chrome binary. PCMT_SCREENSHOTS=DIR keeps the
// screenshots of the landing page in DIR.
package e2e
