package search_test

import (
	"crypto/md5"  //nolint:gosec // a breach's unsalted MD5 records
	"crypto/sha1" //nolint:gosec // the Pwned Passwords digest
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"pcmt/apperr"
	"pcmt/search"
	"pcmt/store"
	"pcmt/store/storetest"
)

// TestPrefix: a prefix finds what a password search finds — the corpus
// count or HIBP's, the larger, and the local breaches — and the plan
// decides how short a prefix may be.
func TestPrefix(t *testing.T) {
	w := newWorld(t)
	s := search.New(w.st, w.fake.Client(t, ""), nil)
	sum := sha1.Sum([]byte(localPassword)) //nolint:gosec // the Pwned Passwords digest
	digest := strings.ToUpper(hex.EncodeToString(sum[:]))

	plan, err := s.Plan(t.Context())
	if err != nil || !slices.Equal(plan, []search.KindPlan{{Kind: store.RecordSHA1, Digits: 5}}) {
		t.Fatalf("plan %v, %v", plan, err)
	}
	got, err := s.Prefix(t.Context(), store.RecordSHA1, strings.ToLower(digest[:5]))
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(got.Entries, func(e search.PrefixEntry) bool { return e.Suffix == digest[5:] })
	if i < 0 || got.Entries[i].Count != 5000 || !slices.Equal(got.Entries[i].Breaches, []int64{w.dumpPW}) ||
		len(got.Breaches) != 1 || got.Breaches[0].ID != w.dumpPW || got.HIBP != search.HIBPAsked {
		t.Fatalf("prefix %s: %+v", digest[:5], got)
	}
	if !slices.IsSortedFunc(got.Entries, func(a, b search.PrefixEntry) int { return strings.Compare(a.Suffix, b.Suffix) }) {
		t.Error("entries not in suffix order")
	}

	for _, bad := range []struct {
		kind   store.RecordKind
		prefix string
	}{
		{store.RecordSHA1, digest[:4]}, {store.RecordSHA1, digest[:6]}, {store.RecordSHA1, "2BD1G"}, {store.RecordSHA1, ""},
	} {
		if _, err := s.Prefix(t.Context(), bad.kind, bad.prefix); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("%s %q: %v, want a refusal", bad.kind.Name(), bad.prefix, err)
		}
	}

	// A kind with few records is asked whole; past the budget, with digits.
	var ds [][]byte
	for i := range search.PrefixBudget + 76 {
		d := md5.Sum([]byte("generated " + strconv.Itoa(i))) //nolint:gosec // a breach's unsalted MD5 records
		ds = append(ds, d[:])
	}
	few := storetest.ImportRecords(t, w.st, store.Breach{Name: "few", HashType: "md5"}, store.RecordMD5, ds[:3]...)
	if got, err := s.Prefix(t.Context(), store.RecordMD5, ""); err != nil || len(got.Entries) != 3 ||
		len(got.Breaches) != 1 || got.Breaches[0].ID != few || got.HIBP != search.HIBPOff {
		t.Fatalf("three md5 records, no prefix: %+v, %v", got, err)
	}
	storetest.ImportRecords(t, w.st, store.Breach{Name: "many", HashType: "md5"}, store.RecordMD5, ds...)
	if plan, _ := s.Plan(t.Context()); !slices.Contains(plan, search.KindPlan{Kind: store.RecordMD5, Digits: 1}) {
		t.Fatalf("plan past the budget: %v", plan)
	}
	if _, err := s.Prefix(t.Context(), store.RecordMD5, ""); !errors.Is(err, apperr.ErrInvalid) {
		t.Fatalf("md5 with no digits past the budget: %v", err)
	}
}
