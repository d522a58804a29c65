package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Validate checks every key and returns all problems found, each naming its
// key and the bad value.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, value, reason string) {
		errs = append(errs, &Error{Key: key, Value: value, Reason: reason})
	}
	port := func(key string, p int) {
		if p < 1 || p > 65535 {
			bad(key, strconv.Itoa(p), "not a port (1-65535)")
		}
	}
	listenPort := func(key string, p int) { // 0 lets the system pick a free port
		if p < 0 || p > 65535 {
			bad(key, strconv.Itoa(p), "not a port (1-65535, or 0 for any free port)")
		}
	}
	positive := func(key string, d Duration) {
		if d <= 0 {
			bad(key, time.Duration(d).String(), "must be longer than zero")
		}
	}

	if strings.TrimSpace(c.Host) == "" {
		bad("Host", c.Host, "must not be empty (use localhost, 0.0.0.0 or an address)")
	}
	listenPort("Port", c.Port)

	h := c.HTTP
	if h.TLSCertPath != "" && h.TLSKeyPath == "" {
		bad("HTTP.TLSKeyPath", "", "must be set when HTTP.TLSCertPath is")
	}
	if h.TLSKeyPath != "" && h.TLSCertPath == "" {
		bad("HTTP.TLSCertPath", "", "must be set when HTTP.TLSKeyPath is")
	}
	if h.AutoTLS && h.TLSCertPath != "" {
		bad("HTTP.AutoTLS", "true", "conflicts with HTTP.TLSCertPath: use one or the other")
	}
	if h.AutoTLS && !validDomain(h.Domain) {
		bad("HTTP.Domain", h.Domain, "AutoTLS needs the public domain name the certificate is for")
	}
	if h.Domain != "" && !validDomain(h.Domain) {
		bad("HTTP.Domain", h.Domain, "not a domain name")
	}
	if c.TLS() {
		listenPort("HTTP.RedirectPort", h.RedirectPort)
	}
	if h.HSTSMaxAge < 0 {
		bad("HTTP.HSTSMaxAge", time.Duration(h.HSTSMaxAge).String(), "must not be negative")
	}
	if strings.TrimSpace(h.ContentSecurityPolicy) == "" {
		bad("HTTP.ContentSecurityPolicy", "", "must not be empty")
	} else if strings.ContainsAny(h.ContentSecurityPolicy, "\r\n") {
		bad("HTTP.ContentSecurityPolicy", h.ContentSecurityPolicy, "must be one line")
	}
	if h.RateLimit < 0 {
		bad("HTTP.RateLimit", strconv.Itoa(h.RateLimit), "must be 0 (off) or a number of requests per minute")
	}
	positive("HTTP.Timeout", h.Timeout)
	positive("HTTP.IdleTimeout", h.IdleTimeout)
	if h.BodyLimit < 1<<10 {
		bad("HTTP.BodyLimit", strconv.FormatInt(int64(h.BodyLimit), 10), "must be at least 1KiB")
	}
	for _, p := range h.TrustedProxies {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				bad("HTTP.TrustedProxies", p, "not an IP address or CIDR range")
			}
		}
	}
	if len(h.TrustedProxies) > 0 && !validHeaderName(h.ProxyHeader) {
		bad("HTTP.ProxyHeader", h.ProxyHeader, "not a header name")
	}

	m := c.Mailer
	if m.Enabled {
		if m.Protocol != "smtps" && m.Protocol != "starttls" {
			bad("Mailer.Protocol", m.Protocol, "want smtps or starttls")
		}
		if m.SMTPHost == "" {
			bad("Mailer.SMTPHost", "", "must be set when Mailer.Enabled is true")
		}
		port("Mailer.SMTPPort", m.SMTPPort)
		if !strings.Contains(m.From, "@") {
			bad("Mailer.From", m.From, "not an e-mail address")
		}
	}

	if c.Registration.Allowed && !m.Enabled {
		bad("Registration.Allowed", "true", "sign-up mails a code to prove the address: needs Mailer.Enabled")
	}

	s := c.Session
	if !validCookieName(s.CookieName) {
		bad("Session.CookieName", s.CookieName, "not a cookie name (letters, digits, - and _)")
	}
	positive("Session.MaxAge", s.MaxAge)
	positive("Session.IdleTimeout", s.IdleTimeout)
	if s.IdleTimeout > s.MaxAge {
		bad("Session.IdleTimeout", time.Duration(s.IdleTimeout).String(), "must not be longer than Session.MaxAge")
	}
	checkSecret(bad, "Session.CookieAuthSecret", s.CookieAuthSecret, authKeyLen)
	checkSecret(bad, "Session.CookieEncrSecret", s.CookieEncrSecret, encrKeyLen)
	checkSecret(bad, "Session.OldCookieAuthSecret", s.OldCookieAuthSecret, authKeyLen)
	checkSecret(bad, "Session.OldCookieEncrSecret", s.OldCookieEncrSecret, encrKeyLen)
	if (s.OldCookieAuthSecret == "") != (s.OldCookieEncrSecret == "") {
		bad("Session.OldCookieEncrSecret", "(hidden)", "set both old keys or neither")
	}

	switch strings.ToLower(c.Logger.Level) {
	case "debug", "info", "warn", "error":
	default:
		bad("Logger.Level", c.Logger.Level, "want debug, info, warn or error")
	}
	if strings.TrimSpace(c.Database.Path) == "" {
		bad("Database.Path", "", "must not be empty")
	}
	checkURL(bad, "HIBP.BaseURL", c.HIBP.BaseURL)
	checkURL(bad, "HIBP.PasswordsURL", c.HIBP.PasswordsURL)
	if c.HIBP.CacheTTL < 0 {
		bad("HIBP.CacheTTL", c.HIBP.CacheTTL.Std().String(), "must be 0 (no cache) or a duration such as 24h")
	}
	if c.HIBP.RatePerMinute < 1 {
		bad("HIBP.RatePerMinute", strconv.Itoa(c.HIBP.RatePerMinute), "must be at least 1 (the key's requests per minute)")
	}
	if c.API.RangeRateLimit < 0 {
		bad("API.RangeRateLimit", strconv.Itoa(c.API.RangeRateLimit), "must be 0 (off) or a number of requests per minute")
	}
	if c.API.TokenRateLimit < 0 {
		bad("API.TokenRateLimit", strconv.Itoa(c.API.TokenRateLimit), "must be 0 (off) or a number of requests per minute")
	}
	if c.Metrics.Enabled && len(c.Metrics.Token) < MinMetricsTokenLen {
		bad("Metrics.Token", "(hidden)", fmt.Sprintf("must be a secret of at least %d characters when Metrics.Enabled is true (e.g. openssl rand -hex 32)", MinMetricsTokenLen))
	}
	if c.Import.MaxSize <= 0 {
		bad("Import.MaxSize", strconv.FormatInt(int64(c.Import.MaxSize), 10), "must be larger than zero")
	}
	c.Replica.validate(bad)
	return errors.Join(errs...)
}

func checkSecret(bad func(key, value, reason string), key, value string, size int) {
	if value == "" {
		return // generated into the secrets file at start
	}
	if _, err := decodeKey(value, size); err != nil {
		bad(key, "(hidden)", err.Error())
	}
}

func checkURL(bad func(key, value, reason string), key, value string) {
	u, err := url.Parse(value)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad(key, value, "not an http(s) URL")
	}
}

func validDomain(d string) bool {
	if d == "" || len(d) > 253 || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}

func validCookieName(n string) bool {
	if n == "" {
		return false
	}
	for _, r := range n {
		if !(r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func validHeaderName(n string) bool {
	return validCookieName(n) && !strings.Contains(n, "_")
}
