package account

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

func TestHashAndVerify(t *testing.T) {
	ctx := context.Background()
	h := NewHasher()
	encoded, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(encoded, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("not a PHC argon2id string with the required parameters: %s", encoded)
	}
	if rehash, err := h.Verify(ctx, encoded, "correct horse battery staple"); err != nil || rehash {
		t.Fatalf("right password: rehash=%v err=%v", rehash, err)
	}
	if _, err := h.Verify(ctx, encoded, "correct horse battery stapler"); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong password: %v", err)
	}
	again, _ := h.Hash(ctx, "correct horse battery staple")
	if again == encoded {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
}

func TestBcryptIsVerifiedAndRehashed(t *testing.T) {
	ctx := context.Background()
	old, err := bcrypt.GenerateFromPassword([]byte("legacy password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	h := NewHasher()
	if rehash, err := h.Verify(ctx, string(old), "legacy password"); err != nil || !rehash {
		t.Fatalf("bcrypt: rehash=%v err=%v", rehash, err)
	}
	if _, err := h.Verify(ctx, string(old), "not it"); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong bcrypt password: %v", err)
	}
}

func TestWeakArgonParametersAskForRehash(t *testing.T) {
	// m=8 MiB, t=1: verified, but flagged for replacement.
	salt := []byte("saltsaltsaltsalt")
	key := argon2.IDKey([]byte("password"), salt, 1, 8192, 1, 32)
	weak := "$argon2id$v=19$m=8192,t=1,p=1$" + base64.RawStdEncoding.EncodeToString(salt) + "$" +
		base64.RawStdEncoding.EncodeToString(key)
	rehash, err := NewHasher().Verify(context.Background(), weak, "password")
	if err != nil || !rehash {
		t.Fatalf("weak parameters: rehash=%v err=%v", rehash, err)
	}
}

func TestMalformedHashes(t *testing.T) {
	h := NewHasher()
	for _, bad := range []string{
		"", "plain", "$argon2id$", "$argon2id$v=19$m=x,t=2,p=1$c2FsdA$a2V5",
		"$argon2id$v=18$m=19456,t=2,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=19456,t=2,p=1$!!$a2V5",
		"$argon2id$v=19$m=99999999,t=2,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=19456,t=0,p=1$c2FsdA$a2V5",
		"$2a$10$short",
	} {
		if _, err := h.Verify(context.Background(), bad, "pw"); err == nil {
			t.Errorf("%q verified", bad)
		}
	}
}

func FuzzParseArgon2(f *testing.F) {
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5")
	f.Add("$argon2id$v=19$m=0,t=0,p=0$$")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseArgon2(s)
		if err == nil && (p.time == 0 || p.memory == 0 || p.threads == 0 || len(p.key) == 0 || p.memory > 1<<22) {
			t.Fatalf("accepted out-of-range parameters from %q: %+v", s, p)
		}
	})
}

func TestVerifyNothingCostsAVerify(t *testing.T) {
	h := NewHasherCost(1, 64)
	for _, pw := range []string{"", "no account has this password", "x"} {
		if err := h.VerifyNothing(context.Background(), pw); !errors.Is(err, ErrMismatch) {
			t.Fatalf("VerifyNothing(%q) = %v", pw, err)
		}
	}
	if !strings.HasPrefix(h.dummy, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("the dummy hash does not use the hasher's costs: %s", h.dummy)
	}
}
