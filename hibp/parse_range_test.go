package hibp

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestParseRange(t *testing.T) {
	for _, tc := range []struct {
		name, body, mode string
		want             []RangeEntry
		bad              bool
	}{
		{name: "empty", body: "", mode: ModeSHA1},
		{name: "crlf and padding", mode: ModeSHA1,
			body: "003D68EB55068C33ACE09247EE4C639306B:3\r\n00000000000000000000000000000000000:0\r\n",
			want: []RangeEntry{{"003D68EB55068C33ACE09247EE4C639306B", 3}}},
		{name: "lf, lowercase", mode: ModeSHA1, body: "003d68eb55068c33ace09247ee4c639306b:12",
			want: []RangeEntry{{"003D68EB55068C33ACE09247EE4C639306B", 12}}},
		{name: "ntlm", mode: ModeNTLM, body: "7EAEE8FB117AD06BDD830B7586C:7491",
			want: []RangeEntry{{"7EAEE8FB117AD06BDD830B7586C", 7491}}},
		{name: "ntlm suffix in sha1 mode", mode: ModeSHA1, body: "7EAEE8FB117AD06BDD830B7586C:7491", bad: true},
		{name: "no count", mode: ModeSHA1, body: "003D68EB55068C33ACE09247EE4C639306B", bad: true},
		{name: "negative", mode: ModeSHA1, body: "003D68EB55068C33ACE09247EE4C639306B:-1", bad: true},
		{name: "overflow", mode: ModeSHA1, body: "003D68EB55068C33ACE09247EE4C639306B:18446744073709551616", bad: true},
		{name: "not hex", mode: ModeSHA1, body: "003D68EB55068C33ACE09247EE4C639306Z:1", bad: true},
	} {
		got, err := parseRange([]byte(tc.body), tc.mode)
		if (err != nil) != tc.bad || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v %v", tc.name, got, err)
		}
	}
}

// FuzzParseRange: any answer either fails or gives well-formed entries that
// read back the same when written out again.
func FuzzParseRange(f *testing.F) {
	f.Add([]byte("003D68EB55068C33ACE09247EE4C639306B:3\r\n1E4C9B93F3F0682250B6CF8331B7EE68FD8:10434004\r\n"), false)
	f.Add([]byte("7EAEE8FB117AD06BDD830B7586C:7491\r\n000000000000000000000000000:0"), true)
	f.Add([]byte(":\r\n\r\n:0\n"), false)
	f.Add([]byte("003D68EB55068C33ACE09247EE4C639306B:0018446744073709551615"), false)
	f.Fuzz(func(t *testing.T, body []byte, ntlm bool) {
		mode, suffixLen := ModeSHA1, 35
		if ntlm {
			mode, suffixLen = ModeNTLM, 27
		}
		got, err := parseRange(body, mode)
		if err != nil {
			return
		}
		var b strings.Builder
		for _, e := range got {
			if len(e.Suffix) != suffixLen || !IsHex(e.Suffix) || strings.ToUpper(e.Suffix) != e.Suffix || e.Count == 0 {
				t.Fatalf("bad entry %+v", e)
			}
			fmt.Fprintf(&b, "%s:%d\r\n", e.Suffix, e.Count)
		}
		again, err := parseRange([]byte(b.String()), mode)
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("written out and read back: %+v %v, want %+v", again, err, got)
		}
	})
}
