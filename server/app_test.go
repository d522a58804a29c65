package server_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pcmt/cli"
	"pcmt/config"
	"pcmt/server"
)

// serveApp runs the whole app through cli.Serve until the test ends and
// returns the URL it answers on.
func serveApp(t *testing.T, cfg config.Config) string {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- cli.Serve(ctx, cfg, server.TestLogger(t), func(url string) { urls <- url }) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return after the context ended")
		}
	})
	select {
	case url := <-urls:
		return url
	case err := <-done:
		t.Fatalf("Serve returned before listening: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not start listening")
	}
	return ""
}

// Over TLS the app sends HSTS and names its CSRF cookie with the __Host-
// prefix and Secure; over plain HTTP it does neither.
func TestAppOverTLSAndPlainHTTP(t *testing.T) {
	tests := []struct {
		name       string
		tls        bool
		wantScheme string
		wantHSTS   string
		cookie     string
		otherName  string
		secure     bool
	}{
		{
			name: "TLS", tls: true, wantScheme: "https://",
			wantHSTS: "max-age=31536000; includeSubDomains",
			cookie:   "__Host-pcmt_csrf", otherName: "pcmt_csrf", secure: true,
		},
		{
			name: "plain HTTP", wantScheme: "http://",
			cookie: "pcmt_csrf", otherName: "__Host-pcmt_csrf",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cert := server.NewLocalCert(t)
			cfg := config.Default()
			cfg.Host = "127.0.0.1"
			cfg.Port = 0
			cfg.HTTP.RedirectPort = 0
			cfg.HTTP.RateLimit = 0
			cfg.Database.Path = filepath.Join(t.TempDir(), "pcmt.db")
			if tt.tls {
				cfg.HTTP.TLSCertPath, cfg.HTTP.TLSKeyPath = cert.CertPath, cert.KeyPath
			}
			url := serveApp(t, cfg)
			if !strings.HasPrefix(url, tt.wantScheme+"127.0.0.1:") {
				t.Fatalf("URL %q, want %s127.0.0.1:PORT", url, tt.wantScheme)
			}

			resp, _ := server.Get(t, server.Client(t, cert.Pool, ""), http.MethodGet, url+"/", "")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /: status %d, want 200", resp.StatusCode)
			}
			if got := resp.Header.Values("Strict-Transport-Security"); tt.wantHSTS == "" && len(got) > 0 ||
				tt.wantHSTS != "" && (len(got) != 1 || got[0] != tt.wantHSTS) {
				t.Errorf("Strict-Transport-Security %q, want %q", got, tt.wantHSTS)
			}

			var csrf *http.Cookie
			for _, c := range resp.Cookies() {
				switch c.Name {
				case tt.cookie:
					csrf = c
				case tt.otherName:
					t.Errorf("cookie %s set, want %s", c.Name, tt.cookie)
				}
			}
			if csrf == nil {
				t.Fatalf("no %s cookie in %q", tt.cookie, resp.Header.Values("Set-Cookie"))
			}
			if csrf.Secure != tt.secure {
				t.Errorf("%s: Secure = %v, want %v (%s)", csrf.Name, csrf.Secure, tt.secure, csrf.Raw)
			}
			if !csrf.HttpOnly || csrf.SameSite != http.SameSiteLaxMode || csrf.Path != "/" || csrf.Value == "" {
				t.Errorf("%s: want a value, HttpOnly, SameSite=Lax and Path=/, got %s", csrf.Name, csrf.Raw)
			}
			if csrf.Domain != "" || strings.Contains(strings.ToLower(csrf.Raw), "domain=") {
				t.Errorf("%s: has a Domain, want none: %s", csrf.Name, csrf.Raw)
			}
		})
	}
}
