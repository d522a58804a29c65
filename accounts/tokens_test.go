package accounts_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"pcmt/accounts"
	"pcmt/store"
	"pcmt/store/storetest"
)

// newToken is a token request whose digest the byte b makes.
func newToken(b byte) accounts.NewToken {
	return accounts.NewToken{Name: "backup script", Digest: bytes.Repeat([]byte{b}, 32), Prefix: "abcd1234",
		Scopes: []string{store.ScopeWatchlistRead, store.ScopeSearch}, Lifetime: 30 * 24 * time.Hour}
}

func (f *fixture) tokens(t *testing.T, by accounts.Self) []store.Token {
	t.Helper()
	list, err := f.st.Tokens(context.Background(), by.UserID)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestCreateToken: a token is made at the Service's clock and logged,
// with its scopes in their usual order, in one transaction; past the
// limit nothing is made or logged.
func TestCreateToken(t *testing.T) {
	f, by := member(t)
	ctx := context.Background()
	storetest.RefuseActivity(t, f.st, store.EventTokenCreated)
	if _, err := f.s.CreateToken(ctx, by, newToken(0)); err == nil {
		t.Fatal("made a token with the log refused")
	}
	if got := f.tokens(t, by); len(got) != 0 {
		t.Fatalf("a token made unlogged: %+v", got)
	}

	f, by = member(t)
	tok, err := f.s.CreateToken(ctx, by, newToken(0))
	if err != nil {
		t.Fatal(err)
	}
	list := f.tokens(t, by)
	if len(list) != 1 || list[0].ID != tok.ID || !list[0].CreatedAt.Equal(clock) ||
		!list[0].ExpiresAt.Equal(clock.Add(30*24*time.Hour)) || !list[0].Live(clock) {
		t.Fatalf("stored %+v, returned %+v", list, tok)
	}
	f.logged(t, by, store.EventTokenCreated, "“backup script” (pcmt_abcd1234…, search watchlist:read)")

	for i := 1; i < store.MaxLiveTokens; i++ {
		if _, err := f.s.CreateToken(ctx, by, newToken(byte(i))); err != nil {
			t.Fatal(err)
		}
	}
	before := f.entries(t, by)
	if _, err := f.s.CreateToken(ctx, by, newToken(99)); !errors.Is(err, store.ErrTokenLimit) {
		t.Fatalf("past the limit: %v", err)
	}
	if len(f.tokens(t, by)) != store.MaxLiveTokens || f.entries(t, by) != before {
		t.Fatal("a refused token stored or logged")
	}
}

// TestRevokeToken: a user revokes their own token at the Service's clock,
// with its log entry or not at all, and never someone else's.
func TestRevokeToken(t *testing.T) {
	f, by := member(t)
	ctx := context.Background()
	tok, err := f.s.CreateToken(ctx, by, newToken(1))
	if err != nil {
		t.Fatal(err)
	}
	storetest.RefuseActivity(t, f.st, store.EventTokenRevoked)
	if err := f.s.RevokeToken(ctx, by, tok.ID); err == nil {
		t.Fatal("revoked with the log refused")
	}
	if !f.tokens(t, by)[0].Live(clock) {
		t.Fatal("a token revoked unlogged")
	}

	f, by = member(t)
	if tok, err = f.s.CreateToken(ctx, by, newToken(1)); err != nil {
		t.Fatal(err)
	}
	c, err := f.s.CreateUser(ctx, accounts.NewUser{Username: "eve", Email: "eve@example.org", Role: store.RoleUser})
	if err != nil {
		t.Fatal(err)
	}
	eve := accounts.Self{UserID: c.User.ID}
	if err := f.s.RevokeToken(ctx, eve, tok.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("someone else's token: %v", err)
	}
	if !f.tokens(t, by)[0].Live(clock) || f.entries(t, eve) != 1 {
		t.Fatal("someone else revoked the token, or the refusal was logged")
	}
	if err := f.s.RevokeToken(ctx, by, tok.ID); err != nil {
		t.Fatal(err)
	}
	if got := f.tokens(t, by)[0]; !got.RevokedAt.Equal(clock) {
		t.Fatalf("revoked at %v", got.RevokedAt)
	}
	f.logged(t, by, store.EventTokenRevoked, "token "+strconv.FormatInt(tok.ID, 10))
}
