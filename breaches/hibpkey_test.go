package breaches_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"pcmt/breaches"
	"pcmt/hibp"
	"pcmt/store"
	"pcmt/store/storetest"
)

const (
	goodKey   = "0123456789abcdef0123456789ABCDEF"
	configKey = "ffffffffffffffffffffffffffffffff"
)

// withHIBP is a Service whose admin's key goes to a Have I Been Pwned
// client; the configuration has a key of its own.
func withHIBP(t *testing.T) (*store.Store, *breaches.Service, *hibp.Client) {
	t.Helper()
	client, err := hibp.New(hibp.Options{BaseURL: "http://127.0.0.1:9", PasswordsURL: "http://127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	st := newStore(t)
	return st, newService(st, breaches.Deps{HIBP: client, HIBPKey: configKey}), client
}

func TestCheckHIBPKey(t *testing.T) {
	for key, ok := range map[string]bool{
		goodKey:                            true,
		strings.ToLower(goodKey):           true,
		"":                                 false,
		goodKey[:31]:                       false,
		goodKey + "0":                      false,
		"0123456789abcdef0123456789abcdeg": false,
		" 123456789abcdef0123456789abcdef": false,
	} {
		err := breaches.CheckHIBPKey(key)
		var refused breaches.Refused
		if ok != (err == nil) || !ok && (!errors.As(err, &refused) || refused["api_key"] == "") {
			t.Errorf("%q: %v", key, err)
		}
	}
}

// TestSetHIBPKey: an admin's key is stored sealed, with a log entry naming
// its end, and used at once; removed, the configuration's is used again.
func TestSetHIBPKey(t *testing.T) {
	st, s, client := withHIBP(t)
	ctx := context.Background()
	if err := s.SetHIBPKey(ctx, admin, "not-a-key"); err == nil {
		t.Fatal("a bad key was stored")
	}
	if key, fromConfig, err := s.HIBPKeyInUse(ctx); key != configKey || !fromConfig || err != nil {
		t.Fatalf("key in use before: %q, from the configuration %v, %v", key, fromConfig, err)
	}
	unlogged(t, st)

	if err := s.SetHIBPKey(ctx, admin, goodKey); err != nil {
		t.Fatal(err)
	}
	raw, err := st.Setting(ctx, breaches.HIBPKeySetting)
	if err != nil || len(raw) == 0 || strings.Contains(strings.ToLower(string(raw)), "0123456789abcdef") {
		t.Fatalf("stored setting %q, %v", raw, err)
	}
	if key, fromConfig, err := s.HIBPKeyInUse(ctx); key != goodKey || fromConfig || err != nil || !client.HasKey() {
		t.Fatalf("key in use: %q, from the configuration %v, %v", key, fromConfig, err)
	}
	logged(t, st, admin, store.EventHIBPKeyChanged, "set, ending in CDEF")

	// A restart puts the stored key to use.
	again, err := hibp.New(hibp.Options{BaseURL: "http://127.0.0.1:9", PasswordsURL: "http://127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	if err := newService(st, breaches.Deps{HIBP: again}).LoadHIBPKey(ctx); err != nil || !again.HasKey() {
		t.Fatalf("restart: %v, key loaded %v", err, again.HasKey())
	}

	if err := s.RemoveHIBPKey(ctx, admin); err != nil {
		t.Fatal(err)
	}
	if key, fromConfig, _ := s.HIBPKeyInUse(ctx); key != configKey || !fromConfig {
		t.Fatalf("key in use after removal: %q", key)
	}
	if acts := log(t, st); len(acts) != 2 || acts[0].Event != store.EventHIBPKeyChanged || acts[0].Detail != "removed" {
		t.Fatalf("log after removal: %+v", acts)
	}
}

// TestSetHIBPKeyIsLogged: with the log refusing the entry, a key is
// neither stored nor used, and a stored one is neither removed nor put out
// of use.
func TestSetHIBPKeyIsLogged(t *testing.T) {
	ctx := context.Background()
	// No key anywhere yet.
	st, _, client := withHIBP(t)
	s := newService(st, breaches.Deps{HIBP: client})
	storetest.RefuseActivity(t, st, store.EventHIBPKeyChanged)
	if err := s.SetHIBPKey(ctx, admin, goodKey); err == nil {
		t.Fatal("the key was set with its log entry refused")
	}
	if key, err := s.StoredHIBPKey(ctx); key != "" || err != nil || client.HasKey() {
		t.Fatalf("stored key %q (%v), in use %v: want none", key, err, client.HasKey())
	}

	// A key stored before the log refuses.
	st, _, client = withHIBP(t)
	s = newService(st, breaches.Deps{HIBP: client})
	if err := s.SetHIBPKey(ctx, admin, goodKey); err != nil {
		t.Fatal(err)
	}
	storetest.RefuseActivity(t, st, store.EventHIBPKeyChanged)
	if err := s.SetHIBPKey(ctx, admin, "abcdefabcdefabcdefabcdefabcdef12"); err == nil {
		t.Fatal("a new key was set with its log entry refused")
	}
	if err := s.RemoveHIBPKey(ctx, admin); err == nil {
		t.Fatal("the key was removed with its log entry refused")
	}
	if key, err := s.StoredHIBPKey(ctx); key != goodKey || err != nil || !client.HasKey() {
		t.Fatalf("stored key %q (%v), in use %v: want the first kept", key, err, client.HasKey())
	}
}
