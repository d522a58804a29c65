package replica

import (
	"errors"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/benbjohnson/litestream/file"
	"github.com/benbjohnson/litestream/s3"

	"pcmt/config"
)

// The [Replica] keys reach Litestream's clients as the example documents
// them; nothing is sent anywhere to build a client.
func TestNewClient(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "from-aws-env")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "aws-env-secret")
	log := slog.New(slog.DiscardHandler)
	cfg := config.Replica{URL: "s3://pcmt-backups/prod/db", Endpoint: "https://minio.example.org:9000", Region: "eu-1",
		AccessKeyID: "from-config", SecretAccessKey: "config-secret"}
	c, err := NewClient("", cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	sc, ok := c.(*s3.ReplicaClient)
	if !ok {
		t.Fatalf("%T", c)
	}
	if sc.Bucket != "pcmt-backups" || sc.Path != "prod/db" || sc.Endpoint != "https://minio.example.org:9000" ||
		sc.Region != "eu-1" || !sc.ForcePathStyle || sc.AccessKeyID != "from-config" || sc.SecretAccessKey != "config-secret" {
		t.Fatalf("s3 client: bucket %q path %q endpoint %q region %q path-style %v key %q",
			sc.Bucket, sc.Path, sc.Endpoint, sc.Region, sc.ForcePathStyle, sc.AccessKeyID)
	}

	// Without keys in the configuration, the AWS variables.
	cfg.AccessKeyID, cfg.SecretAccessKey, cfg.Endpoint, cfg.Region = "", "", "", ""
	c, err = NewClient("", cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	if sc := c.(*s3.ReplicaClient); sc.AccessKeyID != "from-aws-env" || sc.SecretAccessKey != "aws-env-secret" || sc.Endpoint != "" {
		t.Fatalf("s3 client from the environment: key %q endpoint %q", sc.AccessKeyID, sc.Endpoint)
	}

	// A directory, relative to the working directory, or a file URL; a
	// target given (pcmt restore --replica) wins over the configuration.
	dir := t.TempDir()
	t.Chdir(dir)
	for target, want := range map[string]string{"replica": filepath.Join(dir, "replica"), "file:///srv/replica/": "/srv/replica"} {
		c, err := NewClient(target, cfg, log)
		if err != nil {
			t.Fatal(err)
		}
		fc, ok := c.(*file.ReplicaClient)
		if !ok || fc.Path() != want {
			t.Fatalf("%s: %T %v", target, c, c)
		}
	}
	if _, err := NewClient("", config.Replica{}, log); err == nil || !strings.Contains(err.Error(), "Replica.Path") {
		t.Fatalf("no replica: %v", err)
	}
}

func TestDescribeHidesSecrets(t *testing.T) {
	for in, want := range map[string]string{
		"s3://bucket/p?sseCustomerKey=c2VjcmV0": "s3://bucket/p",
		"s3://key:secret@bucket/p":              "s3://key:xxxxx@bucket/p",
		"/srv/replica":                          "/srv/replica",
	} {
		if got := config.DescribeReplica(in); got != want {
			t.Errorf("config.DescribeReplica(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzReplicaTarget: whatever --replica or Replica.URL holds, the checks
// and the clients never panic, an accepted URL gets the client of its
// scheme, and Describe never shows a password.
func FuzzReplicaTarget(f *testing.F) {
	for _, seed := range []string{"s3://bucket/path", "file:///srv/replica", "replica", "s3://k:pw@b/p",
		"s3:///x", "gs://b/p", "file://host/x", "s3://b/p?endpoint=http://minio:9000&region=x", "://", "%zz"} {
		f.Add(seed)
	}
	log := slog.New(slog.DiscardHandler)
	f.Fuzz(func(t *testing.T, target string) {
		scheme, err := config.CheckReplicaURL(target)
		c, cerr := NewClient(target, config.Replica{}, log)
		if err == nil && cerr == nil {
			if got := c.Type(); got != scheme {
				t.Fatalf("%q: scheme %s, client %s", target, scheme, got)
			}
		}
		if u, err := url.Parse(target); err == nil && u.User != nil {
			if pw, ok := u.User.Password(); ok && len(pw) > 3 && strings.Contains(config.DescribeReplica(target), ":"+pw+"@") {
				t.Fatalf("config.DescribeReplica(%q) shows the password", target)
			}
		}
	})
}

// TestRestoreNamesTheConfiguredReplica: with no target given, Restore uses
// the configuration's replica and names it in its errors.
func TestRestoreNamesTheConfiguredReplica(t *testing.T) {
	dir := t.TempDir()
	err := Restore(t.Context(), "", config.Replica{Path: dir}, filepath.Join(t.TempDir(), "restored.db"),
		slog.New(slog.DiscardHandler))
	if !errors.Is(err, ErrEmpty) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("restore from an empty configured replica: %v, want ErrEmpty naming %s", err, dir)
	}
}
