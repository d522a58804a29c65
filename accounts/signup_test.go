package accounts_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"pcmt/accounts"
	"pcmt/store"
)

var codeInMail = regexp.MustCompile(`\b\d{5}-\d{5}\b`)

// mailTo is the mail queued to address, oldest first.
func (f *fixture) mailTo(t *testing.T, address string) []store.OutboxMail {
	t.Helper()
	due, err := f.st.DueMail(context.Background(), f.now.Add(24*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.OutboxMail
	for _, m := range due {
		if m.To == address {
			out = append(out, m)
		}
	}
	return out
}

// startSignUp starts the sign-up of address, which must queue a mail, and
// returns the code in it ("" for a note to an owner).
func (f *fixture) startSignUp(t *testing.T, address string) string {
	t.Helper()
	if queued, err := f.s.StartSignUp(context.Background(), address); err != nil || !queued {
		t.Fatalf("start %s: %v %v", address, queued, err)
	}
	mails := f.mailTo(t, address)
	if len(mails) == 0 {
		t.Fatalf("no mail to %s", address)
	}
	return codeInMail.FindString(mails[len(mails)-1].BodyText)
}

// signUp is both steps of n's sign-up, with the code mailed to n.Email.
func (f *fixture) signUp(t *testing.T, n accounts.SignUp) (*store.User, *age.X25519Identity, error) {
	t.Helper()
	n.Code = f.startSignUp(t, n.Email)
	return f.s.FinishSignUp(context.Background(), n)
}

// count is how many accounts there are.
func (f *fixture) count(t *testing.T) int {
	t.Helper()
	n, err := f.st.CountUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSignUp: the right code makes the account with its key, the code
// typed with spaces too; nothing costly happens for a taken username or a
// refused form, and neither costs a try of the code.
func TestSignUp(t *testing.T) {
	f := breachedFixture(t)
	ctx := context.Background()
	code := f.startSignUp(t, "dora@example.org")
	if code == "" {
		t.Fatal("no code mailed to a free address")
	}
	f.signUp(t, accounts.SignUp{Username: "taken", Email: "taken@example.org", Password: "a fine long passphrase"})
	n := accounts.SignUp{Username: "dora", Email: "dora@example.org", Password: "a fine long passphrase", IP: "192.0.2.9"}

	hashes, keys := f.hasher.Hashes(), f.vault.Runs()
	for _, tc := range []struct {
		name string
		n    accounts.SignUp
		want func(error) bool
	}{
		{"username in another case", accounts.SignUp{Username: "TAKEN", Code: code},
			func(err error) bool { return errors.Is(err, store.ErrUsernameTaken) }},
		{"no code", accounts.SignUp{Username: "dora"}, refusedOnly(accounts.FieldCode)},
		{"a short code", accounts.SignUp{Username: "dora", Code: "12345"}, refusedOnly(accounts.FieldCode)},
		{"bad username", accounts.SignUp{Username: "d", Code: code}, refusedOnly(accounts.FieldUsername)},
		{"no password", accounts.SignUp{Username: "dora", Password: "-", Code: code}, refusedOnly(accounts.FieldPassword)},
		{"breached password", accounts.SignUp{Username: "dora", Password: inBreach, Code: code}, refusedOnly(accounts.FieldPassword)},
		{"password with the username", accounts.SignUp{Username: "dora", Password: "dora-dora-dora-dora", Code: code}, refusedOnly(accounts.FieldPassword)},
	} {
		tc.n.Email, tc.n.IP = n.Email, n.IP
		if tc.n.Password == "" {
			tc.n.Password = n.Password
		} else if tc.n.Password == "-" {
			tc.n.Password = ""
		}
		// Each six times: more than the tries a code has.
		for range accounts.SignUpAttempts + 1 {
			if _, _, err := f.s.FinishSignUp(ctx, tc.n); !tc.want(err) {
				t.Fatalf("%s: %v", tc.name, err)
			}
		}
	}
	if f.hasher.Hashes() != hashes || f.vault.Runs() != keys {
		t.Fatal("a refused sign-up cost a hash or a key")
	}

	n.Code = strings.ReplaceAll(code, "-", " ")
	u, identity, err := f.s.FinishSignUp(ctx, n)
	if err != nil || identity == nil || identity.Recipient().String() != u.AgeRecipient {
		t.Fatalf("sign-up: %+v %v", u, err)
	}
	if f.hasher.Hashes() != hashes+1 || f.vault.Runs() != keys+1 {
		t.Fatal("a sign-up cost other than one hash and one key")
	}
	dora := f.user(t, "dora")
	if dora.Role != store.RoleUser || dora.MustChangePassword || !dora.HasVault() || !dora.CreatedAt.Equal(clock) ||
		!f.hasPassword(t, dora, n.Password) {
		t.Fatalf("dora: %+v", dora)
	}
	if ev := f.activity(t, dora.ID); len(ev) != 1 || ev[0].Event != store.EventSignUp || ev[0].ActorID != dora.ID || ev[0].IP != "192.0.2.9" {
		t.Fatalf("dora's log: %+v", ev)
	}
	// Done: the code is used up.
	if f.s.SignUpPending(n.Email) {
		t.Fatal("the sign-up is still open after its account was made")
	}
	n.Username = "dora2"
	if _, _, err := f.s.FinishSignUp(ctx, n); !errors.Is(err, accounts.ErrSignUpOver) {
		t.Fatalf("the code again: %v", err)
	}
}

// TestStartSignUpTellsNothing: a free address and one with an account get
// the same answers and the same work, one queued mail each on the
// Service's clock, that differ only in what they say (and the owner they
// are for); no code works for the taken address.
func TestStartSignUpTellsNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	owner, err := f.s.CreateUser(ctx, accounts.NewUser{Username: "owner", Email: "owner@example.org", Role: store.RoleUser})
	if err != nil {
		t.Fatal(err)
	}
	hashes, keys := f.hasher.Hashes(), f.vault.Runs()
	const taken, free = "owner@example.org", "freed@example.org"
	for _, address := range []string{taken, free} {
		if queued, err := f.s.StartSignUp(ctx, address); err != nil || !queued || !f.s.SignUpPending(address) {
			t.Fatalf("start %s: %v %v", address, queued, err)
		}
	}
	mt, mf := f.mailTo(t, taken), f.mailTo(t, free)
	if len(mt) != 1 || len(mf) != 1 {
		t.Fatalf("%d mails to the taken address, %d to the free one", len(mt), len(mf))
	}
	if mt[0].UserID != owner.User.ID || mf[0].UserID != 0 {
		t.Fatalf("mails for users %d and %d", mt[0].UserID, mf[0].UserID)
	}
	if !strings.Contains(mt[0].Subject, "tried to sign up") || codeInMail.MatchString(mt[0].BodyText) {
		t.Fatalf("the owner's note: %+v", mt[0])
	}
	code := codeInMail.FindString(mf[0].BodyText)
	if code == "" {
		t.Fatalf("no code in the free address's mail: %+v", mf[0])
	}
	// Alike but for the content and the owner.
	a, b := mt[0], mf[0]
	a.ID, a.UserID, a.To, a.Subject, a.BodyText, a.BodyHTML = 0, 0, "", "", "", ""
	b.ID, b.UserID, b.To, b.Subject, b.BodyText, b.BodyHTML = 0, 0, "", "", "", ""
	if a != b || !a.CreatedAt.Equal(clock) {
		t.Fatalf("the mails differ in more than their content:\n%+v\n%+v", a, b)
	}
	if f.hasher.Hashes() != hashes || f.vault.Runs() != keys {
		t.Fatal("starting a sign-up cost a hash or a key")
	}

	// Asked again within the window: no mail to either.
	f.now = clock.Add(accounts.SignUpMailEvery - time.Second)
	for _, address := range []string{taken, free} {
		if queued, err := f.s.StartSignUp(ctx, address); err != nil || queued || len(f.mailTo(t, address)) != 1 {
			t.Fatalf("%s asked again: %v %v", address, queued, err)
		}
	}
	// For the taken address even the free address's code is wrong, as is
	// every code; the last try ends it.
	n := accounts.SignUp{Username: "newcomer", Email: taken, Password: "a fine long passphrase", Code: code}
	for i := range accounts.SignUpAttempts {
		_, _, err := f.s.FinishSignUp(ctx, n)
		if i < accounts.SignUpAttempts-1 && !refusedOnly(accounts.FieldCode)(err) ||
			i == accounts.SignUpAttempts-1 && !errors.Is(err, accounts.ErrSignUpOver) {
			t.Fatalf("try %d for the taken address: %v", i+1, err)
		}
	}
	if f.s.SignUpPending(taken) || f.count(t) != 1 {
		t.Fatalf("the taken address's sign-up: pending %v, %d accounts", f.s.SignUpPending(taken), f.count(t))
	}

	// A bad address is refused before any work.
	if queued, err := f.s.StartSignUp(ctx, "not-an-address"); queued || !refusedOnly(accounts.FieldEmail)(err) ||
		f.s.SignUpPending("not-an-address") {
		t.Fatalf("a bad address: %v %v", queued, err)
	}
}

// TestFinishSignUpWrongCode: a wrong code is refused beside its field,
// five end the sign-up, and then not even the right code works; the
// address is mailed again only once the window has passed.
func TestFinishSignUpWrongCode(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	code := f.startSignUp(t, "dora@example.org")
	wrong := "00000-00000"
	if code == wrong {
		wrong = "00000-00001"
	}
	n := accounts.SignUp{Username: "dora", Email: "dora@example.org", Password: "a fine long passphrase", Code: wrong}
	for i := range accounts.SignUpAttempts - 1 {
		if _, _, err := f.s.FinishSignUp(ctx, n); !refusedOnly(accounts.FieldCode)(err) || !f.s.SignUpPending(n.Email) {
			t.Fatalf("wrong code %d: %v", i+1, err)
		}
	}
	if _, _, err := f.s.FinishSignUp(ctx, n); !errors.Is(err, accounts.ErrSignUpOver) || f.s.SignUpPending(n.Email) {
		t.Fatalf("the last wrong code: %v", err)
	}
	n.Code = code
	if _, _, err := f.s.FinishSignUp(ctx, n); !errors.Is(err, accounts.ErrSignUpOver) || f.count(t) != 0 {
		t.Fatalf("the right code after the last try: %v", err)
	}
	if queued, err := f.s.StartSignUp(ctx, n.Email); err != nil || queued || f.s.SignUpPending(n.Email) {
		t.Fatalf("asked again within the window: %v %v", queued, err)
	}
	f.now = clock.Add(accounts.SignUpMailEvery)
	n.Code = f.startSignUp(t, n.Email)
	if _, _, err := f.s.FinishSignUp(ctx, n); err != nil {
		t.Fatalf("a new code after the window: %v", err)
	}
}

// TestSignUpExpires: by the Service's clock, the code works until
// SignUpTTL has passed and no longer.
func TestSignUpExpires(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	n := accounts.SignUp{Username: "dora", Email: "dora@example.org", Password: "a fine long passphrase"}
	n.Code = f.startSignUp(t, n.Email)
	f.now = clock.Add(accounts.SignUpTTL - time.Nanosecond)
	if !f.s.SignUpPending(n.Email) {
		t.Fatal("over before its time")
	}
	f.now = clock.Add(accounts.SignUpTTL)
	if f.s.SignUpPending(n.Email) {
		t.Fatal("still pending at its end")
	}
	if _, _, err := f.s.FinishSignUp(ctx, n); !errors.Is(err, accounts.ErrSignUpOver) || f.count(t) != 0 {
		t.Fatalf("an expired code: %v", err)
	}
	// Expired, the address may have a new code at once.
	n.Code = f.startSignUp(t, n.Email)
	if _, _, err := f.s.FinishSignUp(ctx, n); err != nil {
		t.Fatalf("the new code: %v", err)
	}
}

// TestSignUpCapacity: past the bound, a new sign-up is refused as busy
// with no mail queued; those pending go on, and one's end makes room.
func TestSignUpCapacity(t *testing.T) {
	f := newFixtureWith(t, accounts.Deps{PendingSignUps: 2})
	ctx := context.Background()
	f.startSignUp(t, "a@example.org")
	f.now = clock.Add(time.Minute)
	f.startSignUp(t, "b@example.org")
	if queued, err := f.s.StartSignUp(ctx, "c@example.org"); !errors.Is(err, accounts.ErrSignUpsBusy) || queued ||
		len(f.mailTo(t, "c@example.org")) != 0 || f.s.SignUpPending("c@example.org") {
		t.Fatalf("a third sign-up: %v %v", queued, err)
	}
	// Asking again for a pending one is no new sign-up.
	if _, err := f.s.StartSignUp(ctx, "a@example.org"); err != nil {
		t.Fatalf("a pending address asked again: %v", err)
	}
	// a's sign-up expires; b's goes on.
	f.now = clock.Add(accounts.SignUpTTL)
	f.startSignUp(t, "c@example.org")
	if !f.s.SignUpPending("b@example.org") || f.s.SignUpPending("a@example.org") {
		t.Fatal("the wrong sign-up made room")
	}
}

// TestSignUpTakenMeanwhile: an address that got an account between the
// code and its use (an admin made it) is store.ErrEmailTaken, makes no
// second account, and ends the sign-up.
func TestSignUpTakenMeanwhile(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	n := accounts.SignUp{Username: "dora", Email: "dora@example.org", Password: "a fine long passphrase"}
	n.Code = f.startSignUp(t, n.Email)
	if _, err := f.s.CreateUser(ctx, accounts.NewUser{Username: "dorothy", Email: n.Email, Role: store.RoleUser}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.FinishSignUp(ctx, n); !errors.Is(err, store.ErrEmailTaken) {
		t.Fatalf("an address taken meanwhile: %v", err)
	}
	if f.s.SignUpPending(n.Email) || f.count(t) != 1 {
		t.Fatalf("after: pending %v, %d accounts", f.s.SignUpPending(n.Email), f.count(t))
	}
	if _, _, err := f.s.FinishSignUp(ctx, n); !errors.Is(err, accounts.ErrSignUpOver) {
		t.Fatalf("the code again: %v", err)
	}
}
