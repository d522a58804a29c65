package accounts

import (
	"regexp"
	"testing"
	"time"
)

func TestPendingSignUps(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	ps := newPendingSignUps(func() time.Time { return now }, maxPendingSignUps)
	code, mail, err := ps.start("a@example.org", false)
	if err != nil || !mail || !regexp.MustCompile(`^\d{5}-\d{5}$`).MatchString(code) {
		t.Fatalf("start: %q %v %v", code, mail, err)
	}
	// Asked again within the window: the same sign-up, no new mail.
	if again, mail, _ := ps.start("a@example.org", false); again != "" || mail {
		t.Fatal("a second mail within the window")
	}
	if ok, over := ps.check("a@example.org", code); !ok || over {
		t.Fatalf("the right code: %v %v", ok, over)
	}
	// A taken address: mail (the note), no code, and no code works.
	if code, mail, _ := ps.start("b@example.org", true); code != "" || !mail {
		t.Fatalf("taken: %q %v", code, mail)
	}
	for i := range SignUpAttempts {
		ok, over := ps.check("b@example.org", "00000-00000")
		if ok || over != (i == SignUpAttempts-1) {
			t.Fatalf("wrong code %d: %v %v", i+1, ok, over)
		}
	}
	if ps.live("b@example.org") {
		t.Fatal("still live after the last wrong code")
	}
	// Used up, it stays until the window passes: no new mail sooner.
	if _, mail, _ := ps.start("b@example.org", true); mail {
		t.Fatal("a used-up sign-up mailed again within the window")
	}
	now = now.Add(SignUpMailEvery)
	if _, mail, _ := ps.start("b@example.org", true); !mail {
		t.Fatal("no mail after the window")
	}
	// Codes expire.
	code, _, _ = ps.start("c@example.org", false)
	now = now.Add(SignUpTTL)
	if ok, over := ps.check("c@example.org", code); ok || !over {
		t.Fatalf("an expired code: %v %v", ok, over)
	}
}

func FuzzNormaliseSignUpCode(f *testing.F) {
	for _, s := range []string{"12345-67890", "1234567890", " 12345 67890 ", "12345-6789", "١٢٣٤٥-٦٧٨٩٠", "12345-67890-1", ""} {
		f.Add(s)
	}
	form := regexp.MustCompile(`^\d{5}-\d{5}$`)
	f.Fuzz(func(t *testing.T, s string) {
		got := normaliseSignUpCode(s)
		if got != "" && !form.MatchString(got) {
			t.Fatalf("%q → %q", s, got)
		}
		if got != "" && normaliseSignUpCode(got) != got {
			t.Fatalf("%q is not stable", got)
		}
	})
}
