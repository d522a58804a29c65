package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"pcmt/store"
	"pcmt/store/storetest"
)

func TestHIBPCacheGetPutPrune(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	now := time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)
	key := bytes.Repeat([]byte{1}, 32)
	other := bytes.Repeat([]byte{2}, 32)

	if _, _, err := s.HIBPCacheGet(ctx, key, time.Hour, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("absent: %v", err)
	}
	if err := s.HIBPCachePut(ctx, key, []byte(`["Adobe"]`), 200, now); err != nil {
		t.Fatal(err)
	}
	// A 404 keeps an empty body, not NULL.
	if err := s.HIBPCachePut(ctx, other, nil, 404, now.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}

	body, status, err := s.HIBPCacheGet(ctx, key, time.Hour, now.Add(time.Hour))
	if err != nil || status != 200 || string(body) != `["Adobe"]` {
		t.Fatalf("fresh: %q %d %v", body, status, err)
	}
	if _, _, err := s.HIBPCacheGet(ctx, key, time.Hour, now.Add(time.Hour+time.Nanosecond)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("stale: %v", err)
	}
	if _, _, err := s.HIBPCacheGet(ctx, key, 0, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no max age: %v", err)
	}
	body, status, err = s.HIBPCacheGet(ctx, other, 3*time.Hour, now)
	if err != nil || status != 404 || body == nil || len(body) != 0 {
		t.Fatalf("404: %q %d %v", body, status, err)
	}

	// A new answer replaces the old one and its age.
	if err := s.HIBPCachePut(ctx, key, []byte(`[]`), 200, now.Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	body, _, err = s.HIBPCacheGet(ctx, key, time.Hour, now.Add(5*time.Hour))
	if err != nil || string(body) != `[]` {
		t.Fatalf("replaced: %q %v", body, err)
	}

	n, err := s.HIBPCachePrune(ctx, now)
	if err != nil || n != 1 {
		t.Fatalf("prune: %d %v", n, err)
	}
	if _, _, err := s.HIBPCacheGet(ctx, other, 100*time.Hour, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("pruned entry: %v", err)
	}
	if _, _, err := s.HIBPCacheGet(ctx, key, time.Hour, now.Add(5*time.Hour)); err != nil {
		t.Fatalf("kept entry: %v", err)
	}
}
