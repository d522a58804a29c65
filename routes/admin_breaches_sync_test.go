package routes

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"pcmt/breach"
	"pcmt/hibp"
	"pcmt/hibp/hibptest"
	"pcmt/store"
)

// syncTestSpace is the ranges the sync of these tests covers.
const syncTestSpace = 200

// syncWorld is an app whose admins can sync from a local upstream, with the
// admin "boss" signed in.
type syncWorld struct {
	*adminWorld
	up     *hibptest.Server
	corpus *hibptest.Corpus
	syncer *breach.Syncer
}

func newSyncWorld(t *testing.T) *syncWorld {
	t.Helper()
	d, logs := testDeps(t, nil)
	corpus := hibptest.Generate(hibp.ModeSHA1, 31, syncTestSpace, 25)
	up, err := hibptest.Start("127.0.0.1:0", corpus)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { up.Close() })
	f, err := hibp.NewRangeFetcher(hibp.RangeFetcherOptions{URL: up.URL, Connections: 4, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	s := &breach.Syncer{Store: d.Store, Fetcher: f, Log: d.Log, Workers: 4, Batch: 16, Every: 10 * time.Millisecond, Space: syncTestSpace}
	syncs := breach.NewSyncJobs(s, d.Log)
	t.Cleanup(syncs.Close)
	d.Syncs = syncs
	app, h, err := newApp(d)
	if err != nil {
		t.Fatal(err)
	}
	a := &testApp{t: t, app: app, h: h, log: logs, deps: d}
	w := &adminWorld{testApp: a, boss: a.addUser("boss", store.RoleAdmin, bossPassword, false), admin: a.session()}
	if resp := w.admin.signIn("boss", bossPassword); location(resp) != "/admin/users" {
		t.Fatalf("admin sign-in: %d → %s", resp.StatusCode, location(resp))
	}
	return &syncWorld{adminWorld: w, up: up, corpus: corpus, syncer: s}
}

func (w *syncWorld) waitForJob(id int64) store.ImportJob {
	w.t.Helper()
	return (&uploadWorld{adminWorld: w.adminWorld}).waitForJob(id)
}

// TestAdminSyncsCorpus: the button starts a sync in the background and
// sends the admin to its page, which follows it to the end; /range then
// answers every range exactly as upstream does.
func TestAdminSyncsCorpus(t *testing.T) {
	w := newSyncWorld(t)
	_, doc, _ := w.admin.page("/admin/breaches")
	if doc.Find(`form#sync-form[action="/admin/breaches/sync"] button`).Text() != "Sync passwords from Have I Been Pwned" ||
		doc.Find(`[data-testid="sync-url"]`).Text() != w.up.URL {
		t.Fatalf("no sync form on the overview: %q", doc.Find(`[data-testid="sync"]`).Text())
	}
	if r, _ := w.get("/range/00001"); r.StatusCode != http.StatusOK {
		t.Fatalf("/range before the sync: %d", r.StatusCode)
	}

	resp, _ := w.admin.post("/admin/breaches", "/admin/breaches/sync", url.Values{"mode": {"sha1"}})
	m := jobPathRE.FindStringSubmatch(location(resp))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("start: %d → %q", resp.StatusCode, location(resp))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	j := w.waitForJob(id)
	if j.State != store.JobDone || !j.IsSync() || j.Origin != "web" || j.CreatedBy != w.boss.ID {
		t.Fatalf("job %+v", j)
	}
	_, doc, _ = w.admin.page(location(resp))
	if got := doc.Find(`[data-testid="job-ranges"]`).Text(); got != "200 of 200 (100 %)" {
		t.Fatalf("ranges on the job page: %q", got)
	}
	if got := doc.Find(`[data-testid="job-fetched"]`).Text(); got != "200" || doc.Find(`[data-testid="job-source"]`).Text() != w.up.URL {
		t.Fatalf("job page: fetched %q, source %q", got, doc.Find(`[data-testid="job-source"]`).Text())
	}
	if doc.Find(`[data-testid="job-panel"][hx-trigger]`).Length() != 0 || !strings.Contains(doc.Find(`[data-testid="job-summary"]`).Text(), "200 fetched") {
		t.Fatalf("finished panel: %q", doc.Find(`[data-testid="job-panel"]`).Text())
	}
	for p := range uint32(syncTestSpace) {
		r, body := w.get(fmt.Sprintf("/range/%05X", p))
		if r.StatusCode != http.StatusOK || body != string(w.corpus.Answer(p)) {
			t.Fatalf("/range/%05X answers %d %q, upstream %q", p, r.StatusCode, body, w.corpus.Answer(p))
		}
	}
	if acts, _ := w.h.store.AdminActions(context.Background(), 5); len(acts) == 0 || acts[0].Event != store.EventCorpusSync {
		t.Fatalf("admin actions %+v", acts)
	}
}

// TestAdminSyncOneAtATime: while a sync runs the overview follows it live,
// and a second is refused beside the button with the running one named,
// whether it was started here or by `pcmt corpus sync`.
func TestAdminSyncOneAtATime(t *testing.T) {
	w := newSyncWorld(t)
	w.up.SetDelay(30 * time.Millisecond)
	resp, _ := w.admin.post("/admin/breaches", "/admin/breaches/sync", url.Values{"mode": {"sha1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d", resp.StatusCode)
	}
	_, doc, _ := w.admin.page("/admin/breaches")
	panel := doc.Find(`[data-testid="sync"] [data-testid="job-panel"]`)
	if trigger, _ := panel.Attr("hx-trigger"); trigger != "every 1s" || panel.AttrOr("data-state", "") != "running" {
		t.Fatalf("the overview does not follow the running sync: %q", panel.Text())
	}
	resp, body := w.admin.post("/admin/breaches", "/admin/breaches/sync", url.Values{"mode": {"ntlm"}})
	msg := parseHTML(t, body).Find(`#sync-form [data-testid="form-error"]`).Text()
	if resp.StatusCode != http.StatusConflict || !strings.Contains(msg, "A sync is running already") || !strings.Contains(msg, "these pages") {
		t.Fatalf("second sync: %d %q", resp.StatusCode, msg)
	}
	w.up.SetDelay(0)
	jobs, _ := w.h.store.ImportJobs(context.Background(), 5)
	if len(jobs) != 1 {
		t.Fatalf("%d jobs, want the one sync", len(jobs))
	}
	w.waitForJob(jobs[0].ID)

	// A command-line sync of another process, alive on this host.
	host, _ := os.Hostname()
	_, _, err := w.h.store.BeginPwnedSync(context.Background(), store.PwnedSyncClaim{Origin: "cli", Mode: store.PwnedNTLM,
		URL: w.up.URL, Name: "cli sync", Ranges: syncTestSpace, PID: os.Getppid(), Host: host},
		func(store.ImportJob) bool { return false }, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, body = w.admin.post("/admin/breaches", "/admin/breaches/sync", url.Values{"mode": {"sha1"}})
	msg = parseHTML(t, body).Find(`#sync-form [data-testid="form-error"]`).Text()
	if resp.StatusCode != http.StatusConflict || !strings.Contains(msg, "the command line") {
		t.Fatalf("sync while the command line syncs: %d %q", resp.StatusCode, msg)
	}
}

// TestAdminSyncForm: a mode that is neither is refused beside the field;
// a server without syncs has no button and answers 404.
func TestAdminSyncForm(t *testing.T) {
	w := newSyncWorld(t)
	resp, body := w.admin.post("/admin/breaches", "/admin/breaches/sync", url.Values{"mode": {"md5"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || parseHTML(t, body).Find(`#sync-mode-error`).Text() != "Choose SHA-1 or NTLM." {
		t.Fatalf("bad mode: %d", resp.StatusCode)
	}
	if jobs, _ := w.h.store.ImportJobs(context.Background(), 5); len(jobs) != 0 {
		t.Fatalf("a refused form started %d jobs", len(jobs))
	}

	off := newAdminWorld(t)
	_, doc, _ := off.admin.page("/admin/breaches")
	if doc.Find(`[data-testid="sync"]`).Length() != 0 {
		t.Fatal("a sync form on a server without syncs")
	}
	if resp, _ := off.admin.post("/admin/breaches", "/admin/breaches/sync", url.Values{"mode": {"sha1"}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("sync without syncs: %d", resp.StatusCode)
	}
}
