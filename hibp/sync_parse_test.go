package hibp_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"pcmt/hibp"
)

func TestParseRangeAnswer(t *testing.T) {
	const (
		a = "003D68EB55068C33ACE09247EE4C639306B"
		b = "1E4C9B93F3F0682250B6CF8331B7EE68FD8"
	)
	for _, tc := range []struct {
		name, body, mode string
		counts           []uint64
		bad              string // what the error says
	}{
		{name: "empty range", body: "", mode: hibp.ModeSHA1},
		{name: "crlf, no final break", body: a + ":3\r\n" + b + ":10434004", mode: hibp.ModeSHA1, counts: []uint64{3, 10434004}},
		{name: "final crlf", body: a + ":3\r\n" + b + ":7\r\n", mode: hibp.ModeSHA1, counts: []uint64{3, 7}},
		{name: "lf, lower case", body: strings.ToLower(a) + ":3\n" + b + ":7", mode: hibp.ModeSHA1, counts: []uint64{3, 7}},
		{name: "padding dropped", body: "000000000000000000000000000000000AA:0\r\n" + a + ":3", mode: hibp.ModeSHA1, counts: []uint64{3}},
		{name: "ntlm", body: "7EAEE8FB117AD06BDD830B7586C:7491", mode: hibp.ModeNTLM, counts: []uint64{7491}},
		{name: "ntlm suffix in sha1", body: "7EAEE8FB117AD06BDD830B7586C:7491", mode: hibp.ModeSHA1, bad: "line 1: not SUFFIX:COUNT"},
		{name: "empty line inside", body: a + ":3\r\n\r\n" + b + ":7", mode: hibp.ModeSHA1, bad: "line 2: empty line"},
		{name: "two final breaks", body: a + ":3\r\n\r\n", mode: hibp.ModeSHA1, bad: "line 2: empty line"},
		{name: "space before count", body: a + ": 3", mode: hibp.ModeSHA1, bad: "line 1: the count"},
		{name: "trailing space", body: a + ":3 ", mode: hibp.ModeSHA1, bad: "line 1: the count"},
		{name: "no count", body: a + ":", mode: hibp.ModeSHA1, bad: "line 1: not SUFFIX:COUNT"},
		{name: "negative", body: a + ":-1", mode: hibp.ModeSHA1, bad: "the count"},
		{name: "overflow", body: a + ":18446744073709551616", mode: hibp.ModeSHA1, bad: "the count"},
		{name: "largest count", body: a + ":18446744073709551615", mode: hibp.ModeSHA1, counts: []uint64{1<<64 - 1}},
		{name: "not hex", body: a[:34] + "G:1", mode: hibp.ModeSHA1, bad: "not hexadecimal"},
		{name: "out of order", body: b + ":1\r\n" + a + ":2", mode: hibp.ModeSHA1, bad: "line 2: suffix not after"},
		{name: "duplicate", body: a + ":1\r\n" + a + ":2", mode: hibp.ModeSHA1, bad: "line 2: suffix not after"},
		{name: "html", body: "<html>busy</html>", mode: hibp.ModeSHA1, bad: "line 1: not SUFFIX:COUNT"},
	} {
		digests, counts, err := hibp.ParseRangeAnswer([]byte(tc.body), 0x21BD1, tc.mode)
		if tc.bad != "" {
			if err == nil || !errors.Is(err, hibp.ErrMalformedRange) || !strings.Contains(err.Error(), tc.bad) ||
				!strings.HasPrefix(err.Error(), "range 21BD1: ") {
				t.Errorf("%s: error %v, want one naming range 21BD1 and %q", tc.name, err, tc.bad)
			}
			continue
		}
		if err != nil || !slices.Equal(counts, tc.counts) {
			t.Errorf("%s: counts %v, %v; want %v", tc.name, counts, err, tc.counts)
			continue
		}
		size := 20
		if tc.mode == hibp.ModeNTLM {
			size = 16
		}
		if len(digests) != size*len(counts) {
			t.Errorf("%s: %d digest bytes for %d counts", tc.name, len(digests), len(counts))
		}
		for i := range counts {
			if got := fmt.Sprintf("%X", digests[i*size:(i+1)*size]); got[:5] != "21BD1" {
				t.Errorf("%s: digest %s outside the range", tc.name, got)
			}
		}
	}
	d, _, _ := hibp.ParseRangeAnswer([]byte(a+":3"), 0x21BD1, hibp.ModeSHA1)
	if got := fmt.Sprintf("%X", d); got != "21BD1"+a {
		t.Errorf("digest %s, want the prefix and the suffix", got)
	}
}

// FuzzParseRangeAnswer: any answer either fails, naming the range, or
// gives hashes of the range in strictly ascending order with counts above
// zero, which written out as the API writes them read back the same.
func FuzzParseRangeAnswer(f *testing.F) {
	f.Add([]byte("003D68EB55068C33ACE09247EE4C639306B:3\r\n1E4C9B93F3F0682250B6CF8331B7EE68FD8:10434004"), uint32(0x21BD1), false)
	f.Add([]byte("7EAEE8FB117AD06BDD830B7586C:7491\r\n"), uint32(0x8846F), true)
	f.Add([]byte("000000000000000000000000000000000AA:0\n\n:\r\n"), uint32(0), false)
	f.Add([]byte("003d68eb55068c33ace09247ee4c639306b:0018446744073709551615"), uint32(0xFFFFF), false)
	f.Fuzz(func(t *testing.T, body []byte, prefix uint32, ntlm bool) {
		prefix &= 0xFFFFF
		mode, size := hibp.ModeSHA1, 20
		if ntlm {
			mode, size = hibp.ModeNTLM, 16
		}
		digests, counts, err := hibp.ParseRangeAnswer(body, prefix, mode)
		if err != nil {
			if want := fmt.Sprintf("range %05X: line ", prefix); !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("error %q does not name the range", err)
			}
			return
		}
		if len(digests) != size*len(counts) {
			t.Fatalf("%d digest bytes for %d counts", len(digests), len(counts))
		}
		var out bytes.Buffer
		for i, c := range counts {
			d := digests[i*size : (i+1)*size]
			if h := fmt.Sprintf("%X", d); h[:5] != fmt.Sprintf("%05X", prefix) || c == 0 {
				t.Fatalf("entry %s:%d", h, c)
			}
			if i > 0 && bytes.Compare(digests[(i-1)*size:i*size], d) >= 0 {
				t.Fatalf("entries out of order at %d", i)
			}
			if i > 0 {
				out.WriteString("\r\n")
			}
			fmt.Fprintf(&out, "%s:%d", fmt.Sprintf("%X", d)[5:], c)
		}
		again, againCounts, err := hibp.ParseRangeAnswer(out.Bytes(), prefix, mode)
		if err != nil || !bytes.Equal(again, digests) || !slices.Equal(againCounts, counts) {
			t.Fatalf("written out and read back: %v", err)
		}
	})
}
