package account

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rfcSeed is the SHA-1 key of RFC 6238 Appendix B (and RFC 4226 Appendix D).
var rfcSeed = []byte("12345678901234567890")

func TestTOTPMatchesRFC6238(t *testing.T) {
	// Appendix B, the SHA-1 column: 8-digit values; the 6-digit codes are
	// their last six digits.
	for _, tc := range []struct {
		unix int64
		want string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	} {
		step := TOTPStep(time.Unix(tc.unix, 0))
		if got := hotp(rfcSeed, uint64(step), 8); got != tc.want {
			t.Errorf("T=%d: 8 digits %s, want %s", tc.unix, got, tc.want)
		}
		if got := TOTPCode(rfcSeed, step); got != tc.want[2:] {
			t.Errorf("T=%d: code %s, want %s", tc.unix, got, tc.want[2:])
		}
	}
}

func TestHOTPMatchesRFC4226(t *testing.T) {
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for counter, w := range want {
		if got := hotp(rfcSeed, uint64(counter), 6); got != w {
			t.Errorf("counter %d: %s, want %s", counter, got, w)
		}
	}
}

func TestVerifyTOTPWindowAndReplay(t *testing.T) {
	secret := NewTOTPSecret()
	now := time.Unix(1_700_000_015, 0)
	cur := TOTPStep(now)
	code := func(step int64) string { return TOTPCode(secret, step) }

	for _, d := range []int64{-1, 0, 1} {
		step, ok := VerifyTOTP(secret, code(cur+d), now, 0)
		if !ok || step != cur+d {
			t.Errorf("step %+d: ok=%v step=%d", d, ok, step)
		}
	}
	for _, d := range []int64{-3, -2, 2, 3} {
		if c := code(cur + d); c != code(cur-1) && c != code(cur) && c != code(cur+1) {
			if _, ok := VerifyTOTP(secret, c, now, 0); ok {
				t.Errorf("step %+d accepted: outside the window", d)
			}
		}
	}

	// Replay: once the current step is used, its code and the one before
	// are refused; the next step still works.
	if _, ok := VerifyTOTP(secret, code(cur), now, cur); ok {
		t.Error("a used step was accepted again")
	}
	if _, ok := VerifyTOTP(secret, code(cur-1), now, cur); ok {
		t.Error("a step before the used one was accepted")
	}
	if step, ok := VerifyTOTP(secret, code(cur+1), now, cur); !ok || step != cur+1 {
		t.Errorf("the next step: ok=%v step=%d", ok, step)
	}

	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, ok := VerifyTOTP(secret, bad, now, 0); ok {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, ok := VerifyTOTP(NewTOTPSecret(), code(cur), now, 0); ok {
		t.Error("another secret's code accepted")
	}
}

func TestParseTOTPCode(t *testing.T) {
	for in, want := range map[string]string{
		"123456": "123456", " 123 456 ": "123456", "123-456": "123456", "\t000000": "000000",
	} {
		if got, ok := ParseTOTPCode(in); !ok || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "12345", "1234567", "12345a", "１２３４５６", "123456\n", strings.Repeat(" ", 40) + "123456"} {
		if got, ok := ParseTOTPCode(in); ok {
			t.Errorf("%q accepted as %q", in, got)
		}
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes := NewRecoveryCodes()
	if len(codes) != RecoveryCodeCount {
		t.Fatalf("%d codes", len(codes))
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 19 || strings.Count(c, "-") != 3 {
			t.Errorf("code %q is not XXXX-XXXX-XXXX-XXXX", c)
		}
		canon, ok := ParseRecoveryCode(c)
		if !ok || seen[canon] {
			t.Errorf("code %q: parsed %v, duplicate %v", c, ok, seen[canon])
		}
		seen[canon] = true
		// Typed in lower case without dashes, it is the same code.
		loose := strings.ToLower(strings.ReplaceAll(c, "-", " "))
		if !bytes.Equal(RecoveryDigest(loose), RecoveryDigest(c)) {
			t.Errorf("%q and %q digest differently", loose, c)
		}
	}
	for _, in := range []string{"", "ABCD-EFGH-IJKL", "ABCD-EFGH-IJKL-MNO0", "ABCD-EFGH-IJKL-MNOP-Q", "ABCD_EFGH_IJKL_MNOP"} {
		if got, ok := ParseRecoveryCode(in); ok {
			t.Errorf("%q accepted as %q", in, got)
		}
	}
}

func TestTOTPURI(t *testing.T) {
	secret := bytes.Repeat([]byte{0xff}, TOTPSecretSize)
	u, err := url.Parse(TOTPURI("pcmt", "alice", secret))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/pcmt:alice" || q.Get("issuer") != "pcmt" ||
		q.Get("secret") != EncodeTOTPSecret(secret) || q.Get("digits") != "6" || q.Get("period") != "30" || q.Get("algorithm") != "SHA1" {
		t.Fatalf("URI %s", u)
	}
	if g := GroupTOTPSecret(secret); strings.ReplaceAll(g, " ", "") != EncodeTOTPSecret(secret) || len(strings.Fields(g)) != 8 {
		t.Fatalf("grouped %q", g)
	}
}

func TestSecretBox(t *testing.T) {
	oldKey, newKey := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	secret := NewTOTPSecret()

	old := NewSecretBox(oldKey)
	sealed := old.Seal(7, secret)
	if bytes.Contains(sealed, secret) {
		t.Fatal("the sealed secret holds the plaintext")
	}
	if got, stale, err := old.Open(7, sealed); err != nil || stale || !bytes.Equal(got, secret) {
		t.Fatalf("open: %v stale=%v", err, stale)
	}
	if _, _, err := old.Open(8, sealed); err == nil {
		t.Fatal("another user's row opened the secret")
	}
	if _, _, err := NewSecretBox(newKey).Open(7, sealed); err == nil {
		t.Fatal("another key opened the secret")
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	if _, _, err := old.Open(7, tampered); err == nil {
		t.Fatal("a tampered secret opened")
	}
	if _, _, err := old.Open(7, sealed[:10]); err == nil {
		t.Fatal("a short secret opened")
	}

	// After a key rotation the old key still opens, and says so.
	rotated := NewSecretBox(newKey, oldKey)
	if got, stale, err := rotated.Open(7, sealed); err != nil || !stale || !bytes.Equal(got, secret) {
		t.Fatalf("open after rotation: %v stale=%v", err, stale)
	}
	if _, stale, err := rotated.Open(7, rotated.Seal(7, secret)); err != nil || stale {
		t.Fatalf("resealed: %v stale=%v", err, stale)
	}
}

func FuzzParseTOTPCode(f *testing.F) {
	for _, s := range []string{"123456", "123 456", "12-34-56", "", "abcdef", "1234567", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := ParseTOTPCode(s)
		if !ok {
			return
		}
		if len(code) != TOTPDigits || strings.Trim(code, "0123456789") != "" {
			t.Fatalf("%q parsed as %q", s, code)
		}
		if again, ok := ParseTOTPCode(code); !ok || again != code {
			t.Fatalf("%q does not parse to itself", code)
		}
	})
}

func FuzzParseRecoveryCode(f *testing.F) {
	for _, s := range []string{"ABCD-EFGH-IJKL-MNOP", "abcd efgh ijkl mnop", "", "ABCD-EFGH-IJKL-MNO0", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := ParseRecoveryCode(s)
		if !ok {
			return
		}
		if len(code) != recoveryCodeLen || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
			t.Fatalf("%q parsed as %q", s, code)
		}
		if !bytes.Equal(RecoveryDigest(s), RecoveryDigest(code)) {
			t.Fatalf("%q and its canonical form %q digest differently", s, code)
		}
	})
}
