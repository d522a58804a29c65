package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"pcmt/store"
	"pcmt/store/storetest"
)

// newToken stores a token for user made from plain, which only its digest
// reaches.
func newToken(t *testing.T, s *store.Store, userID int64, plain string, now time.Time, ttl time.Duration, scopes ...string) store.Token {
	t.Helper()
	digest := sha256.Sum256([]byte(plain))
	tok, err := s.CreateToken(context.Background(), store.NewToken{
		UserID: userID, Name: "token " + plain[len(plain)-4:], Digest: digest[:], Prefix: plain[5:13],
		Scopes: scopes, CreatedAt: now, ExpiresAt: now.Add(ttl),
	})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func digestOf(plain string) []byte {
	d := sha256.Sum256([]byte(plain))
	return d[:]
}

func TestTokenLifecycle(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	alice := newUser(t, s, "alice", store.RoleUser)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	const plain = "pcmt_abcdefgh0123456789abcdefghijklmnopqrstuvwxyz012345"
	tok := newToken(t, s, alice.ID, plain, now, 7*24*time.Hour, store.ScopeWatchlistRead, store.ScopeSearch)
	if tok.ID == 0 || tok.Prefix != "abcdefgh" {
		t.Fatalf("created %+v", tok)
	}
	if got := fmt.Sprint(tok.Scopes); got != "[search watchlist:read]" {
		t.Fatalf("scopes %s, want the canonical order", got)
	}

	tu, err := s.TokenByDigest(ctx, digestOf(plain), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if tu.Token.ID != tok.ID || tu.User.ID != alice.ID || tu.User.Username != "alice" || tu.User.Role != store.RoleUser {
		t.Fatalf("by digest: %+v %+v", tu.Token, tu.User)
	}
	if !tu.Token.HasScope(store.ScopeSearch) || tu.Token.HasScope(store.ScopeWatchlistWrite) {
		t.Fatalf("scopes %v", tu.Token.Scopes)
	}
	if _, err := s.TokenByDigest(ctx, digestOf(plain+"x"), now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown token: %v", err)
	}
	if _, err := s.TokenByDigest(ctx, digestOf(plain), now.Add(7*24*time.Hour)); !errors.Is(err, store.ErrTokenExpired) {
		t.Fatalf("token at its expiry: %v", err)
	}

	used := now.Add(2 * time.Hour)
	if err := s.TouchToken(ctx, tok.ID, used); err != nil {
		t.Fatal(err)
	}
	list, err := s.Tokens(ctx, alice.ID)
	if err != nil || len(list) != 1 || !list[0].LastUsedAt.Equal(used) {
		t.Fatalf("list after a use: %+v %v", list, err)
	}

	if err := audit(s).RevokeToken(ctx, alice.ID, tok.ID, entry(store.EventTokenRevoked, now.Add(3*time.Hour))); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TokenByDigest(ctx, digestOf(plain), now.Add(3*time.Hour)); !errors.Is(err, store.ErrTokenRevoked) {
		t.Fatalf("revoked token: %v", err)
	}
	if err := audit(s).RevokeToken(ctx, alice.ID, tok.ID, entry(store.EventTokenRevoked, now.Add(4*time.Hour))); err != nil {
		t.Fatalf("revoking twice: %v", err)
	}
	list, _ = s.Tokens(ctx, alice.ID)
	if len(list) != 1 || !list[0].RevokedAt.Equal(now.Add(3*time.Hour)) {
		t.Fatalf("a revoked token stays listed with its first revocation time: %+v", list)
	}
}

func TestTokensOfOtherUsers(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	alice := newUser(t, s, "alice", store.RoleUser)
	bob := newUser(t, s, "bob", store.RoleUser)
	now := time.Now()
	tok := newToken(t, s, alice.ID, "pcmt_alicealice0000000000000000000000000000000000000001", now, time.Hour, store.ScopeSearch)
	if err := audit(s).RevokeToken(ctx, bob.ID, tok.ID, entry(store.EventTokenRevoked, now)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("bob revoking alice's token: %v", err)
	}
	if list, err := s.Tokens(ctx, bob.ID); err != nil || len(list) != 0 {
		t.Fatalf("bob's list: %+v %v", list, err)
	}
	if _, err := s.TokenByDigest(ctx, digestOf("pcmt_alicealice0000000000000000000000000000000000000001"), now); err != nil {
		t.Fatalf("alice's token after bob's attempt: %v", err)
	}
}

func TestTokenRefusedForDisabledOrResetUser(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	alice := newUser(t, s, "alice", store.RoleUser)
	newUser(t, s, "root", store.RoleAdmin)
	// Each token is made after the change, out of reach of the revocation
	// that comes with it: the refusal stands on the account's state alone.
	if _, err := audit(s).Disable(ctx, alice.ID, entry(store.EventUserDisabled), noDetail); err != nil {
		t.Fatal(err)
	}
	const plain = "pcmt_disabled000000000000000000000000000000000000000001"
	newToken(t, s, alice.ID, plain, time.Now(), time.Hour, store.ScopeSearch)
	if _, err := s.TokenByDigest(ctx, digestOf(plain), time.Now()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("token of a disabled user: %v", err)
	}
	if err := audit(s).Enable(ctx, alice.ID, entry(store.EventUserEnabled)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TokenByDigest(ctx, digestOf(plain), time.Now()); err != nil {
		t.Fatalf("token after enabling again: %v", err)
	}
	// An admin reset leaves the user on a password someone else chose.
	if _, err := audit(s).ResetPassword(ctx, alice.ID, store.PasswordChange{Hash: "$argon2id$y", MustChangePassword: true},
		time.Now(), entry(store.EventPasswordReset), noDetail); err != nil {
		t.Fatal(err)
	}
	const after = "pcmt_afterreset0000000000000000000000000000000000000001"
	newToken(t, s, alice.ID, after, time.Now(), time.Hour, store.ScopeSearch)
	if _, err := s.TokenByDigest(ctx, digestOf(after), time.Now()); !errors.Is(err, store.ErrTokenSuspended) {
		t.Fatalf("token after an admin reset: %v", err)
	}
	// Deleting the user takes the tokens with it.
	if err := audit(s).DeleteUser(ctx, alice.ID, entry(store.EventUserDeleted)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TokenByDigest(ctx, digestOf(after), time.Now()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("token of a deleted user: %v", err)
	}
}

// TestRevokeUserTokens: a change of one's own password ends the working
// tokens of the user, and those alone.
func TestRevokeUserTokens(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	alice := newUser(t, s, "alice", store.RoleUser)
	bob := newUser(t, s, "bob", store.RoleUser)
	now := time.Now()
	newToken(t, s, alice.ID, "pcmt_a1000000000000000000000000000000000000000000000001", now, time.Hour, store.ScopeSearch)
	newToken(t, s, alice.ID, "pcmt_a2000000000000000000000000000000000000000000000002", now, time.Hour, store.ScopeWatchlistWrite)
	newToken(t, s, alice.ID, "pcmt_a3000000000000000000000000000000000000000000000003", now.Add(-2*time.Hour), time.Hour, store.ScopeSearch)
	newToken(t, s, bob.ID, "pcmt_b1000000000000000000000000000000000000000000000001", now, time.Hour, store.ScopeSearch)
	change := func() int64 {
		t.Helper()
		_, n, err := audit(s).ChangeOwnPassword(ctx, alice.ID, store.OwnPasswordChange{
			Change:  store.PasswordChange{Hash: "new"},
			Changed: entry(store.EventPasswordChanged, now), Describe: noDetail,
			TokensRevoked: entry(store.EventTokenRevoked, now), DescribeTokens: func(int64) string { return "" }})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := change(); n != 2 {
		t.Fatalf("revoked %d, want the 2 working tokens", n)
	}
	if n := change(); n != 0 {
		t.Fatalf("revoked %d again", n)
	}
	if _, err := s.TokenByDigest(ctx, digestOf("pcmt_b1000000000000000000000000000000000000000000000001"), now); err != nil {
		t.Fatalf("bob's token: %v", err)
	}
}

func TestTokenLimit(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	alice := newUser(t, s, "alice", store.RoleUser)
	now := time.Now()
	var first store.Token
	for i := range store.MaxLiveTokens {
		tok := newToken(t, s, alice.ID, fmt.Sprintf("pcmt_limit%045d", i), now, time.Hour, store.ScopeSearch)
		if i == 0 {
			first = tok
		}
	}
	extra := store.NewToken{UserID: alice.ID, Name: "one too many", Digest: digestOf("pcmt_extra"), Prefix: "extra",
		Scopes: []string{store.ScopeSearch}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if _, err := s.CreateToken(ctx, extra); !errors.Is(err, store.ErrTokenLimit) {
		t.Fatalf("token %d: %v", store.MaxLiveTokens+1, err)
	}
	if err := audit(s).RevokeToken(ctx, alice.ID, first.ID, entry(store.EventTokenRevoked, now)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateToken(ctx, extra); err != nil {
		t.Fatalf("after revoking one: %v", err)
	}
	// Expired tokens do not count either.
	later := extra
	later.Digest, later.CreatedAt, later.ExpiresAt = digestOf("pcmt_later"), now.Add(2*time.Hour), now.Add(3*time.Hour)
	if _, err := s.CreateToken(ctx, later); err != nil {
		t.Fatalf("once the others expired: %v", err)
	}
}

func TestTokenScopesAndDigestAreChecked(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	alice := newUser(t, s, "alice", store.RoleUser)
	now := time.Now()
	base := store.NewToken{UserID: alice.ID, Name: "n", Digest: digestOf("pcmt_x"), Prefix: "x", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	for _, scopes := range [][]string{nil, {}, {"admin"}, {store.ScopeSearch, "search "}} {
		tok := base
		tok.Scopes = scopes
		if _, err := s.CreateToken(ctx, tok); err == nil {
			t.Errorf("scopes %q accepted", scopes)
		}
	}
	dup := base
	dup.Scopes = []string{store.ScopeSearch, store.ScopeSearch}
	if _, err := s.CreateToken(ctx, dup); err != nil {
		t.Fatalf("a repeated scope: %v", err)
	}
	if _, err := s.CreateToken(ctx, dup); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a second token with the same digest: %v", err)
	}
}

// TestTokenPlaintextNeverStored: only the digest of a token reaches the
// database file or its write-ahead log.
func TestTokenPlaintextNeverStored(t *testing.T) {
	s := storetest.New(t)
	alice := newUser(t, s, "alice", store.RoleUser)
	const plain = "pcmt_secretsecret7q2vd5kz3w9x8yb4nm6c1p0r7t5u3e2a9s8d7f6"
	tok := newToken(t, s, alice.ID, plain, time.Now(), time.Hour, store.ScopeSearch)
	if err := s.TouchToken(context.Background(), tok.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	var stored []byte
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(s.Path() + suffix)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		stored = append(stored, b...)
	}
	if !bytes.Contains(stored, digestOf(plain)) {
		t.Fatal("the digest is not in the files: the test reads the wrong files")
	}
	if bytes.Contains(stored, []byte(plain)) || bytes.Contains(stored, []byte(plain[13:])) {
		t.Fatal("the token's secret part is in the database")
	}
}
