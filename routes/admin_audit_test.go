package routes

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"pcmt/store"
)

// auditRow is one row of the audit page, as text.
type auditRow struct{ actor, what, target string }

func auditRows(t *testing.T, s *session) []auditRow {
	t.Helper()
	code, doc, _ := s.page("/admin/audit")
	if code != 200 {
		t.Fatalf("audit page: %d", code)
	}
	var rows []auditRow
	doc.Find(`[data-testid="audit-row"]`).Each(func(_ int, r *goquery.Selection) {
		cell := func(id string) string {
			return strings.Join(strings.Fields(r.Find(`[data-testid="`+id+`"]`).Text()), " ")
		}
		rows = append(rows, auditRow{cell("actor"), cell("what"), cell("target")})
	})
	return rows
}

func TestAuditShowsWhoDidWhatToWhom(t *testing.T) {
	w := newAdminWorld(t)
	ann := w.addUser("ann", store.RoleAdmin, "ann's admin passphrase", false)
	anns := w.session()
	anns.signIn("ann", "ann's admin passphrase")
	bob := w.addUser("bob", store.RoleUser, "bob's passphrase", false)
	bobs := w.session()
	bobs.signIn("bob", "bob's passphrase")
	// What users do to themselves is in their own log, not here.
	if resp, _ := bobs.post("/settings/sessions", "/settings/sessions/revoke-others", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("bob's own action: %d", resp.StatusCode)
	}

	w.admin.post("/admin/users/new", "/admin/users", url.Values{"username": {"carol"}, "email": {"carol@example.org"}})
	w.act(w.admin, bob.ID, "email", url.Values{"email": {"bob2@example.org"}})
	w.act(w.admin, bob.ID, "role", url.Values{"role": {"admin"}})
	w.act(w.admin, bob.ID, "role", url.Values{"role": {"user"}})
	w.act(w.admin, bob.ID, "disable", nil)
	w.act(w.admin, bob.ID, "enable", nil)
	w.act(w.admin, bob.ID, "reset", url.Values{"confirm": {"yes"}})
	w.act(anns, bob.ID, "delete", url.Values{"confirm_username": {"bob"}})

	gone := "#" + strconv.FormatInt(bob.ID, 10)
	want := []auditRow{
		{"ann", "Account deleted by an admin — account bob", gone},
		{"boss", "Password reset by an admin — 0 sessions signed out", gone},
		{"boss", "Account enabled by an admin", gone},
		{"boss", "Account disabled by an admin — 0 sessions signed out", gone},
		{"boss", "Role changed by an admin — admin → user", gone},
		{"boss", "Role changed by an admin — user → admin", gone},
		{"boss", "E-mail address changed — by an admin", gone},
		{"boss", "Account created by an admin — as user", "carol"},
	}
	got := auditRows(t, w.admin)
	if len(got) != len(want) {
		t.Fatalf("audit rows:\n%q\nwant\n%q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: %q, want %q", i, got[i], want[i])
		}
	}

	// Demoting an admin keeps their actions in the trail.
	w.act(w.admin, ann.ID, "role", url.Values{"role": {"user"}})
	got = auditRows(t, w.admin)
	if len(got) != len(want)+1 || got[1] != want[0] {
		t.Fatalf("after ann's demotion:\n%q", got)
	}
	if resp, _ := anns.do(httptestGet("/admin/audit")); resp.StatusCode != http.StatusSeeOther || location(resp) != "/signin" {
		t.Fatalf("demoted ann's old session on the audit page: %d → %s", resp.StatusCode, location(resp))
	}
}
