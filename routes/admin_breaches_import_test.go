package routes

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"pcmt/breach"
	"pcmt/config"
	"pcmt/store"
)

// uploadYAML is a small breach file of the SPEC's schema.
const uploadYAML = `---
name: Uploaded breach
time: 2022-04-23
isVerified: true
containsEmails: true
description: Came in through the form.
data:
  emails: [alice@example.org, null, bob@example.org]
`

// uploadWorld is an app with import jobs and the admin "boss" signed in.
type uploadWorld struct {
	*adminWorld
	jobs *breach.Jobs
}

func newUploadWorld(t *testing.T, maxSize int64, edits ...func(*config.Config)) *uploadWorld {
	t.Helper()
	d, logs := testDeps(t, func(c *config.Config) {
		for _, edit := range edits {
			edit(c)
		}
	})
	im := &breach.Importer{Store: d.Store, MaxSize: maxSize, Log: d.Log, TempDir: t.TempDir()}
	jobs, err := breach.NewJobs(im, filepath.Join(t.TempDir(), "uploads"), d.Log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(jobs.Close)
	d.Imports = jobs
	app, h, err := newApp(d)
	if err != nil {
		t.Fatal(err)
	}
	a := &testApp{t: t, app: app, h: h, log: logs, deps: d}
	w := &adminWorld{testApp: a, boss: a.addUser("boss", store.RoleAdmin, bossPassword, false), admin: a.session()}
	if resp := w.admin.signIn("boss", bossPassword); location(resp) != "/admin/users" {
		t.Fatalf("admin sign-in: %d → %s", resp.StatusCode, location(resp))
	}
	return &uploadWorld{adminWorld: w, jobs: jobs}
}

// multipartUpload builds the form as a browser sends it: the csrf field first
// (left out when token is ""), then the file, then the other fields.
func multipartUpload(t *testing.T, token, fileName string, content []byte, fields map[string]string) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if token != "" {
		_ = mw.WriteField("csrf", token)
	}
	if fileName != "" {
		fw, err := mw.CreateFormFile("file", fileName)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(content)
	}
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &b, mw.FormDataContentType()
}

// upload posts the form from this browser with the import page's token.
func (s *session) upload(fileName string, content []byte, fields map[string]string) (*http.Response, string) {
	s.app.t.Helper()
	_, _, token := s.page("/admin/breaches/import")
	return s.uploadWith(token, fileName, content, fields)
}

func (s *session) uploadWith(token, fileName string, content []byte, fields map[string]string) (*http.Response, string) {
	s.app.t.Helper()
	body, kind := multipartUpload(s.app.t.(*testing.T), token, fileName, content, fields)
	req := httptest.NewRequest(http.MethodPost, "/admin/breaches/import", body)
	req.Header.Set("Content-Type", kind)
	return s.do(req)
}

// uploadsLeft lists the files in the jobs' directory.
func (w *uploadWorld) uploadsLeft() []string {
	w.t.Helper()
	entries, err := os.ReadDir(w.jobs.Dir())
	if err != nil {
		w.t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// noJobs fails when a job was recorded.
func (w *uploadWorld) noJobs() {
	w.t.Helper()
	if jobs, _ := w.h.store.ImportJobs(context.Background(), 10); len(jobs) != 0 {
		w.t.Fatalf("%d jobs recorded", len(jobs))
	}
}

// waitForJob polls the job's row until it has finished, within a deadline.
func (w *uploadWorld) waitForJob(id int64) store.ImportJob {
	w.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		j, err := w.h.store.ImportJobByID(context.Background(), id)
		if err != nil {
			w.t.Fatal(err)
		}
		if j.Finished() {
			return j
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("job %d still %s after 15s", id, j.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var jobPathRE = regexp.MustCompile(`^/admin/breaches/jobs/([1-9][0-9]*)$`)

// TestUploadImportsYAML uploads a file larger than HTTP.BodyLimit: the
// upload alone streams past it.
func TestUploadImportsYAML(t *testing.T) {
	w := newUploadWorld(t, 1<<20, func(c *config.Config) { c.HTTP.BodyLimit = 1 << 10 })
	padded := uploadYAML + strings.Repeat("# padding past the body limit\n", 1000)
	status, doc, _ := w.admin.page("/admin/breaches/import")
	if status != http.StatusOK || !strings.Contains(doc.Find(`[data-testid="max-size"]`).Text(), "1.0 MiB") {
		t.Fatalf("form: %d, max size %q", status, doc.Find(`[data-testid="max-size"]`).Text())
	}
	if first, _ := doc.Find(`#import-form input`).First().Attr("name"); first != "csrf" {
		t.Fatalf("the form's first field is %q, not the token", first)
	}

	resp, _ := w.admin.upload("breach.yaml", []byte(padded), map[string]string{"format": "yaml"})
	m := jobPathRE.FindStringSubmatch(location(resp))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("upload: %d → %q", resp.StatusCode, location(resp))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	job := w.waitForJob(id)
	if job.State != store.JobDone || job.Origin != "web" || job.CreatedBy != w.boss.ID || job.FileName != "breach.yaml" {
		t.Fatalf("job %+v", job)
	}
	b, err := w.h.store.BreachByName(context.Background(), "Uploaded breach")
	if err != nil {
		t.Fatal(err)
	}
	if b.Emails != 2 || b.Records != 2 || !b.IsVerified {
		t.Fatalf("breach %+v", b)
	}

	// The finished page: the summary, and no more polling.
	resp, body := w.admin.do(newGet(location(resp)))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("job page: %d", resp.StatusCode)
	}
	doc = parseHTML(t, body)
	panel := doc.Find(`#job-panel`)
	if state, _ := panel.Attr("data-state"); state != "done" || panel.Find(`[data-testid="job-summary"]`).Length() != 1 {
		t.Fatalf("job panel: %q", panel.Text())
	}
	if _, polls := panel.Attr("hx-trigger"); polls {
		t.Fatal("a finished job's panel still polls")
	}
	if v, _ := panel.Find("progress").Attr("value"); v != "100" {
		t.Fatalf("progress %q", v)
	}

	// The upload is the job's and goes with it.
	deadline := time.Now().Add(5 * time.Second)
	for len(w.uploadsLeft()) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("uploads left after the job: %v", w.uploadsLeft())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestJobPanelPollsUntilFinished(t *testing.T) {
	w := newUploadWorld(t, 1<<20)
	ctx := context.Background()
	id, err := w.h.store.CreateImportJob(ctx, store.ImportJob{Origin: "web", FileName: "big.txt", FileSize: 4000,
		Path: "/nowhere/big.txt", State: store.JobQueued, Options: "{}"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.h.store.StartImportJob(ctx, id, "lines", 0, "", time.Now().Add(-2*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := w.h.store.ImportJobProgress(ctx, id, 1000, 500, 3, 1); err != nil {
		t.Fatal(err)
	}
	path := "/admin/breaches/jobs/" + strconv.FormatInt(id, 10)
	req := newGet(path)
	req.Header.Set("HX-Request", "true")
	resp, body := w.admin.do(req)
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "<html") {
		t.Fatalf("htmx poll: %d, whole page %v", resp.StatusCode, strings.Contains(body, "<html"))
	}
	panel := parseHTML(t, body).Find(`#job-panel`)
	get, _ := panel.Attr("hx-get")
	trigger, _ := panel.Attr("hx-trigger")
	if get != path || trigger != "every 1s" {
		t.Fatalf("running panel: hx-get %q, hx-trigger %q", get, trigger)
	}
	if v, _ := panel.Find("progress").Attr("value"); v != "25" {
		t.Fatalf("progress %q, want 25", v)
	}
	if got := panel.Find(`[data-testid="job-records"]`).Text(); got != "500" {
		t.Fatalf("records %q", got)
	}
	if panel.Find(`[data-testid="job-refresh"]`).Length() != 1 {
		t.Fatal("no refresh link for browsers without JavaScript")
	}

	if err := w.h.store.FinishImportJob(ctx, id, store.JobFailed, "big.txt: line 7: not an e-mail address", "", -1, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, body = w.admin.do(req)
	panel = parseHTML(t, body).Find(`#job-panel`)
	if _, polls := panel.Attr("hx-trigger"); polls {
		t.Fatal("a failed job's panel still polls")
	}
	if got := panel.Find(`[data-testid="job-error"]`).Text(); got != "big.txt: line 7: not an e-mail address" {
		t.Fatalf("error shown: %q", got)
	}
	for _, p := range []string{"/admin/breaches/jobs/0", "/admin/breaches/jobs/x", "/admin/breaches/jobs/" + strconv.FormatInt(id+1, 10)} {
		if resp, _ := w.admin.do(newGet(p)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, resp.StatusCode)
		}
	}
}

func TestUploadTooLarge(t *testing.T) {
	w := newUploadWorld(t, 1<<10)
	resp, body := w.admin.upload("big.yaml", bytes.Repeat([]byte("a"), 4<<10), nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
	if msg := parseHTML(t, body).Find(`[data-testid="file-error"]`).Text(); !strings.Contains(msg, "larger than the import limit of 1.0 KiB") {
		t.Fatalf("message %q", msg)
	}
	if left := w.uploadsLeft(); len(left) != 0 {
		t.Fatalf("files left: %v", left)
	}
	w.noJobs()

	// Announced by its length, it is refused before any of it is read.
	body2, kind := multipartUpload(t, "ignored", "big.yaml", bytes.Repeat([]byte("a"), 4<<20), nil)
	req := httptest.NewRequest(http.MethodPost, "/admin/breaches/import", body2)
	req.Header.Set("Content-Type", kind)
	_, _, token := w.admin.page("/admin/breaches/import")
	req.Header.Set("X-CSRF-Token", token)
	if resp, _ := w.admin.do(req); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("announced: status %d, want 413", resp.StatusCode)
	}
	if left := w.uploadsLeft(); len(left) != 0 {
		t.Fatalf("files left: %v", left)
	}
}

func TestUploadNeedsCSRF(t *testing.T) {
	w := newUploadWorld(t, 1<<20)
	_, _, token := w.admin.page("/admin/breaches/import")
	for name, send := range map[string]func() (*http.Response, string){
		"no token": func() (*http.Response, string) { return w.admin.uploadWith("", "b.yaml", []byte(uploadYAML), nil) },
		"forged token": func() (*http.Response, string) {
			return w.admin.uploadWith("Zm9yZ2Vk", "b.yaml", []byte(uploadYAML), nil)
		},
		"token after the file": func() (*http.Response, string) {
			return w.admin.uploadWith("", "b.yaml", []byte(uploadYAML), map[string]string{"csrf": token})
		},
	} {
		resp, _ := send()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, resp.StatusCode)
		}
		if left := w.uploadsLeft(); len(left) != 0 {
			t.Fatalf("%s: files left: %v", name, left)
		}
	}
	w.noJobs()

	// A signed-in user with a valid token is refused too.
	_, member := w.newMember("ursula", "a quiet morning walk")
	_, _, userToken := member.page("/settings")
	if resp, _ := member.uploadWith(userToken, "b.yaml", []byte(uploadYAML), nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("member upload: %d, want 403", resp.StatusCode)
	}
	if left := w.uploadsLeft(); len(left) != 0 {
		t.Fatalf("member: files left: %v", left)
	}
	w.noJobs()
}

func TestUploadFormErrors(t *testing.T) {
	w := newUploadWorld(t, 1<<20)
	for _, tc := range []struct {
		name   string
		file   string
		fields map[string]string
		field  string
	}{
		{"no file", "", map[string]string{"format": "yaml"}, "file"},
		{"empty file", "empty.txt", map[string]string{"format": "lines"}, "file"},
		{"unknown format", "b.yaml", map[string]string{"format": "csv"}, "format"},
		{"unknown kind", "list.txt", map[string]string{"format": "lines", "kind": "phones"}, "kind"},
		{"bad date", "list.txt", map[string]string{"format": "lines", "date": "23/04/2022"}, "date"},
	} {
		content := []byte("alice@example.org\nbob@example.org\n")
		if tc.name == "empty file" {
			content = nil
		}
		resp, body := w.admin.upload(tc.file, content, tc.fields)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", tc.name, resp.StatusCode)
			continue
		}
		doc := parseHTML(t, body)
		if doc.Find(`[data-testid="`+tc.field+`-error"]`).Length() != 1 {
			t.Errorf("%s: no message beside %s", tc.name, tc.field)
		}
		for k, v := range tc.fields {
			if k == "date" {
				if got, _ := doc.Find(`#import-date`).Attr("value"); got != v {
					t.Errorf("%s: the date typed is lost: %q", tc.name, got)
				}
			}
		}
		if left := w.uploadsLeft(); len(left) != 0 {
			t.Fatalf("%s: files left: %v", tc.name, left)
		}
	}
	w.noJobs()

	// Not a multipart form at all.
	resp, _ := w.admin.post("/admin/breaches/import", "/admin/breaches/import", nil)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a plain form: %d, want 422", resp.StatusCode)
	}
}

func TestUploadNameIsSafe(t *testing.T) {
	for in, want := range map[string]string{
		"breach.yaml":            "breach.yaml",
		"":                       "upload",
		"a\x00b\nc.txt":          "abc.txt",
		"dir/evil.txt":           "direvil.txt",
		strings.Repeat("é", 300): strings.Repeat("é", 255),
	} {
		if got := uploadName(in); got != want {
			t.Errorf("uploadName(%q) = %q, want %q", in, got, want)
		}
	}
}
