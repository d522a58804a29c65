package routes

import (
	"net"
	"testing"

	"github.com/valyala/fasthttp"
)

// newRequestCtx is a bare fasthttp request from remote, for calling
// middleware and helpers directly.
func newRequestCtx(t *testing.T, method, uri, remote string) *fasthttp.RequestCtx {
	t.Helper()
	addr, err := net.ResolveTCPAddr("tcp", remote)
	if err != nil {
		t.Fatal(err)
	}
	var req fasthttp.Request
	req.Header.SetMethod(method)
	req.SetRequestURI(uri)
	ctx := &fasthttp.RequestCtx{}
	ctx.Init(&req, addr, nil)
	return ctx
}
