package routes

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"pcmt/config"
	"pcmt/store"
)

const testMetricsToken = "metrics-token-0123456789abcdef0123456789"

func enableMetrics(c *config.Config) {
	c.Metrics.Enabled = true
	c.Metrics.Token = testMetricsToken
}

// scrape asks /metrics with a bearer token ("" for none).
func (a *testApp) scrape(token string) (*http.Response, string) {
	a.t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return a.do(req)
}

func TestMetricsAreOffByDefault(t *testing.T) {
	a := newTestApp(t, nil)
	if resp, _ := a.scrape(testMetricsToken); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /metrics with metrics off: %d, want 404", resp.StatusCode)
	}
}

func TestMetricsNeedTheToken(t *testing.T) {
	a := newTestApp(t, enableMetrics)
	for _, token := range []string{"", "wrong", testMetricsToken + "x", testMetricsToken[:len(testMetricsToken)-1]} {
		resp, body := a.scrape(token)
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("token %q: %d (WWW-Authenticate %q), want 401", token, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
		if strings.Contains(body, "pcmt_http_requests_total") {
			t.Errorf("token %q: the metrics were served", token)
		}
	}
	// A signed-in admin's cookie is no token.
	_, ad := a.newMember("ursula", "a quiet morning walk")
	a.addUser("root", store.RoleAdmin, "granite tower nights", false)
	ad = a.session()
	ad.signIn("root", "granite tower nights")
	if resp, _ := ad.do(httptest.NewRequest(http.MethodGet, "/metrics", nil)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("an admin's session without the token: %d, want 401", resp.StatusCode)
	}
}

// TestMetricsShowRouteTemplatesNeverWhatWasAsked: requests are counted by
// route template, and no path, account or term that was requested appears
// in the scrape; the outbox's depth and import progress do.
func TestMetricsShowRouteTemplatesNeverWhatWasAsked(t *testing.T) {
	a := newTestApp(t, enableMetrics)
	ctx := context.Background()
	_, u := a.newMember("ursula", "a quiet morning walk")
	secrets := []string{"secret-account@example.org", "secret-username-42", "SECRETPATH", "ABCDE"}
	u.do(httptest.NewRequest(http.MethodGet, "/search?type=account&q=secret-account%40example.org", nil))
	u.do(httptest.NewRequest(http.MethodGet, "/breaches/987654", nil))
	a.do(httptest.NewRequest(http.MethodGet, "/api/v3/breachedaccount/secret-username-42", nil))
	a.do(httptest.NewRequest(http.MethodGet, "/SECRETPATH", nil))
	a.do(httptest.NewRequest(http.MethodGet, "/range/ABCDE", nil))
	a.do(httptest.NewRequest(http.MethodPost, "/watchlist", strings.NewReader("value=secret-account%40example.org"))) // no CSRF token

	st := a.h.store
	now := time.Now()
	for range 2 {
		if _, err := st.EnqueueMail(ctx, store.OutboxMail{To: "someone@example.org", Subject: "s", BodyText: "b"}, now.Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	job, err := st.CreateImportJob(ctx, store.ImportJob{Origin: "cli", Path: "/tmp/x", FileName: "x", FileSize: 1000, Fingerprint: "f", Options: "{}"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.StartImportJob(ctx, job, "lines", 1, "host", now); err != nil {
		t.Fatal(err)
	}
	if err := st.ImportJobProgress(ctx, job, 400, 37, 0, 0); err != nil {
		t.Fatal(err)
	}

	if _, _, err := st.BeginPwnedSync(ctx, store.PwnedSyncClaim{Origin: "cli", Mode: store.PwnedSHA1, URL: "http://up",
		Name: "sync", Ranges: 1 << 20, PID: 1, Host: "host"}, func(store.ImportJob) bool { return false }, now); err != nil {
		t.Fatal(err)
	}

	resp, body := a.scrape(testMetricsToken)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("scrape: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`pcmt_http_requests_total{code="200",method="GET",route="/search"} 1`,
		`pcmt_http_requests_total{code="404",method="GET",route="/breaches/:id"} 1`,
		`pcmt_http_requests_total{code="401",method="GET",route="/api/v3/breachedaccount/:account"} 1`,
		`pcmt_http_requests_total{code="404",method="GET",route="none"} 1`,
		`pcmt_http_requests_total{code="200",method="GET",route="/range/:prefix"} 1`,
		`pcmt_http_requests_total{code="403",method="POST",route="/watchlist"} 1`,
		`pcmt_http_request_duration_seconds_count{method="GET",route="/search"} 1`,
		"pcmt_outbox_pending 2",
		`pcmt_import_jobs{state="running"} 2`,
		"pcmt_corpus_sync_running_ranges_total 1.048576e+06",
		"pcmt_import_running_bytes_done 400",
		"pcmt_import_running_bytes_total 1000",
		"pcmt_import_running_records 37",
		"go_goroutines ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the scrape lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`pcmt_outbox_oldest_pending_age_seconds (\S+)`).FindStringSubmatch(body); m == nil || m[1] == "0" {
		t.Errorf("oldest pending mail's age: %v", m)
	}
	for _, s := range secrets {
		if strings.Contains(body, s) || strings.Contains(body, strings.ToLower(s)) {
			t.Errorf("the scrape holds %q, which was requested", s)
		}
	}
}
