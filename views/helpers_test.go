package views

import "testing"

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
