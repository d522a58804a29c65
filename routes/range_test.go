package routes

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"pcmt/config"
	"pcmt/store"
)

func TestRangeCanRequireAToken(t *testing.T) {
	a := newTestApp(t, func(c *config.Config) { c.API.RangeRequiresToken = true })
	if resp, _ := a.get("/range/21BD1"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without a token: %d", resp.StatusCode)
	}
	u := a.addUser("carol", store.RoleUser, "a long passphrase", false)
	req := httptest.NewRequest(http.MethodGet, "/range/21BD1", nil)
	req.Header.Set("Authorization", "Bearer "+storeToken(t, a, u.ID, time.Hour, store.ScopeSearch))
	if resp, _ := a.do(req); resp.StatusCode != http.StatusOK {
		t.Fatalf("with a token: %d", resp.StatusCode)
	}
}
