package accounts

import (
	"context"
	"strconv"
	"strings"
	"time"

	"pcmt/store"
)

// NewToken is a personal API token a user asked for. The caller made the
// token, shows it once, and passes only its digest and the part shown.
type NewToken struct {
	Name   string
	Digest []byte
	Prefix string
	Scopes []string
	// Lifetime is how long the token works: every token expires.
	Lifetime time.Duration
}

// CreateToken stores the token t of by, made now, and logs it in one
// transaction. A user with store.MaxLiveTokens working tokens already is
// refused with store.ErrTokenLimit.
func (s *Service) CreateToken(ctx context.Context, by Self, t NewToken) (store.Token, error) {
	ev := by.entry(s, store.EventTokenCreated, "")
	return s.audit.CreateToken(ctx, store.NewToken{
		UserID: by.UserID, Name: t.Name, Digest: t.Digest, Prefix: t.Prefix, Scopes: t.Scopes,
		CreatedAt: ev.At, ExpiresAt: ev.At.Add(t.Lifetime),
	}, ev, tokenDetail)
}

// RevokeToken revokes by's token id now and logs it; revoking a revoked
// token changes nothing but is logged. Another user's token is
// store.ErrNotFound: it does not exist for by.
func (s *Service) RevokeToken(ctx context.Context, by Self, id int64) error {
	return s.audit.RevokeToken(ctx, by.UserID, id,
		by.entry(s, store.EventTokenRevoked, "token "+strconv.FormatInt(id, 10)))
}

// tokenDetail names a token in the activity log.
func tokenDetail(t store.Token) string {
	return "“" + t.Name + "” (pcmt_" + t.Prefix + "…, " + strings.Join(t.Scopes, " ") + ")"
}
