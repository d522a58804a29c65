package routes

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"pcmt/store"
)

// serve runs the app on a loopback socket until the test ends and returns
// its base URL.
func (a *testApp) serve() string {
	a.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.app.Listener(ln) }()
	a.t.Cleanup(func() {
		if err := a.app.ShutdownWithTimeout(5 * time.Second); err != nil {
			a.t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			a.t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// gzipped is p compressed with gzip.
func gzipped(t *testing.T, p []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	if _, err := w.Write(p); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// gzipBomb is gzip of prefix, n zero bytes and suffix, streamed through
// the compressor: a few MB that expand to n bytes.
func gzipBomb(t *testing.T, prefix string, n int64, suffix string) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := gzip.NewWriterLevel(&out, gzip.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	_, err = io.WriteString(w, prefix)
	for ; err == nil && n > 0; n -= int64(len(zeros)) {
		_, err = w.Write(zeros[:min(n, int64(len(zeros)))])
	}
	if err == nil {
		_, err = io.WriteString(w, suffix)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// memSys is the memory the process has taken from the system. The runtime
// never lowers it, so it shows the peak of whatever ran in between.
func memSys() int64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.Sys)
}

// watchMemory returns how much memory the process took while fn ran, and
// ends the process once that passes bound: a server expanding a bomb would
// go on to take all the machine's memory, and nothing else could stop it.
func watchMemory(bound int64, fn func()) int64 {
	base := memSys()
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if grown := memSys() - base; grown > bound {
					panic(fmt.Sprintf("memory grew by %d MiB, past %d MiB, while the server read a compressed body", grown>>20, bound>>20))
				}
			}
		}
	}()
	fn()
	close(done)
	return memSys() - base
}

// TestCompressedBodiesRefused sends gzip bombs over a real socket: an
// anonymous multipart form whose csrf field, which checkCSRF reads, expands
// to 2 GiB, and the same gzipped once more to the API, which would undo both
// layers. Each is refused with 415 before anything expands it, and the
// server's memory stays flat.
func TestCompressedBodiesRefused(t *testing.T) {
	const (
		expanded = 2 << 30
		bound    = 100 << 20
	)
	a := newTestApp(t, nil)
	u, _ := a.newMember("carol", "a long passphrase")
	token := storeToken(t, a, u.ID, time.Hour, store.ScopeWatchlistWrite)
	base := a.serve()

	const boundary = "b0mb"
	form := gzipBomb(t, "--"+boundary+"\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n", expanded, "\r\n--"+boundary+"--\r\n")
	if len(form) >= int(a.h.cfg.HTTP.BodyLimit) {
		t.Fatalf("the bomb is %d bytes, past the body limit", len(form))
	}
	twice := gzipped(t, form)
	secret := make([]byte, csrfSecretLen)
	_, _ = rand.Read(secret)
	client := &http.Client{Timeout: time.Minute}

	for _, tc := range []struct {
		name, path, encoding string
		body                 []byte
		header               map[string]string
	}{
		{"multipart form to checkCSRF", "/signin", "gzip", form, map[string]string{
			"Content-Type": "multipart/form-data; boundary=" + boundary,
			// Any well-formed secret makes checkCSRF read the form.
			"Cookie": "pcmt_csrf=" + base64.RawURLEncoding.EncodeToString(secret),
		}},
		{"stacked encodings to the API", "/api/v1/watchlist", "gzip, gzip", twice, map[string]string{
			"Content-Type":  "application/json",
			"Authorization": "Bearer " + token,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, base+tc.path, bytes.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			req.Header.Set("Content-Encoding", tc.encoding)
			var (
				resp *http.Response
				body []byte
			)
			grown := watchMemory(bound, func() {
				if resp, err = client.Do(req); err == nil {
					body, err = io.ReadAll(resp.Body)
					resp.Body.Close()
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d bytes sent, memory grew by %d MiB", len(tc.body), grown>>20)
			if grown > bound {
				t.Errorf("memory grew by %d MiB, past %d MiB", grown>>20, bound>>20)
			}
			if resp.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(string(body), "compressed") {
				t.Errorf("answer %d, want 415 saying why: %.300s", resp.StatusCode, body)
			}
		})
	}
}

// TestOnlyIdentityBodiesPass checks the refusal on every kind of route and
// every way of writing the header: all lines count, and identity alone
// passes.
func TestOnlyIdentityBodiesPass(t *testing.T) {
	a := newTestApp(t, nil)
	u, _ := a.newMember("carol", "a long passphrase")
	token := storeToken(t, a, u.ID, time.Hour, store.ScopeWatchlistWrite)
	json := []byte(`{"value": "someone@example.org"}`)
	for _, tc := range []struct {
		name      string
		path      string
		encodings []string
		body      []byte
		want      int
	}{
		{"identity", "/api/v1/watchlist", []string{"identity"}, json, http.StatusCreated},
		{"gzip to the API", "/api/v1/watchlist", []string{"gzip"}, gzipped(t, json), http.StatusUnsupportedMediaType},
		{"deflate", "/api/v1/watchlist", []string{"deflate"}, json, http.StatusUnsupportedMediaType},
		{"br", "/api/v1/watchlist", []string{"br"}, json, http.StatusUnsupportedMediaType},
		{"upper case", "/api/v1/watchlist", []string{"GZIP"}, json, http.StatusUnsupportedMediaType},
		{"unknown", "/api/v1/watchlist", []string{"x-pack"}, json, http.StatusUnsupportedMediaType},
		{"identity then gzip", "/api/v1/watchlist", []string{"identity, gzip"}, json, http.StatusUnsupportedMediaType},
		{"second line", "/api/v1/watchlist", []string{"identity", "gzip"}, json, http.StatusUnsupportedMediaType},
		{"first line", "/api/v1/watchlist", []string{"gzip", "identity"}, json, http.StatusUnsupportedMediaType},
		{"a form", "/signin", []string{"gzip"}, gzipped(t, []byte("username=a&password=b")), http.StatusUnsupportedMediaType},
		{"an upload", uploadPath, []string{"gzip"}, gzipped(t, []byte("--x\r\n")), http.StatusUnsupportedMediaType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, tc.path, bytes.NewReader(tc.body))
			req.Header.Set("Authorization", "Bearer "+token)
			switch tc.path {
			case "/api/v1/watchlist":
				req.Header.Set("Content-Type", "application/json")
			case uploadPath:
				req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
			default:
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			for _, e := range tc.encodings {
				req.Header.Add("Content-Encoding", e)
			}
			resp, body := a.do(req)
			if resp.StatusCode != tc.want {
				t.Fatalf("%d, want %d: %.300s", resp.StatusCode, tc.want, body)
			}
		})
	}
}

// FuzzContentEncoding holds refuseEncodedBody's parser against Fiber's:
// whatever Content-Encoding lines it lets through, Fiber's c.Body() must
// hand over the body as sent, never expanded.
func FuzzContentEncoding(f *testing.F) {
	for _, s := range []string{"", "identity", "gzip", "gzip, gzip", "identity\ngzip", " Identity ,\t", "br", "deflate", "gzip,", ",gzip", "identity, identity"} {
		f.Add(s)
	}
	raw := gzipped(&testing.T{}, bytes.Repeat([]byte("expand "), 1000))
	app := fiber.New()
	f.Fuzz(func(t *testing.T, header string) {
		lines := strings.Split(header, "\n")
		var req fasthttp.Request
		req.Header.SetMethod(fiber.MethodPost)
		for _, l := range lines {
			req.Header.Add(fiber.HeaderContentEncoding, l)
		}
		req.SetBody(raw)
		fctx := &fasthttp.RequestCtx{}
		fctx.Init(&req, nil, nil)
		c := app.AcquireCtx(fctx)
		defer app.ReleaseCtx(c)
		if !identityOnly(req.Header.PeekAll(fiber.HeaderContentEncoding)) {
			return
		}
		if body := c.Body(); len(body) > len(raw) {
			t.Fatalf("Content-Encoding %q passes, and Fiber expands the body to %d bytes", lines, len(body))
		}
	})
}
