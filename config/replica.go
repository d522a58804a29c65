package config

import (
	"errors"
	"net/url"
	"time"
)

// validate checks the [Replica] keys. The target is checked whenever
// it is set, since pcmt restore reads it with replication off too; that
// there is one only when replication is on.
func (r Replica) validate(bad func(key, value, reason string)) {
	if r.Enabled && r.Path == "" && r.URL == "" {
		bad("Replica.Path", "", "set Replica.Path (a directory) or Replica.URL (s3://bucket/path) when Replica.Enabled is true")
	}
	if r.Path != "" && r.URL != "" {
		bad("Replica.URL", r.URL, "conflicts with Replica.Path: set one or the other")
	}
	s3 := false
	if r.URL != "" {
		scheme, err := CheckReplicaURL(r.URL)
		if err != nil {
			bad("Replica.URL", DescribeReplica(r.URL), err.Error())
		}
		s3 = scheme == "s3"
	}
	if !s3 {
		for _, k := range []struct{ key, value string }{
			{"Replica.Endpoint", r.Endpoint}, {"Replica.Region", r.Region}, {"Replica.AccessKeyID", r.AccessKeyID},
		} {
			if k.value != "" && (r.Path != "" || r.URL != "") {
				bad(k.key, k.value, "only for an s3:// Replica.URL")
			}
		}
	}
	if r.Endpoint != "" {
		checkURL(bad, "Replica.Endpoint", r.Endpoint)
	}
	if (r.AccessKeyID == "") != (r.SecretAccessKey == "") {
		bad("Replica.SecretAccessKey", "(hidden)", "set both Replica.AccessKeyID and Replica.SecretAccessKey, or neither (then AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the machine's role, are used)")
	}
	for _, d := range []struct {
		key   string
		value Duration
	}{{"Replica.SyncInterval", r.SyncInterval}, {"Replica.SnapshotInterval", r.SnapshotInterval}, {"Replica.Retention", r.Retention}} {
		if d.value <= 0 {
			bad(d.key, time.Duration(d.value).String(), "must be longer than zero")
		}
	}
}

// CheckReplicaURL returns the scheme of a replica URL, s3 or file, or what
// is wrong with it.
func CheckReplicaURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("not a URL: want s3://bucket/path or file:///directory")
	}
	switch u.Scheme {
	case "s3":
		if u.Host == "" {
			return "", errors.New("names no bucket: want s3://bucket/path")
		}
		if u.User != nil {
			return "", errors.New("carries credentials: set Replica.AccessKeyID and Replica.SecretAccessKey instead")
		}
	case "file":
		if u.Host != "" || u.Path == "" || u.Path == "/" {
			return "", errors.New("names no directory: want file:///absolute/directory")
		}
	default:
		return "", errors.New("want s3://bucket/path or file:///directory")
	}
	return u.Scheme, nil
}

// DescribeReplica is a replica target as it may be logged or shown: without
// a password or a query, which may carry keys.
func DescribeReplica(target string) string {
	u, err := url.Parse(target)
	if err != nil || u.Scheme == "" {
		return target
	}
	u.RawQuery = ""
	return u.Redacted()
}
