package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

func noEnv(string) (string, bool) { return "", false }

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// TestExampleDocumentsEveryKey keeps config.toml.example true: it parses
// into Config with no unknown key, names every key the code reads, puts a
// comment above each, and shows the defaults.
func TestExampleDocumentsEveryKey(t *testing.T) {
	const path = "../config.toml.example"
	var fromExample Config
	md, err := toml.DecodeFile(path, &fromExample)
	if err != nil {
		t.Fatal(err)
	}
	if extra := md.Undecoded(); len(extra) > 0 {
		t.Fatalf("keys in the example that the code does not read: %v", extra)
	}
	inExample := map[string]bool{}
	for _, k := range md.Keys() {
		inExample[k.String()] = true
	}
	for _, key := range KeyPaths() {
		if !inExample[key] {
			t.Errorf("config.toml.example does not document %s", key)
		}
	}
	if !reflect.DeepEqual(fromExample, Default()) {
		t.Errorf("the example's values differ from the defaults:\n%+v\nvs\n%+v", fromExample, Default())
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for i, line := range lines {
		if key, _, ok := strings.Cut(line, " = "); ok && !strings.HasPrefix(line, "#") {
			j := i - 1
			for j >= 0 && !strings.HasPrefix(lines[j], "#") && strings.Contains(lines[j], " = ") {
				j-- // keys documented together, like TLSCertPath and TLSKeyPath
			}
			if j < 0 || !strings.HasPrefix(lines[j], "#") {
				t.Errorf("config.toml.example line %d: %s has no comment above it", i+1, key)
			}
		}
	}
}

func TestDefaultsValidate(t *testing.T) {
	cfg := Default()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr() != "localhost:3000" || cfg.Database.Path != "pcmt.db" {
		t.Fatalf("defaults: %s, %s", cfg.Addr(), cfg.Database.Path)
	}
}

func TestLoadOrder(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.toml")
	write(t, file, "Port = 4000\nHost = \"0.0.0.0\"\n[Database]\nPath = \"from-file.db\"\n[HTTP]\nTimeout = \"5s\"\n")
	cfg, src, err := Load(file, envOf(map[string]string{
		"PCMT_DATABASE_PATH":       "from-env.db",
		"PCMT_HTTP_TRUSTEDPROXIES": "10.0.0.1, 192.168.0.0/16",
		"PCMT_IMPORT_MAXSIZE":      "1GiB",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if src.File != file || cfg.Port != 4000 || cfg.Host != "0.0.0.0" {
		t.Fatalf("file values not read: %+v %s:%d", src, cfg.Host, cfg.Port)
	}
	if cfg.Database.Path != "from-env.db" {
		t.Fatalf("env did not win over the file: %s", cfg.Database.Path)
	}
	if cfg.HTTP.Timeout.Std() != 5*time.Second || cfg.Import.MaxSize != 1<<30 {
		t.Fatalf("typed values: %v %v", cfg.HTTP.Timeout, cfg.Import.MaxSize)
	}
	if !reflect.DeepEqual(cfg.HTTP.TrustedProxies, []string{"10.0.0.1", "192.168.0.0/16"}) {
		t.Fatalf("list from env: %q", cfg.HTTP.TrustedProxies)
	}
}

func TestLoadFileSelection(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if _, src, err := Load("", noEnv); err != nil || src.File != "" {
		t.Fatalf("no file at all must load the defaults: %+v %v", src, err)
	}
	if _, _, err := Load("missing.toml", noEnv); err == nil {
		t.Fatal("a named file that is missing must be an error")
	}
	if _, _, err := Load("", envOf(map[string]string{"PCMT_CONFIG": "missing.toml"})); err == nil {
		t.Fatal("PCMT_CONFIG naming a missing file must be an error")
	}
	write(t, "config.toml", "Port = 3100\n")
	cfg, src, err := Load("", noEnv)
	if err != nil || src.File != DefaultFile || cfg.Port != 3100 {
		t.Fatalf("./config.toml not read: %+v %v %d", src, err, cfg.Port)
	}
}

func TestLoadErrorsNameTheKey(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, file string
		env        map[string]string
		want       string
	}{
		{"unknown key", "Prot = 1\n", nil, "Prot"},
		{"unknown section key", "[HTTP]\nSecurity = true\n", nil, "HTTP.Security"},
		{"syntax", "Port = \n", nil, "line 1"},
		{"wrong type", "Port = \"x\"\n", nil, "Port"},
		{"bad duration", "[Session]\nMaxAge = \"forever\"\n", nil, "forever"},
		{"bad env int", "", map[string]string{"PCMT_PORT": "eighty"}, "PCMT_PORT"},
		{"bad env bool", "", map[string]string{"PCMT_HTTP_SECURE": "yes please"}, "PCMT_HTTP_SECURE"},
		{"bad env size", "", map[string]string{"PCMT_IMPORT_MAXSIZE": "big"}, "PCMT_IMPORT_MAXSIZE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".toml")
			write(t, file, tc.file)
			_, _, err := Load(file, envOf(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v does not name %q", err, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*Config)
		key   string
		value string
	}{
		{"port", func(c *Config) { c.Port = 70000 }, "Port", "70000"},
		{"host", func(c *Config) { c.Host = " " }, "Host", " "},
		{"cert without key", func(c *Config) { c.HTTP.TLSCertPath = "c.pem" }, "HTTP.TLSKeyPath", ""},
		{"autotls without domain", func(c *Config) { c.HTTP.AutoTLS = true }, "HTTP.Domain", ""},
		{"autotls and cert", func(c *Config) {
			c.HTTP.AutoTLS, c.HTTP.Domain, c.HTTP.TLSCertPath, c.HTTP.TLSKeyPath = true, "pcmt.example", "c", "k"
		}, "HTTP.AutoTLS", "true"},
		{"domain", func(c *Config) { c.HTTP.Domain = "not a domain" }, "HTTP.Domain", "not a domain"},
		{"sign-up without mail", func(c *Config) { c.Registration.Allowed = true }, "Registration.Allowed", "true"},
		{"proxy", func(c *Config) { c.HTTP.TrustedProxies = []string{"10.0.0.300"} }, "HTTP.TrustedProxies", "10.0.0.300"},
		{"rate", func(c *Config) { c.HTTP.RateLimit = -1 }, "HTTP.RateLimit", "-1"},
		{"csp", func(c *Config) { c.HTTP.ContentSecurityPolicy = "" }, "HTTP.ContentSecurityPolicy", ""},
		{"body limit", func(c *Config) { c.HTTP.BodyLimit = 10 }, "HTTP.BodyLimit", "10"},
		{"mailer protocol", func(c *Config) {
			c.Mailer.Enabled, c.Mailer.Protocol, c.Mailer.SMTPHost, c.Mailer.From = true, "pigeon", "mx", "a@b"
		}, "Mailer.Protocol", "pigeon"},
		{"mailer host", func(c *Config) { c.Mailer.Enabled, c.Mailer.From = true, "a@b" }, "Mailer.SMTPHost", ""},
		{"cookie name", func(c *Config) { c.Session.CookieName = "a b" }, "Session.CookieName", "a b"},
		{"idle above max", func(c *Config) { c.Session.IdleTimeout = Duration(30 * 24 * time.Hour) }, "Session.IdleTimeout", "720h0m0s"},
		{"short secret", func(c *Config) { c.Session.CookieAuthSecret = "c2hvcnQ=" }, "Session.CookieAuthSecret", "(hidden)"},
		{"log level", func(c *Config) { c.Logger.Level = "loud" }, "Logger.Level", "loud"},
		{"database", func(c *Config) { c.Database.Path = "" }, "Database.Path", ""},
		{"hibp url", func(c *Config) { c.HIBP.BaseURL = "ftp://x" }, "HIBP.BaseURL", "ftp://x"},
		{"max size", func(c *Config) { c.Import.MaxSize = 0 }, "Import.MaxSize", "0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Default()
			tc.edit(&cfg)
			err := cfg.Validate()
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("want a *config.Error, got %v", err)
			}
			if ce.Key != tc.key || ce.Value != tc.value {
				t.Fatalf("error names %s = %q, want %s = %q (%v)", ce.Key, ce.Value, tc.key, tc.value, err)
			}
			if !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("message %q does not name the key", err)
			}
		})
	}
}

func TestSecretsGeneratedOnceAndPrivate(t *testing.T) {
	cfg := Default()
	cfg.Database.Path = filepath.Join(t.TempDir(), "pcmt.db")
	first, err := cfg.LoadKeys()
	if err != nil {
		t.Fatal(err)
	}
	if len(first.CookieAuth) != 64 || len(first.CookieEncr) != 32 || len(first.Audit) != 32 || len(first.Monitor) != 32 {
		t.Fatalf("key sizes %d, %d, %d, %d", len(first.CookieAuth), len(first.CookieEncr), len(first.Audit), len(first.Monitor))
	}
	info, err := os.Stat(cfg.SecretsPath())
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("secrets file mode %04o, want 0600", info.Mode().Perm())
	}
	again, err := cfg.LoadKeys()
	if err != nil || !reflect.DeepEqual(first, again) {
		t.Fatalf("keys changed between starts: %v", err)
	}

	// A configured secret wins over the file and is never written to it.
	cfg.Session.CookieEncrSecret = newKey(32)
	k, err := cfg.LoadKeys()
	if err != nil || reflect.DeepEqual(k.CookieEncr, first.CookieEncr) {
		t.Fatalf("configured secret not used: %v", err)
	}
	data, _ := os.ReadFile(cfg.SecretsPath())
	if strings.Contains(string(data), cfg.Session.CookieEncrSecret) {
		t.Fatal("a configured secret was copied into the secrets file")
	}

	if err := os.Chmod(cfg.SecretsPath(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.LoadKeys(); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a world-readable secrets file must be refused, got %v", err)
	}
}

// TestMonitorSecretAddedToAnOlderFile: a secrets file written before the
// watchlist existed gains a MonitorSecret at the next start and keeps the
// rest.
func TestMonitorSecretAddedToAnOlderFile(t *testing.T) {
	cfg := Default()
	cfg.Database.Path = filepath.Join(t.TempDir(), "pcmt.db")
	old := Secrets{CookieAuthSecret: newKey(64), CookieEncrSecret: newKey(32), AuditSecret: newKey(32)}
	if err := writeSecrets(cfg.SecretsPath(), old); err != nil {
		t.Fatal(err)
	}
	k, err := cfg.LoadKeys()
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Monitor) != 32 {
		t.Fatalf("monitor key of %d bytes", len(k.Monitor))
	}
	saved, err := LoadSecretsFile(cfg.SecretsPath())
	if err != nil {
		t.Fatal(err)
	}
	if saved.AuditSecret != old.AuditSecret || saved.CookieAuthSecret != old.CookieAuthSecret || saved.MonitorSecret == "" {
		t.Fatalf("secrets file after the upgrade: %+v", saved)
	}
}

func TestSizesAndDurations(t *testing.T) {
	for in, want := range map[string]ByteSize{"4MiB": 4 << 20, "10GiB": 10 << 30, "512": 512, "2KB": 2000, " 1 TiB ": 1 << 40} {
		var s ByteSize
		if err := s.UnmarshalText([]byte(in)); err != nil || s != want {
			t.Errorf("size %q = %d, %v; want %d", in, s, err, want)
		}
	}
	for _, bad := range []string{"", "-1", "1.5GiB", "GiB", "99999999999TiB"} {
		var s ByteSize
		if err := s.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("size %q accepted as %d", bad, s)
		}
	}
	var d Duration
	if err := d.UnmarshalText([]byte("7d")); err != nil || d.Std() != 7*24*time.Hour {
		t.Errorf("7d = %v, %v", d, err)
	}
	if err := d.UnmarshalText([]byte("soon")); err == nil {
		t.Error("duration \"soon\" accepted")
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestByteSizeHuman(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB",
		10 << 30: "10.0 GiB", 3 << 50: "3.0 PiB", 1<<63 - 1: "8.0 EiB"} {
		if got := ByteSize(n).Human(); got != want {
			t.Errorf("ByteSize(%d).Human() = %q, want %q", n, got, want)
		}
	}
}
