package monitor_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"testing"
	"time"

	"pcmt/monitor"
	"pcmt/store"
	"pcmt/store/storetest"
)

// BenchmarkMatchBreach is one match pass of a breach of 1 M e-mail records
// against 10 k watched values (200 users with 50 each), 100 of which are in
// the breach: the work an import adds for the watchlists.
func BenchmarkMatchBreach(b *testing.B) {
	const records, users, perUser, hits = 1_000_000, 200, store.MaxWatchItems, 100
	ctx := context.Background()
	st := storetest.New(b)
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	m, err := monitor.New(st, secret, nil)
	if err != nil {
		b.Fatal(err)
	}

	digests := make([][]byte, records)
	for i := range digests {
		digests[i] = make([]byte, 32)
		_, _ = rand.Read(digests[i])
	}
	slices.SortFunc(digests, bytes.Compare)
	ids, err := st.ImportBreaches(ctx, []store.NewBreach{{
		Breach:  store.Breach{Name: "big"},
		Records: []store.DigestSource{store.DigestSlice(store.RecordEmail, digests)},
	}}, store.ImportOptions{Now: time.Now()})
	if err != nil {
		b.Fatal(err)
	}

	n := 0
	for u := range users {
		user := &store.User{Username: fmt.Sprintf("user%d", u), Email: fmt.Sprintf("user%d@example.org", u),
			PasswordHash: "$argon2id$x", Role: store.RoleUser}
		if err := st.CreateUser(ctx, user); err != nil {
			b.Fatal(err)
		}
		for range perUser {
			record := make([]byte, 32)
			if n < hits {
				record = digests[n*(records/hits)]
			} else {
				_, _ = rand.Read(record)
			}
			n++
			if _, err := st.AddWatchItem(ctx, store.WatchItem{UserID: user.ID, Kind: store.RecordEmail,
				Ciphertext: []byte("sealed"), Digest: m.Digest(store.RecordEmail, record)}, time.Now()); err != nil {
				b.Fatal(err)
			}
		}
	}

	first := true
	for b.Loop() {
		got, err := m.MatchBreach(ctx, ids[0])
		if err != nil {
			b.Fatal(err)
		}
		if first && got != hits {
			b.Fatalf("%d alerts, want %d", got, hits)
		}
		first = false
	}
	b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
