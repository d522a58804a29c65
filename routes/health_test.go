package routes

import (
	"context"
	"path/filepath"
	"testing"

	"pcmt/store/storetest"
)

func TestHealthAndReadiness(t *testing.T) {
	a := newTestApp(t, nil)
	if resp, body := a.get("/healthz"); resp.StatusCode != 200 || body != "ok\n" {
		t.Fatalf("healthz: %d %q", resp.StatusCode, body)
	}
	if resp, body := a.get("/readyz"); resp.StatusCode != 200 || body != "ready\n" {
		t.Fatalf("readyz: %d %q", resp.StatusCode, body)
	}
}

func TestNotReadyBeforeMigrations(t *testing.T) {
	d, _ := testDeps(t, nil)
	d.Store = storetest.Open(t, filepath.Join(t.TempDir(), "empty.db"))
	app, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	a := &testApp{t: t, app: app}
	if resp, body := a.get("/readyz"); resp.StatusCode != 503 || body != "not ready: migrations are pending\n" {
		t.Fatalf("readyz on an unmigrated database: %d %q", resp.StatusCode, body)
	}
	if _, err := d.Store.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if resp, _ := a.get("/readyz"); resp.StatusCode != 200 {
		t.Fatalf("readyz after migrating: %d", resp.StatusCode)
	}
	if resp, _ := a.get("/healthz"); resp.StatusCode != 200 {
		t.Fatal("healthz must not depend on the database")
	}
}

func TestNotReadyWhenDatabaseGone(t *testing.T) {
	d, _ := testDeps(t, nil)
	app, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Store.Close(); err != nil {
		t.Fatal(err)
	}
	a := &testApp{t: t, app: app}
	if resp, body := a.get("/readyz"); resp.StatusCode != 503 || body != "not ready: the database does not answer\n" {
		t.Fatalf("readyz with the database closed: %d %q", resp.StatusCode, body)
	}
}
