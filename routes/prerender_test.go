package routes

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"pcmt/views"
)

// TestPrerenderedHomeIsTheRenderedHome: the landing page written from its
// pieces is byte for byte the page rendered afresh with the same token.
func TestPrerenderedHomeIsTheRenderedHome(t *testing.T) {
	a := newTestApp(t, nil)
	tokens := map[string]bool{}
	for range 3 {
		s := a.session()
		code, doc, token := s.page("/")
		if code != 200 || token == "" || tokens[token] {
			t.Fatalf("status %d, token %q (repeated: %v)", code, token, tokens[token])
		}
		tokens[token] = true
		_, body := s.do(httptestGet("/"))
		_, _, second := s.page("/")
		if second == token {
			t.Fatal("two responses carry the same token bytes")
		}
		token = parseHTML(t, body).Find(`meta[name="csrf-token"]`).AttrOr("content", "")
		var want bytes.Buffer
		p := views.Page{Title: homeTitle, Path: "/", CSRF: token, Asset: a.h.assets.Current().URL}
		if err := views.Home(p).Render(context.Background(), &want); err != nil {
			t.Fatal(err)
		}
		if body != want.String() {
			t.Fatalf("prerendered page differs from the rendered one:\n%s\nvs\n%s", body, want.String())
		}
		if doc.Find(`[data-testid="signout"]`).Length() != 0 {
			t.Fatal("a visitor's page has a sign-out button")
		}
	}
}

func TestHomeIsRenderedForUsersAndFlashes(t *testing.T) {
	a := newTestApp(t, nil)
	_, s := a.newMember("alice", "correct horse battery")
	if _, doc, _ := s.page("/"); doc.Find(`[data-testid="signout"]`).Length() != 1 {
		t.Fatal("a signed-in user got the visitors' landing page")
	}
	s.post("/", "/signout", nil) // leaves a "signed out" flash
	resp, body := s.do(httptestGet("/"))
	if resp.StatusCode != http.StatusOK || parseHTML(t, body).Find(`[data-testid="flash"]`).Length() != 1 {
		t.Fatalf("the flash is lost on the landing page: %d", resp.StatusCode)
	}
}
