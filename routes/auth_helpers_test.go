package routes

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"

	"pcmt/store"
)

// addUser creates an account with password directly in the store.
func (a *testApp) addUser(name string, role store.Role, password string, mustChange bool) *store.User {
	a.t.Helper()
	hash, err := a.deps.Hasher.Hash(context.Background(), password)
	if err != nil {
		a.t.Fatal(err)
	}
	u := &store.User{Username: name, Email: name + "@example.org", PasswordHash: hash, Role: role, MustChangePassword: mustChange}
	if err := a.h.store.CreateUser(context.Background(), u); err != nil {
		a.t.Fatal(err)
	}
	return u
}

// signIn posts the sign-in form from this browser.
func (s *session) signIn(login, password string) *http.Response {
	s.app.t.Helper()
	_, _, token := s.page("/signin")
	resp, _ := s.postForm("/signin", url.Values{"csrf": {token}, "username": {login}, "password": {password}})
	return resp
}

// post sends a form with this browser's CSRF token, taken from page.
func (s *session) post(page, path string, form url.Values) (*http.Response, string) {
	s.app.t.Helper()
	_, _, token := s.page(page)
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", token)
	return s.postForm(path, form)
}

// changePassword changes the password through the settings form.
func (s *session) changePassword(current, next string) *http.Response {
	s.app.t.Helper()
	resp, _ := s.post("/settings/password", "/settings/password", url.Values{
		"current_password": {current}, "new_password": {next}, "new_password_confirm": {next},
	})
	return resp
}

// newMember creates a user who has set their own password (and so has a
// key) and returns a browser signed in as them.
func (a *testApp) newMember(name, password string) (*store.User, *session) {
	a.t.Helper()
	u := a.addUser(name, store.RoleUser, "temporary "+password, true)
	s := a.session()
	if resp := s.signIn(name, "temporary "+password); resp.StatusCode != http.StatusSeeOther {
		a.t.Fatalf("sign in %s: %d", name, resp.StatusCode)
	}
	if resp := s.changePassword("temporary "+password, password); resp.StatusCode != http.StatusSeeOther {
		a.t.Fatalf("first password change of %s: %d", name, resp.StatusCode)
	}
	u, err := a.h.store.User(context.Background(), u.ID)
	if err != nil {
		a.t.Fatal(err)
	}
	return u, s
}

// location is where a response redirects to.
func location(resp *http.Response) string { return resp.Header.Get("Location") }

func httptestGet(path string) *http.Request { return httptest.NewRequest(http.MethodGet, path, nil) }

// postFormWithToken posts form from this browser with a fresh token from the
// sign-in page.
func (s *session) postFormWithToken(path string, form url.Values) (*http.Response, string) {
	s.app.t.Helper()
	return s.post("/signin", path, form)
}
