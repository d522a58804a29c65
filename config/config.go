// Package config turns config.toml, PCMT_* environment variables and command
// line flags into one validated Config.
package config

import "time"

// Config is everything the program reads from its configuration. Field names
// are the TOML keys; env names are PCMT_ plus the upper-cased key path joined
// by underscores (Database.Path → PCMT_DATABASE_PATH).
type Config struct {
	Host         string
	Port         int
	HTTP         HTTP
	Mailer       Mailer
	LiveMode     bool
	DevelMode    bool
	AppPath      string
	Session      Session
	Logger       Logger
	Init         Init
	Registration Registration
	Database     Database
	HIBP         HIBP
	Import       Import
	API          API
	Metrics      Metrics
	Replica      Replica
}

// HTTP holds the listener, TLS and response-hardening settings.
type HTTP struct {
	Domain                string
	Secure                bool
	AutoTLS               bool
	TLSCertPath           string
	TLSKeyPath            string
	RedirectPort          int
	HSTSMaxAge            Duration
	ContentSecurityPolicy string
	RateLimit             int
	Gzip                  bool
	Timeout               Duration
	IdleTimeout           Duration
	BodyLimit             ByteSize
	TrustedProxies        []string
	ProxyHeader           string
}

// Mailer holds the outgoing SMTP settings.
type Mailer struct {
	Enabled       bool
	Protocol      string
	SMTPHost      string
	SMTPPort      int
	AuthUsername  string
	AuthPassword  string
	From          string
	SubjectPrefix string
	SendPlainText bool
}

// Session holds the cookie and lifetime settings of signed-in sessions.
type Session struct {
	CookieName       string
	CookieAuthSecret string
	CookieEncrSecret string
	// OldCookieAuthSecret and OldCookieEncrSecret are the previous keys
	// while they are being rotated out: cookies made with them still work.
	OldCookieAuthSecret string
	OldCookieEncrSecret string
	MaxAge              Duration
	IdleTimeout         Duration
}

// Logger says how the program logs.
type Logger struct {
	JSON  bool
	Level string
}

// Init says what happens on the first start of an empty database.
type Init struct {
	CreateAdmin   bool
	AdminPassword string
}

// Registration says whether anyone may sign up.
type Registration struct {
	Allowed bool
}

// Database names the SQLite file.
type Database struct {
	Path string
}

// HIBP holds the Have I Been Pwned client settings.
type HIBP struct {
	// Enabled lets the instance ask Have I Been Pwned at all: off, it
	// never contacts the internet on its own and works on its own data
	// only. A corpus sync, which an admin asks for, fetches from
	// PasswordsURL either way.
	Enabled      bool
	APIKey       string
	BaseURL      string
	PasswordsURL string
	CacheTTL     Duration
	// RatePerMinute is the API key's rate (HIBP sells several); requests
	// are spaced so that it is never exceeded.
	RatePerMinute int
}

// API holds the settings of the self-hosted range API and the token APIs.
type API struct {
	// RangeRequiresToken makes /range answer only requests with a personal
	// API token; by default it is anonymous, like the public API.
	RangeRequiresToken bool
	// RangeRateLimit bounds /range requests per minute of one client IP
	// (0: off); the rest of the app has HTTP.RateLimit.
	RangeRateLimit int
	// TokenRateLimit bounds the requests per minute of one personal API
	// token (0: off); over it the API answers 429 with retry-after.
	TokenRateLimit int
}

// Metrics says whether /metrics serves Prometheus metrics, and the bearer
// token a scraper must send: they are operational figures, never user
// data, but still nobody else's business.
type Metrics struct {
	Enabled bool
	Token   string
}

// MinMetricsTokenLen is the shortest Metrics.Token accepted.
const MinMetricsTokenLen = 32

// Replica streams every change of the database to a replica (Litestream,
// built in), from which pcmt restore brings it back.
type Replica struct {
	Enabled bool
	// Path is a replica in a directory (a mounted disk, another machine's
	// share); URL one in an S3-compatible bucket (s3://bucket/path) or a
	// directory (file:///path). One or the other.
	Path string
	URL  string
	// Endpoint and Region locate an S3-compatible service other than AWS.
	Endpoint string
	Region   string
	// AccessKeyID and SecretAccessKey sign S3 requests; empty, the AWS_*
	// variables or the machine's role are used.
	AccessKeyID     string
	SecretAccessKey string
	// SyncInterval is how often changes are sent: at most this much is
	// lost with the machine.
	SyncInterval Duration
	// SnapshotInterval is how often a full snapshot is made, Retention how
	// long older snapshots and changes are kept.
	SnapshotInterval Duration
	Retention        Duration
}

// Target is where the replica lives, as a URL or a directory path;
// empty when none is configured.
func (r Replica) Target() string {
	if r.URL != "" {
		return r.URL
	}
	return r.Path
}

// Import bounds breach imports.
type Import struct {
	MaxSize ByteSize
}

// DefaultCSP is the Content-Security-Policy sent when the config names none.
const DefaultCSP = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// Default returns the configuration used when no file and no variable say
// otherwise: localhost:3000 with pcmt.db in the working directory.
func Default() Config {
	return Config{
		Host: "localhost",
		Port: 3000,
		HTTP: HTTP{
			RedirectPort:          80,
			HSTSMaxAge:            Duration(365 * 24 * time.Hour),
			ContentSecurityPolicy: DefaultCSP,
			RateLimit:             300,
			Gzip:                  true,
			Timeout:               Duration(30 * time.Second),
			IdleTimeout:           Duration(120 * time.Second),
			BodyLimit:             4 << 20,
			TrustedProxies:        []string{},
			ProxyHeader:           "X-Forwarded-For",
		},
		Mailer: Mailer{
			Protocol:      "starttls",
			SMTPPort:      587,
			SubjectPrefix: "[pcmt]",
			SendPlainText: true,
		},
		AppPath: ".",
		Session: Session{
			CookieName:  "pcmt_session",
			MaxAge:      Duration(7 * 24 * time.Hour),
			IdleTimeout: Duration(12 * time.Hour),
		},
		Logger:   Logger{Level: "info"},
		Init:     Init{CreateAdmin: true},
		Database: Database{Path: "pcmt.db"},
		HIBP: HIBP{
			BaseURL:       "https://haveibeenpwned.com/api/v3",
			PasswordsURL:  "https://api.pwnedpasswords.com",
			CacheTTL:      Duration(24 * time.Hour),
			RatePerMinute: 10,
		},
		Import: Import{MaxSize: 10 << 30},
		API:    API{RangeRateLimit: 1200, TokenRateLimit: 60},
		Replica: Replica{
			SyncInterval:     Duration(time.Second),
			SnapshotInterval: Duration(24 * time.Hour),
			Retention:        Duration(24 * time.Hour),
		},
	}
}

// Addr is the host:port the main listener binds.
func (c *Config) Addr() string {
	return joinHostPort(c.Host, c.Port)
}

// TLS reports whether the main listener serves HTTPS.
func (c *Config) TLS() bool {
	return c.HTTP.AutoTLS || c.HTTP.TLSCertPath != ""
}

// SecureCookies reports whether cookies must carry Secure and the __Host-
// prefix: the app is served over TLS itself or behind a TLS proxy.
func (c *Config) SecureCookies() bool {
	return c.TLS() || c.HTTP.Secure
}
