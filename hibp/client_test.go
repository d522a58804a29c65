package hibp_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"pcmt/apperr"
	"pcmt/hibp"
)

// newClient builds a client of f with a fast rate; change adjusts the
// options.
func newClient(t *testing.T, f *fake, change func(*hibp.Options)) *hibp.Client {
	t.Helper()
	opts := hibp.Options{APIKey: testKey, BaseURL: f.baseURL(), PasswordsURL: f.passwordsURL(),
		UserAgent: testUserAgent, MinInterval: time.Millisecond}
	if change != nil {
		change(&opts)
	}
	c, err := hibp.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestBreachedAccount(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	c := newClient(t, f, nil)

	got, err := c.BreachedAccount(ctx, testUser, "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Name != "Adobe" || got[1].Name != "LinkedIn" || got[2].Name != "Collection1" {
		t.Fatalf("breaches: %+v", got)
	}
	adobe := got[0]
	if adobe.Title != "Adobe" || adobe.Domain != "adobe.com" || adobe.PwnCount != 152445165 ||
		!adobe.BreachDate.Equal(time.Date(2013, 10, 4, 0, 0, 0, 0, time.UTC)) ||
		!adobe.AddedDate.Equal(time.Date(2013, 12, 4, 0, 0, 0, 0, time.UTC)) ||
		!adobe.ModifiedDate.Equal(time.Date(2022, 5, 15, 23, 52, 49, 0, time.UTC)) ||
		len(adobe.DataClasses) != 4 || adobe.DataClasses[1] != "Password hints" ||
		!adobe.IsVerified || adobe.IsFabricated || adobe.IsStealerLog ||
		adobe.LogoPath != "https://logos.haveibeenpwned.com/Adobe.png" || !strings.Contains(adobe.Description, "<em>encrypted</em>") {
		t.Fatalf("Adobe: %+v", adobe)
	}

	// Not pwned: no breaches and no error.
	none, err := c.BreachedAccount(ctx, testUser, "nobody@example.com")
	if err != nil || none == nil || len(none) != 0 {
		t.Fatalf("not pwned: %v %v", none, err)
	}
	if n := f.count("breachedaccount"); n != 2 {
		t.Fatalf("requests: %d", n)
	}
	if _, err := c.BreachedAccount(ctx, testUser, "  "); !errors.Is(err, hibp.ErrNoAccount) || f.count("breachedaccount") != 2 {
		t.Fatalf("empty account: %v", err)
	}
}

func TestWithoutKeyNoRequest(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	c := newClient(t, f, func(o *hibp.Options) { o.APIKey = "" })
	if c.HasKey() {
		t.Fatal("HasKey without a key")
	}
	if _, err := c.BreachedAccount(ctx, testUser, "alice@example.com"); !errors.Is(err, hibp.ErrNoKey) {
		t.Fatalf("breachedaccount: %v", err)
	}
	if err := c.TestKey(ctx); !errors.Is(err, hibp.ErrNoKey) {
		t.Fatalf("test key: %v", err)
	}
	if n := f.count("breachedaccount") + f.count("subscription"); n != 0 {
		t.Fatalf("%d requests without a key", n)
	}
	// The free endpoints still work.
	if bs, err := c.Breaches(ctx); err != nil || len(bs) != 2 {
		t.Fatalf("breaches: %v %v", bs, err)
	}
}

func TestBreachesAndBreach(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	c := newClient(t, f, nil)
	all, err := c.Breaches(ctx)
	if err != nil || len(all) != 2 || all[1].Name != "LinkedIn" || all[1].PwnCount != 164611595 {
		t.Fatalf("breaches: %+v %v", all, err)
	}
	b, err := c.Breach(ctx, "Collection1")
	if err != nil || b.Title != "Collection #1" || b.Domain != "" || b.IsVerified {
		t.Fatalf("breach: %+v %v", b, err)
	}
	if _, err := c.Breach(ctx, "NoSuchBreach"); !errors.Is(err, hibp.ErrNotFound) || !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("unknown breach: %v", err)
	}
}

func TestTestKey(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	if err := newClient(t, f, nil).TestKey(ctx); err != nil {
		t.Fatalf("good key: %v", err)
	}
	bad := newClient(t, f, func(o *hibp.Options) { o.APIKey = "wrong-key-0000" })
	err := bad.TestKey(ctx)
	if !errors.Is(err, hibp.ErrBadKey) {
		t.Fatalf("bad key: %v", err)
	}
	if _, err := bad.BreachedAccount(ctx, testUser, "alice@example.com"); !errors.Is(err, hibp.ErrBadKey) ||
		strings.Contains(err.Error(), "wrong-key") || strings.Contains(err.Error(), "alice") {
		t.Fatalf("bad key, breachedaccount: %v", err)
	}
}

// Errors name the endpoint, never the URL, key or account.
func TestErrorsHideSearchAndKey(t *testing.T) {
	ctx := context.Background()
	const account = "alice@example.com"
	check := func(name string, err error, want error) {
		t.Helper()
		if err == nil || (want != nil && !errors.Is(err, want)) {
			t.Fatalf("%s: %v, want %v", name, err, want)
		}
		for _, secret := range []string{account, "alice", testKey, "/breachedaccount/"} {
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("%s: error %q shows %q", name, err, secret)
			}
		}
		if !strings.Contains(err.Error(), "breachedaccount") {
			t.Fatalf("%s: error %q does not name the endpoint", name, err)
		}
	}

	f := newFake(t)
	_, err := newClient(t, f, func(o *hibp.Options) { o.UserAgent = "" }).BreachedAccount(ctx, testUser, account)
	check("no user agent", err, hibp.ErrForbidden) // the default "pcmt" is not the fake's

	f.set(func(f *fake) { f.override = http.StatusServiceUnavailable })
	_, err = newClient(t, f, nil).BreachedAccount(ctx, testUser, account)
	check("503", err, hibp.ErrUnavailable)
	var se *hibp.StatusError
	if !errors.As(err, &se) || se.Status != 503 || !strings.Contains(err.Error(), "503") {
		t.Fatalf("503: %v", err)
	}

	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`[{"Name": "Adobe", "BreachDate": "yesterday"}]`))
	}))
	defer bad.Close()
	_, err = newClient(t, f, func(o *hibp.Options) { o.BaseURL = bad.URL }).BreachedAccount(ctx, testUser, account)
	check("bad JSON", err, nil)

	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("[", 1<<20))
		for range 17 {
			_, _ = w.Write(chunk)
		}
	}))
	defer huge.Close()
	_, err = newClient(t, f, func(o *hibp.Options) { o.BaseURL = huge.URL }).BreachedAccount(ctx, testUser, account)
	check("too large", err, nil)

	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	_, err = newClient(t, f, func(o *hibp.Options) { o.BaseURL = gone.URL }).BreachedAccount(ctx, testUser, account)
	check("connection refused", err, nil)
}

func TestNewChecksOptions(t *testing.T) {
	for name, o := range map[string]hibp.Options{
		"not a URL":      {BaseURL: "haveibeenpwned.com"},
		"ftp":            {PasswordsURL: "ftp://example.com"},
		"negative rate":  {RatePerMinute: -1},
		"negative ttl":   {CacheTTL: -time.Second},
		"negative pause": {MaxRetryWait: -time.Second},
	} {
		if _, err := hibp.New(o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := hibp.New(hibp.Options{}); err != nil {
		t.Fatalf("defaults: %v", err)
	}
}
