package rangeapi

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"
)

// scribble overwrites its buffer when closed, as a buffer put back in a
// pool and reused would be.
type scribble []byte

func (s scribble) Close() error {
	for i := range s {
		s[i] = '!'
	}
	return nil
}

// answerRange hands its buffer to fasthttp without a copy and relies on
// fasthttp closing the request's user values only after the response is
// written. This pins that order for the fasthttp in go.mod, for single and
// pipelined requests and an answer larger than the connection's buffers.
func TestUserValuesCloseAfterTheResponse(t *testing.T) {
	want := strings.Repeat("0123456789ABCDEF", 4096) // 64 KiB
	ln := fasthttputil.NewInmemoryListener()
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		buf := []byte(want)
		ctx.Response.SetBodyRaw(buf)
		ctx.SetUserValue(rangeBufKey{}, scribble(buf))
	}}
	go srv.Serve(ln) //nolint:errcheck // ends with the listener
	t.Cleanup(func() { ln.Close() })

	conn, err := ln.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	for _, pipelined := range []int{1, 3, 1} {
		req := strings.Repeat("GET /range/21BD1 HTTP/1.1\r\nHost: pcmt\r\n\r\n", pipelined)
		if _, err := io.WriteString(conn, req); err != nil {
			t.Fatal(err)
		}
		for range pipelined {
			resp, err := http.ReadResponse(r, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, []byte(want)) {
				t.Fatalf("%d pipelined: the body was changed before it was written (%d bytes of %q…)", pipelined, len(got), got[:min(len(got), 32)])
			}
		}
	}
}
