package routes

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"pcmt/config"
)

func TestStaticCaching(t *testing.T) {
	a := newTestApp(t, nil)
	hashed := a.h.assets.Current().URL("htmx.min.js")

	resp, body := a.get(hashed)
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Fatalf("hashed asset: %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/javascript; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	if len(body) < 1000 {
		t.Fatalf("htmx body is %d bytes", len(body))
	}

	resp, _ = a.get("/static/htmx.min.js")
	if resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("plain asset name: Cache-Control %q, want no-cache", resp.Header.Get("Cache-Control"))
	}
	etag := resp.Header.Get("ETag")
	req := httptest.NewRequest("GET", "/static/htmx.min.js", nil)
	req.Header.Set("If-None-Match", etag)
	if resp, body := a.do(req); resp.StatusCode != http.StatusNotModified || body != "" {
		t.Fatalf("revalidation: %d with %d bytes", resp.StatusCode, len(body))
	}
	if resp, _ := a.get("/static/..%2fgo.mod"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("path outside the assets: %d", resp.StatusCode)
	}
}

func TestStaticGzip(t *testing.T) {
	a := newTestApp(t, nil)
	css := a.h.assets.Current().URL("app.css")
	_, plain := a.get(css)

	req := httptest.NewRequest("GET", css, nil)
	req.Header.Set("Accept-Encoding", "br, gzip;q=0.8")
	resp, zipped := a.do(req)
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("Content-Encoding %q, Vary %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(bytes.NewReader([]byte(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if string(unzipped) != plain || len(zipped) >= len(plain) {
		t.Fatalf("gzip body: %d bytes for %d plain, equal=%v", len(zipped), len(plain), string(unzipped) == plain)
	}

	req = httptest.NewRequest("GET", css, nil)
	req.Header.Set("Accept-Encoding", "gzip;q=0.0, identity")
	if resp, _ := a.do(req); resp.Header.Get("Content-Encoding") != "" {
		t.Fatal("gzip sent to a client that refused it")
	}

	off := newTestApp(t, func(c *config.Config) { c.HTTP.Gzip = false })
	req = httptest.NewRequest("GET", css, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	if resp, _ := off.do(req); resp.Header.Get("Content-Encoding") != "" {
		t.Fatal("gzip sent with HTTP.Gzip off")
	}
}

func TestPagesLinkHashedAssets(t *testing.T) {
	a := newTestApp(t, nil)
	_, body := a.get("/")
	doc := parseHTML(t, body)
	set := a.h.assets.Current()
	for sel, name := range map[string]string{
		`link[rel="stylesheet"]`: "app.css",
		`script[src]`:            "htmx.min.js",
	} {
		attr := "href"
		if name == "htmx.min.js" {
			attr = "src"
		}
		got, _ := doc.Find(sel).Attr(attr)
		if got != set.URL(name) || got == "/static/"+name {
			t.Errorf("%s %s = %q, want the hashed %q", sel, attr, got, set.URL(name))
		}
		if resp, _ := a.get(got); resp.StatusCode != 200 {
			t.Errorf("%s answers %d", got, resp.StatusCode)
		}
	}
}
