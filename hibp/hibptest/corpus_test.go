package hibptest_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"pcmt/hibp"
	"pcmt/hibp/hibptest"
)

// TestReadCorpusServesTheDump: a corpus written out as a dump and read
// back answers every range as before.
func TestReadCorpusServesTheDump(t *testing.T) {
	for _, mode := range []string{hibp.ModeSHA1, hibp.ModeNTLM} {
		c := hibptest.Generate(mode, 5, 64, 10)
		var dump bytes.Buffer
		for _, p := range c.Prefixes() {
			for _, line := range strings.Split(string(c.Answer(p)), "\r\n") {
				fmt.Fprintf(&dump, "%05X%s\r\n", p, strings.ToLower(line))
			}
		}
		back, err := hibptest.ReadCorpus(&dump)
		if err != nil {
			t.Fatal(err)
		}
		if back.Mode != mode || back.Hashes() != c.Hashes() {
			t.Fatalf("%s: read back as %s with %d hashes, want %d", mode, back.Mode, back.Hashes(), c.Hashes())
		}
		for p := range uint32(64) {
			if !bytes.Equal(back.Answer(p), c.Answer(p)) {
				t.Fatalf("%s %05X: %q, want %q", mode, p, back.Answer(p), c.Answer(p))
			}
		}
	}
	if _, err := hibptest.ReadCorpus(strings.NewReader("00001AAAA:1\n")); err == nil {
		t.Fatal("a short hash was read")
	}
}
