package routes

import (
	"net"
	"net/http"
	"testing"

	"github.com/valyala/fasthttp"
)

// BenchmarkSignedInPage serves /settings to a signed-in user through the
// app's fasthttp handler: the session lookup plus a small page.
func BenchmarkSignedInPage(b *testing.B) {
	a := newTestApp(b, nil)
	_, s := a.newMember("alice", "correct horse battery")
	cookie := s.cookies[a.h.cookies.session.name]
	handler := a.app.Handler()
	var req fasthttp.Request
	req.Header.SetMethod(http.MethodGet)
	req.SetRequestURI("/settings")
	req.Header.SetCookie(cookie.Name, cookie.Value)
	var ctx fasthttp.RequestCtx
	ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}, nil)
	handler(&ctx)
	if ctx.Response.StatusCode() != 200 {
		b.Fatalf("status %d", ctx.Response.StatusCode())
	}
	b.ReportAllocs()
	for b.Loop() {
		ctx.Response.Reset()
		ctx.ResetUserValues()
		handler(&ctx)
	}
}
