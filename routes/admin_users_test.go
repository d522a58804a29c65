package routes

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"pcmt/account"
	"pcmt/store"
)

const bossPassword = "the boss's own passphrase"

// adminWorld is an app with the admin "boss" signed in.
type adminWorld struct {
	*testApp
	boss  *store.User
	admin *session
}

func newAdminWorld(t *testing.T) *adminWorld {
	t.Helper()
	a := newTestApp(t, nil)
	w := &adminWorld{testApp: a, boss: a.addUser("boss", store.RoleAdmin, bossPassword, false), admin: a.session()}
	if resp := w.admin.signIn("boss", bossPassword); location(resp) != "/admin/users" {
		t.Fatalf("admin sign-in: %d → %s", resp.StatusCode, location(resp))
	}
	return w
}

func adminUserPath(id int64) string { return "/admin/users/" + strconv.FormatInt(id, 10) }

// act posts an action form of a user's page with the token of that page.
func (w *adminWorld) act(s *session, id int64, action string, form url.Values) (*http.Response, string) {
	w.t.Helper()
	return s.post(adminUserPath(id), adminUserPath(id)+"/"+action, form)
}

// reload reads a user back from the store.
func (w *adminWorld) reload(id int64) *store.User {
	w.t.Helper()
	u, err := w.h.store.User(context.Background(), id)
	if err != nil {
		w.t.Fatalf("user %d: %v", id, err)
	}
	return u
}

// logged reports whether userID's activity log has event with actorID as
// its actor.
func (w *adminWorld) logged(userID, actorID int64, event string) bool {
	w.t.Helper()
	evs, err := w.h.store.UserActivity(context.Background(), userID, 200)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, e := range evs {
		if e.Event == event && e.ActorID == actorID {
			return true
		}
	}
	return false
}

// manyUsers creates user01 … user<n> with one shared hash: hashing each
// would only slow the test.
func (w *adminWorld) manyUsers(n int) {
	w.t.Helper()
	hash, err := account.NewHasherCost(1, 64).Hash(context.Background(), "a shared test password")
	if err != nil {
		w.t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("user%02d", i)
		u := &store.User{Username: name, Email: name + "@list.example", PasswordHash: hash, Role: store.RoleUser}
		if err := w.h.store.CreateUser(context.Background(), u); err != nil {
			w.t.Fatal(err)
		}
	}
}

func TestAdminUserListSearchAndPaging(t *testing.T) {
	w := newAdminWorld(t)
	w.manyUsers(29) // 30 accounts with boss

	code, doc, _ := w.admin.page("/admin/users")
	if code != 200 {
		t.Fatalf("list: %d", code)
	}
	if n := doc.Find(`[data-testid="user-row"]`).Length(); n != usersPerPage {
		t.Fatalf("first page: %d rows, want %d", n, usersPerPage)
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="users-total"]`).Text()); got != "30 accounts." {
		t.Fatalf("total: %q", got)
	}
	var heads []string
	doc.Find("thead th").Each(func(_ int, s *goquery.Selection) { heads = append(heads, s.Text()) })
	if strings.Join(heads, "|") != "Username|E-mail|Role|Status|Created|Last sign-in" {
		t.Fatalf("columns: %v", heads)
	}
	if href, _ := doc.Find(`[data-testid="next-page"]`).Attr("href"); href != "/admin/users?page=2" {
		t.Fatalf("next page link %q", href)
	}
	if n := doc.Find("[style], script:not([src])").Length(); n != 0 {
		t.Fatalf("%d inline styles or scripts", n)
	}
	// The search box works without JavaScript (a GET form) and with htmx,
	// with no trigger filter: the CSP allows no eval.
	form := doc.Find(`form[role="search"]`)
	if m, _ := form.Attr("method"); m != "get" || form.Find(`input[name="q"]`).Length() != 1 {
		t.Fatal("no plain GET search form")
	}
	if trig, _ := form.Attr("hx-trigger"); trig == "" || strings.ContainsAny(trig, "[]") {
		t.Fatalf("hx-trigger %q", trig)
	}
	if html, _ := doc.Html(); strings.Contains(html, "hx-on") {
		t.Fatal("hx-on needs eval")
	}

	_, doc, _ = w.admin.page("/admin/users?page=2")
	if n := doc.Find(`[data-testid="user-row"]`).Length(); n != 5 || doc.Find(`[data-testid="next-page"]`).Length() != 0 {
		t.Fatalf("second page: %d rows", n)
	}
	if href, _ := doc.Find(`[data-testid="prev-page"]`).Attr("href"); href != "/admin/users" {
		t.Fatalf("previous page link %q", href)
	}
	for path, want := range map[string]string{"/admin/users?page=99": "Page 2 of 2", "/admin/users?page=x": "Page 1 of 2", "/admin/users?page=-3": "Page 1 of 2"} {
		_, doc, _ = w.admin.page(path)
		if got := doc.Find(`[data-testid="page-of"]`).Text(); got != want {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
	}

	// Search matches usernames and e-mail addresses, without case.
	for q, want := range map[string]int{"user1": 10, "USER2": 10, "list.example": 29, "boss@": 1, "nobody": 0, "%": 0, "_": 0} {
		_, doc, _ = w.admin.page("/admin/users?q=" + url.QueryEscape(q))
		if n := doc.Find(`[data-testid="user-row"]`).Length(); n != min(want, usersPerPage) {
			t.Errorf("q=%q: %d rows, want %d", q, n, min(want, usersPerPage))
		}
		if total := doc.Find(`[data-testid="users-total"]`).Text(); !strings.HasPrefix(strings.TrimSpace(total), strconv.Itoa(want)+" ") {
			t.Errorf("q=%q: total %q, want %d", q, total, want)
		}
		if v, _ := doc.Find(`input[name="q"]`).Attr("value"); v != q {
			t.Errorf("q=%q: the box shows %q", q, v)
		}
	}
	// Overlong or broken queries are cut, not refused.
	for _, q := range []string{strings.Repeat("é", 300), "user\xff01"} {
		if code, _, _ := w.admin.page("/admin/users?q=" + url.QueryEscape(q)); code != 200 {
			t.Errorf("q=%.20q: %d", q, code)
		}
	}
	_, doc, _ = w.admin.page("/admin/users?q=list.example&page=2")
	if n := doc.Find(`[data-testid="user-row"]`).Length(); n != 4 {
		t.Fatalf("search, page 2: %d rows", n)
	}
	if href, _ := doc.Find(`[data-testid="prev-page"]`).Attr("href"); href != "/admin/users?q=list.example" {
		t.Fatalf("paging keeps the search: %q", href)
	}

	// Under htmx the panel alone comes back; a history restore gets the page.
	req := httptest.NewRequest(http.MethodGet, "/admin/users?q=user0", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Request-Type", "partial")
	resp, body := w.admin.do(req)
	doc = parseHTML(t, body)
	if resp.StatusCode != 200 || strings.Contains(body, "<html") || doc.Find("#users-panel").Length() != 1 ||
		doc.Find(`[data-testid="user-row"]`).Length() != 9 {
		t.Fatalf("htmx search: %d\n%.400s", resp.StatusCode, body)
	}
	req = httptest.NewRequest(http.MethodGet, "/admin/users", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-History-Restore-Request", "true")
	if _, body := w.admin.do(req); !strings.Contains(body, "<html") {
		t.Fatal("a history restore got a fragment")
	}
}

func TestAdminCreatesUserWithGeneratedPassword(t *testing.T) {
	w := newAdminWorld(t)
	if code, doc, _ := w.admin.page("/admin/users/new"); code != 200 || doc.Find(`#new-user-form input[name="password"]`).Length() != 1 {
		t.Fatalf("new-user form: %d", code)
	}
	resp, body := w.admin.post("/admin/users/new", "/admin/users", url.Values{"username": {"carol"}, "email": {" Carol@Example.org "}})
	doc := parseHTML(t, body)
	password := doc.Find(`[data-testid="one-time-password"]`).Text()
	if resp.StatusCode != 200 || len(password) != 23 {
		t.Fatalf("create: %d, password %q\n%.600s", resp.StatusCode, password, body)
	}
	if msg := w.h.accounts.Policy().Check(password, "carol", "carol@example.org"); msg != "" {
		t.Fatalf("the generated password fails the policy: %s", msg)
	}
	carol, err := w.h.store.UserByLogin(context.Background(), "carol")
	if err != nil {
		t.Fatal(err)
	}
	if !carol.MustChangePassword || carol.HasVault() || carol.IsAdmin() || carol.Email != "carol@example.org" {
		t.Fatalf("created: must=%v vault=%v admin=%v email=%q", carol.MustChangePassword, carol.HasVault(), carol.IsAdmin(), carol.Email)
	}
	if !w.logged(carol.ID, w.boss.ID, store.EventUserCreated) {
		t.Fatal("the creation is not in carol's activity log with the admin as actor")
	}
	// Shown once: the user's page does not have it.
	if _, body := w.admin.do(httptestGet(adminUserPath(carol.ID))); strings.Contains(body, password) {
		t.Fatal("the password is shown again")
	}

	// Carol must change it first, and gets her key then.
	s := w.session()
	if resp := s.signIn("carol", password); location(resp) != "/settings/password" {
		t.Fatalf("carol's first sign-in: %d → %s", resp.StatusCode, location(resp))
	}
	if resp, _ := s.do(httptestGet("/dashboard")); location(resp) != "/settings/password" {
		t.Fatalf("dashboard before the change: %s", location(resp))
	}
	if resp := s.changePassword(password, "my very own passphrase"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("carol's change: %d", resp.StatusCode)
	}
	if carol = w.reload(carol.ID); carol.MustChangePassword || !carol.HasVault() {
		t.Fatalf("after the change: must=%v vault=%v", carol.MustChangePassword, carol.HasVault())
	}
	if code, _, _ := s.page("/dashboard"); code != 200 {
		t.Fatalf("carol's dashboard: %d", code)
	}
}

func TestAdminCreatesUserWithTypedPassword(t *testing.T) {
	w := newAdminWorld(t)
	resp, body := w.admin.post("/admin/users/new", "/admin/users", url.Values{
		"username": {"dave"}, "email": {"dave@example.org"}, "password": {"a typed initial passphrase"}, "admin": {"yes"},
	})
	dave, err := w.h.store.UserByLogin(context.Background(), "dave")
	if err != nil {
		t.Fatalf("create: %d %v\n%.400s", resp.StatusCode, err, body)
	}
	if resp.StatusCode != http.StatusSeeOther || location(resp) != adminUserPath(dave.ID) || strings.Contains(body, "a typed initial passphrase") {
		t.Fatalf("create: %d → %s", resp.StatusCode, location(resp))
	}
	if !dave.IsAdmin() || !dave.MustChangePassword || dave.HasVault() {
		t.Fatalf("dave: admin=%v must=%v vault=%v", dave.IsAdmin(), dave.MustChangePassword, dave.HasVault())
	}
	if _, doc, _ := w.admin.page(location(resp)); !strings.Contains(doc.Find(`[data-testid="flash"]`).Text(), "dave created") {
		t.Fatal("no flash after the creation")
	}
	if resp := w.session().signIn("dave", "a typed initial passphrase"); location(resp) != "/settings/password" {
		t.Fatalf("dave's first sign-in → %s", location(resp))
	}
}

func TestAdminCreateUserRefusals(t *testing.T) {
	w := newAdminWorld(t)
	w.addUser("erin", store.RoleUser, "erin's passphrase", false)
	for _, tc := range []struct {
		form  url.Values
		field string
	}{
		{url.Values{"username": {"x"}, "email": {"x@example.org"}}, "username"},
		{url.Values{"username": {"frank"}, "email": {"not an address"}}, "email"},
		{url.Values{"username": {"frank"}, "email": {"frank@example.org"}, "password": {"short"}}, "password"},
		{url.Values{"username": {"frank"}, "email": {"frank@example.org"}, "password": {"password123"}}, "password"},
		{url.Values{"username": {"ERIN"}, "email": {"frank@example.org"}}, "username"},
		{url.Values{"username": {"frank"}, "email": {"Erin@example.org"}}, "email"},
	} {
		resp, body := w.admin.post("/admin/users/new", "/admin/users", tc.form)
		doc := parseHTML(t, body)
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-testid="`+tc.field+`-error"]`).Length() != 1 {
			t.Errorf("%v: %d, no message beside %s", tc.form, resp.StatusCode, tc.field)
		}
		if v, _ := doc.Find(`input[name="email"]`).Attr("value"); v == "" {
			t.Errorf("%v: the e-mail is not kept", tc.form)
		}
	}
	if page, _ := w.h.store.ListUsers(context.Background(), "", 10, 0); page.Total != 2 {
		t.Fatalf("%d accounts after refusals", page.Total)
	}
}

func TestAdminIDsAreParsedStrictly(t *testing.T) {
	w := newAdminWorld(t)
	bob := w.addUser("bob", store.RoleUser, "bob's passphrase", false)
	if code, _, _ := w.admin.page(adminUserPath(bob.ID)); code != 200 {
		t.Fatalf("bob's page: %d", code)
	}
	for _, id := range []string{"0", "-1", "+2", "02", "2.0", "0x2", "abc", "999", "9223372036854775808", "2%20"} {
		if resp, _ := w.admin.do(httptestGet("/admin/users/" + id)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("/admin/users/%s: %d, want 404", id, resp.StatusCode)
		}
	}
	for _, action := range []string{"email", "role", "disable", "enable", "reset", "delete"} {
		resp, _ := w.admin.post("/admin/users", "/admin/users/999/"+action, url.Values{"email": {"x@example.org"}, "role": {"admin"}, "confirm": {"yes"}})
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s of nobody: %d, want 404", action, resp.StatusCode)
		}
	}
}

func FuzzCanonicalID(f *testing.F) {
	for _, s := range []string{"1", "0", "01", "-1", "+1", "9223372036854775807", "9223372036854775808", "1e3", " 1", "١"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := canonicalID(s)
		if ok && (id <= 0 || strconv.FormatInt(id, 10) != s) {
			t.Fatalf("%q parsed as %d", s, id)
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 && strconv.FormatInt(n, 10) == s && !ok {
			t.Fatalf("%q refused", s)
		}
	})
}

// adminRoutes are the admin table's routes, with a real account id.
func adminRoutes(id int64) [][2]string {
	p := adminUserPath(id)
	return [][2]string{
		{"GET", "/admin/users"}, {"GET", "/admin/users/new"}, {"POST", "/admin/users"}, {"GET", p},
		{"POST", p + "/email"}, {"POST", p + "/role"}, {"POST", p + "/disable"}, {"POST", p + "/enable"},
		{"POST", p + "/reset"}, {"POST", p + "/delete"}, {"GET", "/admin/audit"},
		// The breach pages, with the same id as a breach's and a job's.
		{"GET", "/admin/breaches"}, {"GET", "/admin/breaches/jobs/" + strconv.FormatInt(id, 10)},
		{"GET", "/admin/breaches/import"}, {"POST", "/admin/breaches/import"}, {"POST", "/admin/breaches/sync"},
		{"GET", adminBreachPath(id)}, {"POST", adminBreachPath(id)}, {"POST", adminBreachPath(id) + "/delete"},
		// The instance settings.
		{"GET", "/admin/settings"}, {"POST", "/admin/settings/hibp"}, {"POST", "/admin/settings/hibp/delete"},
		{"POST", "/admin/settings/hibp/test"},
	}
}

func TestAdminRoutesAreForAdminsOnly(t *testing.T) {
	w := newAdminWorld(t)
	bob, member := w.newMember("bob", "bob's own passphrase")
	routes := adminRoutes(bob.ID)
	// Every admin route of the table is in the list.
	n := 0
	for _, r := range w.h.routes() {
		if r.access == adminRole {
			n++
		}
	}
	if n != len(routes) {
		t.Fatalf("%d admin routes in the table, %d tested", n, len(routes))
	}
	form := url.Values{"email": {"evil@example.org"}, "role": {"admin"}, "confirm": {"yes"}, "confirm_username": {"bob"}, "username": {"evil"}}
	anonymous := w.session()
	for _, r := range routes {
		method, path := r[0], r[1]
		var resp *http.Response
		if method == "GET" {
			resp, _ = member.do(httptestGet(path))
		} else {
			resp, _ = member.post("/settings", path, form)
		}
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("member %s %s: %d, want 403", method, path, resp.StatusCode)
		}
		if method == "GET" {
			resp, _ = anonymous.do(httptestGet(path))
		} else {
			resp, _ = anonymous.post("/signin", path, form)
		}
		if resp.StatusCode != http.StatusSeeOther || location(resp) != "/signin" {
			t.Errorf("anonymous %s %s: %d → %s, want /signin", method, path, resp.StatusCode, location(resp))
		}
		if code, _, _ := w.admin.page("/admin/users"); code != 200 {
			t.Fatalf("the admin lost access after %s %s", method, path)
		}
	}
	if bob = w.reload(bob.ID); bob.IsAdmin() || bob.Disabled || bob.Email != "bob@example.org" || !bob.HasVault() {
		t.Fatal("a refused request changed bob")
	}
	if _, err := w.h.store.UserByLogin(context.Background(), "evil"); err == nil {
		t.Fatal("a refused request created an account")
	}
}

func TestAdminPostWithoutCSRFChangesNothing(t *testing.T) {
	w := newAdminWorld(t)
	bob := w.addUser("bob", store.RoleUser, "bob's passphrase", false)
	for _, r := range adminRoutes(bob.ID) {
		if r[0] != "POST" {
			continue
		}
		for _, token := range []string{"", "forged-token"} {
			form := url.Values{"email": {"evil@example.org"}, "role": {"admin"}, "confirm": {"yes"}, "confirm_username": {"bob"}, "username": {"evil"}}
			if token != "" {
				form.Set("csrf", token)
			}
			if resp, _ := w.admin.postForm(r[1], form); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s with token %q: %d, want 403", r[1], token, resp.StatusCode)
			}
		}
	}
	if bob = w.reload(bob.ID); bob.IsAdmin() || bob.Disabled || bob.Email != "bob@example.org" || bob.MustChangePassword {
		t.Fatal("a CSRF-less request changed bob")
	}
	if _, err := w.h.store.UserByLogin(context.Background(), "evil"); err == nil {
		t.Fatal("a CSRF-less request created an account")
	}
	evs, _ := w.h.store.AdminActions(context.Background(), 10)
	if len(evs) != 0 {
		t.Fatalf("%d admin actions logged", len(evs))
	}
}
