package monitor

import (
	"fmt"
	"time"

	"pcmt/store"
)

// SignUpCodeMail is the mail that proves a sign-up's address: it carries
// the code the sign-up page asks for. Without it no account is made with
// the address, so nobody can sign up with someone else's.
func SignUpCodeMail(code string, valid time.Duration) store.OutboxMail {
	return store.OutboxMail{
		Subject: "Your sign-up code",
		BodyText: fmt.Sprintf("Hello,\n\n"+
			"Someone, hopefully you, asked to create an account on pcmt with this address.\n"+
			"To go on, enter this code on the sign-up page:\n\n"+
			"  %s\n\n"+
			"It works for %d minutes. If it was not you, ignore this mail: no account is\n"+
			"made with this address without the code.\n", code, int(valid.Minutes())),
	}
}

// SignUpTakenMail tells the owner of an address that someone tried to sign
// up with it. The sign-up page answers exactly as for a free address, so
// only the address's owner learns that it has an account.
func SignUpTakenMail() store.OutboxMail {
	return store.OutboxMail{
		Subject: "Someone tried to sign up with your address",
		BodyText: "Hello,\n\n" +
			"Someone, perhaps you, tried to create a new account on pcmt with this\n" +
			"address. It already has an account, so no new one was made.\n\n" +
			"If it was you: sign in with your username or this address. If you forgot\n" +
			"your password, ask the instance's admin to reset it.\n\n" +
			"If it was not you, nothing changed and you need not do anything; your\n" +
			"account's activity log (Settings, Activity) shows its sign-ins.\n",
	}
}
