package hibp_test

import (
	"context"
	"crypto/sha1"
	"errors"
	"testing"

	"pcmt/hibp"
)

func TestRange(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	// SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8.
	f.ranges["sha1/5BAA6"] = padded(35,
		"003D68EB55068C33ACE09247EE4C639306B:3",
		"1E4C9B93F3F0682250B6CF8331B7EE68FD8:10434004")
	// NTLM("password") = 8846F7EAEE8FB117AD06BDD830B7586C.
	f.ranges["ntlm/8846F"] = padded(27, "7EAEE8FB117AD06BDD830B7586C:7491") + "\r\n"
	c := newClient(t, f, nil)

	got, err := c.Range(ctx, "5baa6", hibp.ModeSHA1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1] != (hibp.RangeEntry{Suffix: "1E4C9B93F3F0682250B6CF8331B7EE68FD8", Count: 10434004}) {
		t.Fatalf("sha1 range (padding not dropped?): %+v", got)
	}
	n, err := c.PasswordCount(ctx, sha1.Sum([]byte("password")))
	if err != nil || n != 10434004 {
		t.Fatalf("count: %d %v", n, err)
	}
	// A hash with the same prefix that the range does not hold.
	other := [20]byte{0x5b, 0xaa, 0x6f}
	if n, err := c.PasswordCount(ctx, other); err != nil || n != 0 {
		t.Fatalf("absent: %d %v", n, err)
	}

	ntlm, err := c.Range(ctx, "8846F", hibp.ModeNTLM)
	if err != nil || len(ntlm) != 1 || ntlm[0].Count != 7491 || len(ntlm[0].Suffix) != 27 {
		t.Fatalf("ntlm range: %+v %v", ntlm, err)
	}

	before := f.count("range")
	for _, p := range []string{"", "5BAA", "5BAA61", "5BAAG", "../x"} {
		if _, err := c.Range(ctx, p, hibp.ModeSHA1); !errors.Is(err, hibp.ErrBadPrefix) {
			t.Errorf("prefix %q: %v", p, err)
		}
	}
	if _, err := c.Range(ctx, "5BAA6", "md5"); !errors.Is(err, hibp.ErrBadMode) {
		t.Errorf("mode md5: %v", err)
	}
	if f.count("range") != before {
		t.Fatal("a refused prefix or mode was sent")
	}

	// An answer that is not a range answer fails as a whole.
	f.ranges["sha1/00000"] = "<html>maintenance</html>"
	if _, err := c.Range(ctx, "00000", ""); err == nil {
		t.Fatal("HTML parsed as a range")
	}
}
