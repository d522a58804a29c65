package routes

import (
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"pcmt/store"
	"pcmt/store/storetest"
)

// BenchmarkSearchPartial serves the htmx search partial (an account
// search) to a signed-in user through the app's fasthttp handler, against
// one breach: the code path of bench/search.sh without sockets.
func BenchmarkSearchPartial(b *testing.B) {
	a := newTestApp(b, nil)
	storetest.ImportRecords(b, a.h.store, store.Breach{Name: "Forum", Title: "Forum"}, store.RecordEmail, emailDigest("ann@example.org"))
	_, s := a.newMember("alice", "correct horse battery")
	_, _, token := s.page("/search")
	handler := a.app.Handler()
	var req fasthttp.Request
	req.Header.SetMethod(http.MethodPost)
	req.SetRequestURI("/search")
	for name, c := range s.cookies {
		req.Header.SetCookie(name, c.Value)
	}
	req.Header.Set("X-CSRF-Token", token)
	req.Header.Set("HX-Request", "true")
	req.Header.SetContentType("application/x-www-form-urlencoded")
	req.SetBodyString("type=account&q=ann%40example.org")
	var ctx fasthttp.RequestCtx
	ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}, nil)
	handler(&ctx)
	if ctx.Response.StatusCode() != 200 || !strings.Contains(string(ctx.Response.Body()), "search-hit") {
		b.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
	}
	b.ReportAllocs()
	for b.Loop() {
		ctx.Response.Reset()
		ctx.ResetUserValues()
		handler(&ctx)
	}
}
