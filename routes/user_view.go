package routes

import (
	"pcmt/store"
	"pcmt/views"
)

func userRow(u *store.User) views.AdminUserRow {
	return views.AdminUserRow{
		ID: u.ID, Username: u.Username, Email: u.Email, Admin: u.IsAdmin(), Disabled: u.Disabled,
		MustChange: u.MustChangePassword, CreatedAt: u.CreatedAt, LastSignIn: u.LastSignInAt,
	}
}
