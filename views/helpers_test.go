package views

import (
	"encoding/json"
	"testing"
)

func TestInSection(t *testing.T) {
	for _, tc := range []struct {
		current, href string
		want          bool
	}{
		{"/admin/users", "/admin/users", true},
		{"/admin/users/7", "/admin/users", true},
		{"/admin/usersx", "/admin/users", false},
		{"/settings/password", "/settings", true},
		{"/", "/settings", false},
	} {
		if got := inSection(tc.current, tc.href); got != tc.want {
			t.Errorf("inSection(%q, %q) = %v", tc.current, tc.href, got)
		}
	}
}

func TestCSRFHeaderIsJSON(t *testing.T) {
	for _, token := range []string{"abc-_XYZ019", `odd"token\`, ""} {
		var got map[string]string
		if err := json.Unmarshal([]byte(csrfHeader(token)), &got); err != nil || got["X-CSRF-Token"] != token {
			t.Errorf("csrfHeader(%q) = %s (%v)", token, csrfHeader(token), err)
		}
	}
}
