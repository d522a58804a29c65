package routes

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"pcmt/store"
)

func adminBreachPath(id int64) string { return "/admin/breaches/" + strconv.FormatInt(id, 10) }

func TestAdminBreachList(t *testing.T) {
	w := newAdminWorld(t)
	status, doc, _ := w.admin.page("/admin/breaches")
	if status != http.StatusOK || doc.Find(`[data-testid="no-breaches"]`).Length() != 1 || doc.Find(`[data-testid="no-jobs"]`).Length() != 1 {
		t.Fatalf("empty overview: %d", status)
	}
	addBreach(t, w.testApp, store.Breach{Name: "horrible", Title: "Horrible breach"}, breachEmails...)
	ctx := context.Background()
	if _, err := w.h.store.CreateImportJob(ctx, store.ImportJob{Origin: "web", FileName: "big.txt", FileSize: 1000,
		Path: "/nowhere/big.txt", State: store.JobQueued, Options: "{}"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, body := w.admin.do(newGet("/admin/breaches"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("overview: %d", resp.StatusCode)
	}
	noRecordsIn(t, body)
	doc = parseHTML(t, body)
	if got := doc.Find(`[data-testid="breach-row"] [data-testid="breach-records"]`).Text(); got != "3" {
		t.Fatalf("records column %q", got)
	}
	if got := doc.Find(`[data-testid="corpus-sha1"] [data-testid="corpus-hashes"]`).Text(); got != "0" {
		t.Fatalf("SHA-1 corpus %q", got)
	}
	job := doc.Find(`[data-testid="job-row"]`)
	if job.Length() != 1 || job.Find(`[data-testid="job-file"]`).Text() != "big.txt" || job.Find(`[data-testid="job-state"]`).Text() != "queued" {
		t.Fatalf("jobs: %q", job.Text())
	}
}

func TestAdminEditsBreach(t *testing.T) {
	w := newAdminWorld(t)
	id := addBreach(t, w.testApp, store.Breach{Name: "horrible", Title: "Horrible breach"}, breachEmails...)
	path := adminBreachPath(id)

	resp, body := w.admin.post(path, path, url.Values{"title": {"Renamed"}, "date": {"2022-13-40"},
		"domain": {"horrible.example"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid date: %d, want 422", resp.StatusCode)
	}
	doc := parseHTML(t, body)
	if msg := doc.Find(`#breach-date-error[data-testid="date-error"]`).Text(); !strings.Contains(msg, "2024-01-31") {
		t.Fatalf("no message beside the date field: %q", msg)
	}
	if v, _ := doc.Find(`#breach-title`).Attr("value"); v != "Renamed" {
		t.Fatalf("the refused form lost what was typed: title %q", v)
	}
	if b, _ := w.h.store.BreachByID(context.Background(), id); b.Title != "Horrible breach" {
		t.Fatalf("a refused form changed the breach: %q", b.Title)
	}

	resp, _ = w.admin.post(path, path, url.Values{"title": {"Renamed"}, "date": {"2022-04-23"}, "domain": {"Horrible.Example"},
		"verified": {"yes"}, "description": {"From a forum."}, "data_classes": {"Email addresses, Passwords,, Email addresses"}})
	if resp.StatusCode != http.StatusSeeOther || location(resp) != path {
		t.Fatalf("save: %d → %q", resp.StatusCode, location(resp))
	}
	b, err := w.h.store.BreachByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if b.Title != "Renamed" || b.Domain != "horrible.example" || !b.IsVerified || b.Description != "From a forum." ||
		b.Date.Format(time.DateOnly) != "2022-04-23" || strings.Join(b.DataClasses, "|") != "Email addresses|Passwords" {
		t.Fatalf("saved %+v", b)
	}
	_, doc, _ = w.admin.page(path)
	if doc.Find(`[data-testid="flash"]`).Text() != "Breach horrible is saved." {
		t.Fatalf("flash %q", doc.Find(`[data-testid="flash"]`).Text())
	}
	if v, _ := doc.Find(`#breach-data_classes`).Attr("value"); v != "Email addresses, Passwords" {
		t.Fatalf("data classes shown as %q", v)
	}
	if n, _ := w.h.store.RecordCount(context.Background(), id); n != 3 {
		t.Fatalf("editing changed the records: %d", n)
	}
}

func TestAdminDeletesBreach(t *testing.T) {
	w := newAdminWorld(t)
	id := addBreach(t, w.testApp, store.Breach{Name: "horrible"}, breachEmails...)
	keep := addBreach(t, w.testApp, store.Breach{Name: "other"}, breachEmails...)
	path := adminBreachPath(id)
	ctx := context.Background()

	for _, typed := range []string{"", "Horrible", "other"} {
		resp, body := w.admin.post(path, path+"/delete", url.Values{"confirm_name": {typed}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("confirmation %q: %d, want 422", typed, resp.StatusCode)
		}
		if parseHTML(t, body).Find(`#delete-confirm_name-error`).Length() != 1 {
			t.Fatalf("confirmation %q: no message beside the field", typed)
		}
		if _, err := w.h.store.BreachByID(ctx, id); err != nil {
			t.Fatalf("deleted without confirmation %q: %v", typed, err)
		}
	}

	resp, _ := w.admin.post(path, path+"/delete", url.Values{"confirm_name": {"horrible"}})
	if resp.StatusCode != http.StatusSeeOther || location(resp) != "/admin/breaches" {
		t.Fatalf("delete: %d → %q", resp.StatusCode, location(resp))
	}
	if _, err := w.h.store.BreachByID(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the breach is still there: %v", err)
	}
	if n, err := w.h.store.RecordCount(ctx, id); err != nil || n != 0 {
		t.Fatalf("%d records left (%v)", n, err)
	}
	if n, _ := w.h.store.RecordCount(ctx, keep); n != 3 {
		t.Fatalf("the other breach lost records: %d left", n)
	}
	_, doc, _ := w.admin.page("/admin/breaches")
	if !strings.Contains(doc.Find(`[data-testid="flash"]`).Text(), "horrible and its records are deleted") {
		t.Fatalf("flash %q", doc.Find(`[data-testid="flash"]`).Text())
	}
	if resp, _ := w.admin.do(newGet(path)); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the deleted breach's page: %d", resp.StatusCode)
	}
	// The audit trail keeps who deleted what.
	_, audit, _ := w.admin.page("/admin/audit")
	if text := audit.Find("main").Text(); !strings.Contains(text, "Breach deleted") || !strings.Contains(text, "horrible (") {
		t.Fatalf("the audit log does not show the deletion:\n%s", text)
	}
}
