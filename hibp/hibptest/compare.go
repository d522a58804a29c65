package hibptest

import (
	"bytes"
	"context"
	"fmt"

	"pcmt/hibp"
	"pcmt/store"
)

// Compare checks that st holds exactly c's ranges below space, in c's
// mode, and returns the first difference: a range missing, extra, or with
// a hash or count of its own.
func Compare(ctx context.Context, st *store.Store, c *Corpus, space uint32) error {
	mode := store.PwnedMode(c.Mode)
	size := mode.Size()
	for p := range space {
		digests, counts, err := hibp.ParseRangeAnswer(c.Answer(p), p, c.Mode)
		if err != nil {
			return err
		}
		r, err := st.PwnedRange(ctx, mode, p)
		if err != nil {
			return err
		}
		if r.N != len(counts) {
			return fmt.Errorf("range %05X: %d hashes stored, upstream has %d", p, r.N, len(counts))
		}
		i := 0
		for key, count := range r.Entries() {
			if want := digests[i*size+2 : (i+1)*size]; !bytes.Equal(key, want) || count != counts[i] {
				return fmt.Errorf("range %05X: entry %d is %X:%d, upstream has %X:%d", p, i, key, count, want, counts[i])
			}
			i++
		}
	}
	if st, err := st.PwnedStats(ctx, mode); err != nil || st.Hashes != c.Hashes() {
		return fmt.Errorf("%d hashes stored in all (%v), upstream has %d", st.Hashes, err, c.Hashes())
	}
	return nil
}
