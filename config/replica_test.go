package config

import (
	"errors"
	"strings"
	"testing"
)

func TestReplicaValidate(t *testing.T) {
	on := func(edit func(*Replica)) func(*Config) {
		return func(c *Config) { c.Replica.Enabled = true; edit(&c.Replica) }
	}
	for _, tc := range []struct {
		name  string
		edit  func(*Config)
		key   string
		value string
	}{
		{"no target", on(func(r *Replica) {}), "Replica.Path", ""},
		{"two targets", on(func(r *Replica) { r.Path, r.URL = "/srv/replica", "s3://b/p" }), "Replica.URL", "s3://b/p"},
		{"unknown scheme", on(func(r *Replica) { r.URL = "gs://bucket/p" }), "Replica.URL", "gs://bucket/p"},
		{"no bucket", on(func(r *Replica) { r.URL = "s3:///p" }), "Replica.URL", "s3:///p"},
		{"credentials in the URL", on(func(r *Replica) { r.URL = "s3://key:secret@bucket/p" }), "Replica.URL", "s3://key:xxxxx@bucket/p"},
		{"relative file URL", on(func(r *Replica) { r.URL = "file://replica" }), "Replica.URL", "file://replica"},
		{"endpoint", on(func(r *Replica) { r.URL, r.Endpoint = "s3://b/p", "minio:9000" }), "Replica.Endpoint", "minio:9000"},
		{"endpoint of a directory", on(func(r *Replica) { r.Path, r.Endpoint = "/srv/r", "https://s3.example.org" }), "Replica.Endpoint", "https://s3.example.org"},
		{"key without secret", on(func(r *Replica) { r.URL, r.AccessKeyID = "s3://b/p", "AKIA" }), "Replica.SecretAccessKey", "(hidden)"},
		{"secret without key", on(func(r *Replica) { r.URL, r.SecretAccessKey = "s3://b/p", "shh" }), "Replica.SecretAccessKey", "(hidden)"},
		{"sync interval", on(func(r *Replica) { r.Path, r.SyncInterval = "/srv/r", 0 }), "Replica.SyncInterval", "0s"},
		{"snapshot interval", on(func(r *Replica) { r.Path, r.SnapshotInterval = "/srv/r", -1 }), "Replica.SnapshotInterval", "-1ns"},
		{"retention", on(func(r *Replica) { r.Path, r.Retention = "/srv/r", 0 }), "Replica.Retention", "0s"},
		// The target is checked with replication off too: pcmt restore uses it.
		{"off but wrong", func(c *Config) { c.Replica.URL = "ftp://x/y" }, "Replica.URL", "ftp://x/y"},
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
			if strings.Contains(err.Error(), "secret@") || strings.Contains(err.Error(), "shh") {
				t.Fatalf("a secret was shown: %v", err)
			}
		})
	}

	for _, r := range []Replica{
		{Enabled: true, Path: "replica"},
		{Enabled: true, URL: "file:///srv/replica"},
		{Enabled: true, URL: "s3://bucket/pcmt", Region: "eu-west-1"},
		{Enabled: true, URL: "s3://bucket/pcmt", Endpoint: "https://minio.example.org:9000", AccessKeyID: "k", SecretAccessKey: "s"},
		{Endpoint: "https://r2.example.org"}, // for pcmt restore --replica
	} {
		cfg := Default()
		r.SyncInterval, r.SnapshotInterval, r.Retention = cfg.Replica.SyncInterval, cfg.Replica.SnapshotInterval, cfg.Replica.Retention
		cfg.Replica = r
		if err := cfg.Validate(); err != nil {
			t.Errorf("%+v: %v", r, err)
		}
	}
}

// The S3 secret can stay out of the file: every key has its variable.
func TestReplicaSecretFromTheEnvironment(t *testing.T) {
	cfg, _, err := Load("", envOf(map[string]string{
		"PCMT_REPLICA_ENABLED":         "true",
		"PCMT_REPLICA_URL":             "s3://bucket/pcmt",
		"PCMT_REPLICA_ACCESSKEYID":     "AKIAEXAMPLE",
		"PCMT_REPLICA_SECRETACCESSKEY": "from-the-environment",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.Replica.SecretAccessKey != "from-the-environment" || cfg.Replica.Target() != "s3://bucket/pcmt" {
		t.Fatalf("%+v", cfg.Replica)
	}
}
