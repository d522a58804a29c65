package routes

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"pcmt/store"
)

// refusedIn checks a 422 re-render of a user's page with a message in the
// named form: a field's error or the form's own message.
func refusedIn(t *testing.T, resp *http.Response, body, form, testid string) {
	t.Helper()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("%s: %d, want 422\n%.400s", form, resp.StatusCode, body)
	}
	if parseHTML(t, body).Find(`#`+form+`-form [data-testid="`+testid+`"]`).Length() != 1 {
		t.Fatalf("%s: no %s in the form\n%s", form, testid, body)
	}
}

func TestAdminChangesEmail(t *testing.T) {
	w := newAdminWorld(t)
	bob := w.addUser("bob", store.RoleUser, "bob's passphrase", false)
	w.addUser("eve", store.RoleUser, "eve's passphrase", false)

	resp, body := w.act(w.admin, bob.ID, "email", url.Values{"email": {"not an address"}})
	refusedIn(t, resp, body, "email", "email-error")
	if v, _ := parseHTML(t, body).Find(`#email-form input[name="email"]`).Attr("value"); v != "not an address" {
		t.Fatalf("the typed address is not kept: %q", v)
	}
	resp, body = w.act(w.admin, bob.ID, "email", url.Values{"email": {"EVE@example.org"}})
	refusedIn(t, resp, body, "email", "email-error")

	resp, _ = w.act(w.admin, bob.ID, "email", url.Values{"email": {" Bob.New@Example.org"}})
	if resp.StatusCode != http.StatusSeeOther || location(resp) != adminUserPath(bob.ID) {
		t.Fatalf("change: %d → %s", resp.StatusCode, location(resp))
	}
	if got := w.reload(bob.ID).Email; got != "bob.new@example.org" {
		t.Fatalf("e-mail is %q", got)
	}
	if !w.logged(bob.ID, w.boss.ID, store.EventEmailChanged) {
		t.Fatal("the change is not logged with the admin as actor")
	}
}

func TestAdminOwnEmailNeedsPassword(t *testing.T) {
	w := newAdminWorld(t)
	resp, body := w.act(w.admin, w.boss.ID, "email", url.Values{"email": {"boss2@example.org"}})
	refusedIn(t, resp, body, "email", "current_password-error")
	resp, body = w.act(w.admin, w.boss.ID, "email", url.Values{"email": {"boss2@example.org"}, "current_password": {"a wrong password"}})
	refusedIn(t, resp, body, "email", "current_password-error")
	if w.reload(w.boss.ID).Email != "boss@example.org" {
		t.Fatal("changed without the right password")
	}
	resp, _ = w.act(w.admin, w.boss.ID, "email", url.Values{"email": {"boss2@example.org"}, "current_password": {bossPassword}})
	if resp.StatusCode != http.StatusSeeOther || w.reload(w.boss.ID).Email != "boss2@example.org" {
		t.Fatalf("with the password: %d", resp.StatusCode)
	}
	if !w.logged(w.boss.ID, w.boss.ID, store.EventSignInFailed) || !w.logged(w.boss.ID, w.boss.ID, store.EventEmailChanged) {
		t.Fatal("the wrong password and the change are not both logged")
	}
}

func TestAdminChangesRoles(t *testing.T) {
	w := newAdminWorld(t)
	bob, bobs := w.newMember("bob", "bob's own passphrase")

	resp, _ := w.act(w.admin, bob.ID, "role", url.Values{"role": {"admin"}})
	if resp.StatusCode != http.StatusSeeOther || !w.reload(bob.ID).IsAdmin() {
		t.Fatalf("promotion: %d", resp.StatusCode)
	}
	if !signedOut(t, bobs) {
		t.Fatal("bob's old session survived the role change")
	}
	if !w.logged(bob.ID, w.boss.ID, store.EventRoleChanged) {
		t.Fatal("the promotion is not logged with the admin as actor")
	}
	resp, _ = w.act(w.admin, bob.ID, "role", url.Values{"role": {"root"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown role: %d", resp.StatusCode)
	}
	// Demoting another admin needs no password.
	bobs = w.session()
	bobs.signIn("bob", "bob's own passphrase")
	resp, _ = w.act(w.admin, bob.ID, "role", url.Values{"role": {"user"}})
	if resp.StatusCode != http.StatusSeeOther || w.reload(bob.ID).IsAdmin() || !signedOut(t, bobs) {
		t.Fatalf("demotion: %d", resp.StatusCode)
	}
}

func TestAdminNeverPromotesThemselves(t *testing.T) {
	w := newAdminWorld(t)
	resp, _ := w.act(w.admin, w.boss.ID, "role", url.Values{"role": {"admin"}, "current_password": {bossPassword}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("self-promotion: %d, want 403", resp.StatusCode)
	}
	if w.logged(w.boss.ID, w.boss.ID, store.EventRoleChanged) {
		t.Fatal("a refused self-promotion was logged as a change")
	}
}

func TestLastAdminIsKept(t *testing.T) {
	w := newAdminWorld(t)
	own := url.Values{"current_password": {bossPassword}}
	for _, tc := range []struct {
		action, form string
		extra        url.Values
	}{
		{"role", "role", url.Values{"role": {"user"}, "confirm": {"yes"}}},
		{"disable", "status", nil},
		{"delete", "delete", url.Values{"confirm_username": {"boss"}}},
	} {
		form := url.Values{"current_password": own["current_password"]}
		for k, v := range tc.extra {
			form[k] = v
		}
		resp, body := w.act(w.admin, w.boss.ID, tc.action, form)
		refusedIn(t, resp, body, tc.form, "form-error")
		if !strings.Contains(body, store.ErrLastAdmin.Message) {
			t.Fatalf("%s: the last-admin message is missing", tc.action)
		}
	}
	boss := w.reload(w.boss.ID)
	if !boss.IsAdmin() || boss.Disabled {
		t.Fatal("the last admin was changed")
	}
	if code, _, _ := w.admin.page("/admin/users"); code != 200 {
		t.Fatalf("the last admin lost their session: %d", code)
	}
}

func TestSelfDemotionNeedsPasswordAndConfirmation(t *testing.T) {
	w := newAdminWorld(t)
	w.addUser("ann", store.RoleAdmin, "ann's admin passphrase", false)

	resp, body := w.act(w.admin, w.boss.ID, "role", url.Values{"role": {"user"}, "confirm": {"yes"}})
	refusedIn(t, resp, body, "role", "current_password-error")
	resp, body = w.act(w.admin, w.boss.ID, "role", url.Values{"role": {"user"}, "confirm": {"yes"}, "current_password": {"not my password"}})
	refusedIn(t, resp, body, "role", "current_password-error")
	resp, body = w.act(w.admin, w.boss.ID, "role", url.Values{"role": {"user"}, "current_password": {bossPassword}})
	refusedIn(t, resp, body, "role", "confirm-error")
	if !w.reload(w.boss.ID).IsAdmin() {
		t.Fatal("demoted without password and confirmation")
	}

	resp, _ = w.act(w.admin, w.boss.ID, "role", url.Values{"role": {"user"}, "confirm": {"yes"}, "current_password": {bossPassword}})
	if resp.StatusCode != http.StatusSeeOther || location(resp) != "/signin" {
		t.Fatalf("self-demotion: %d → %s", resp.StatusCode, location(resp))
	}
	if w.reload(w.boss.ID).IsAdmin() {
		t.Fatal("still an admin")
	}
	if !signedOut(t, w.admin) {
		t.Fatal("the demoted admin's session survived")
	}
	if !w.logged(w.boss.ID, w.boss.ID, store.EventRoleChanged) {
		t.Fatal("the self-demotion is not logged")
	}
}

func TestAdminDisablesAndEnables(t *testing.T) {
	w := newAdminWorld(t)
	bob, bobs := w.newMember("bob", "bob's own passphrase")

	resp, _ := w.act(w.admin, bob.ID, "disable", nil)
	if resp.StatusCode != http.StatusSeeOther || !w.reload(bob.ID).Disabled {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if !signedOut(t, bobs) {
		t.Fatal("bob's old session survived being disabled")
	}
	if resp := w.session().signIn("bob", "bob's own passphrase"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("disabled bob signs in: %d", resp.StatusCode)
	}
	_, doc, _ := w.admin.page("/admin/users?q=bob")
	if got := doc.Find(`[data-testid="status"]`).Text(); got != "disabled" {
		t.Fatalf("listed as %q", got)
	}

	resp, _ = w.act(w.admin, bob.ID, "enable", nil)
	if resp.StatusCode != http.StatusSeeOther || w.reload(bob.ID).Disabled {
		t.Fatalf("enable: %d", resp.StatusCode)
	}
	if resp := w.session().signIn("bob", "bob's own passphrase"); location(resp) != "/dashboard" {
		t.Fatalf("enabled bob's sign-in → %s", location(resp))
	}
	if !w.logged(bob.ID, w.boss.ID, store.EventUserDisabled) || !w.logged(bob.ID, w.boss.ID, store.EventUserEnabled) {
		t.Fatal("disable and enable are not logged with the admin as actor")
	}
}

func TestAdminSelfDisableNeedsPassword(t *testing.T) {
	w := newAdminWorld(t)
	w.addUser("ann", store.RoleAdmin, "ann's admin passphrase", false)
	resp, body := w.act(w.admin, w.boss.ID, "disable", nil)
	refusedIn(t, resp, body, "status", "current_password-error")
	resp, _ = w.act(w.admin, w.boss.ID, "disable", url.Values{"current_password": {bossPassword}})
	if location(resp) != "/signin" || !w.reload(w.boss.ID).Disabled || !signedOut(t, w.admin) {
		t.Fatalf("self-disable: %d → %s", resp.StatusCode, location(resp))
	}
}

func TestAdminDeletesUser(t *testing.T) {
	w := newAdminWorld(t)
	bob, bobs := w.newMember("bob", "bob's own passphrase")

	resp, body := w.act(w.admin, bob.ID, "delete", url.Values{"confirm_username": {"BOB"}})
	refusedIn(t, resp, body, "delete", "confirm_username-error")
	w.reload(bob.ID)

	resp, _ = w.act(w.admin, bob.ID, "delete", url.Values{"confirm_username": {"bob"}})
	if resp.StatusCode != http.StatusSeeOther || location(resp) != "/admin/users" {
		t.Fatalf("delete: %d → %s", resp.StatusCode, location(resp))
	}
	if _, err := w.h.store.User(context.Background(), bob.ID); err == nil {
		t.Fatal("bob still exists")
	}
	if code, _, _ := w.admin.page(adminUserPath(bob.ID)); code != http.StatusNotFound {
		t.Fatalf("deleted user's page: %d", code)
	}
	if !signedOut(t, bobs) {
		t.Fatal("bob's old session survived the deletion")
	}
	if !w.logged(bob.ID, w.boss.ID, store.EventUserDeleted) {
		t.Fatal("the deletion is not logged with the admin as actor")
	}
}

func TestAdminResetsPassword(t *testing.T) {
	w := newAdminWorld(t)
	bob, bobs := w.newMember("bob", "bob's own passphrase")

	_, doc, _ := w.admin.page(adminUserPath(bob.ID))
	if warning := doc.Find(`#reset-form [data-testid="reset-warning"]`).Text(); !strings.Contains(warning, "unreadable") {
		t.Fatalf("no warning before the reset: %q", warning)
	}
	resp, body := w.act(w.admin, bob.ID, "reset", nil)
	refusedIn(t, resp, body, "reset", "confirm-error")
	if !w.reload(bob.ID).HasVault() {
		t.Fatal("an unconfirmed reset discarded the key")
	}

	resp, body = w.act(w.admin, bob.ID, "reset", url.Values{"confirm": {"yes"}})
	doc = parseHTML(t, body)
	password := doc.Find(`[data-testid="one-time-password"]`).Text()
	if resp.StatusCode != 200 || password == "" || doc.Find(`[data-testid="key-discarded"]`).Length() != 1 {
		t.Fatalf("reset: %d\n%.600s", resp.StatusCode, body)
	}
	bob = w.reload(bob.ID)
	if !bob.MustChangePassword || bob.HasVault() || bob.WrappedIdentity != nil {
		t.Fatalf("after the reset: must=%v vault=%v", bob.MustChangePassword, bob.HasVault())
	}
	if !signedOut(t, bobs) {
		t.Fatal("bob's old session survived the reset")
	}
	if !w.logged(bob.ID, w.boss.ID, store.EventPasswordReset) {
		t.Fatal("the reset is not logged with the admin as actor")
	}
	if resp := w.session().signIn("bob", "bob's own passphrase"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("the old password still works: %d", resp.StatusCode)
	}
	s := w.session()
	if resp := s.signIn("bob", password); location(resp) != "/settings/password" {
		t.Fatalf("sign-in with the reset password → %s", location(resp))
	}
	if resp := s.changePassword(password, "bob's next passphrase"); resp.StatusCode != http.StatusSeeOther || !w.reload(bob.ID).HasVault() {
		t.Fatalf("bob's change after the reset: %d", resp.StatusCode)
	}
}

func TestAdminCannotResetOwnPassword(t *testing.T) {
	w := newAdminWorld(t)
	resp, body := w.act(w.admin, w.boss.ID, "reset", url.Values{"confirm": {"yes"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, `data-testid="one-time-password"`) {
		t.Fatalf("own reset: %d", resp.StatusCode)
	}
	if w.reload(w.boss.ID).MustChangePassword {
		t.Fatal("the admin's own password was reset")
	}
}
