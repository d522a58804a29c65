package hibp

import (
	"encoding/json"
	"testing"
	"time"
)

// TestDayReadsAndWritesHIBPsShape: what HIBP writes reads back, and what
// pcmt writes for /api/v3 is what HIBP writes.
func TestDayReadsAndWritesHIBPsShape(t *testing.T) {
	for _, c := range []struct {
		in, out string
		day     time.Time
	}{
		{`"2013-10-04"`, `"2013-10-04"`, time.Date(2013, 10, 4, 0, 0, 0, 0, time.UTC)},
		{`""`, `""`, time.Time{}},
		{`null`, `""`, time.Time{}},
	} {
		var d Day
		if err := json.Unmarshal([]byte(c.in), &d); err != nil || !d.Equal(c.day) {
			t.Errorf("%s read as %v, %v", c.in, d, err)
		}
		if b, err := json.Marshal(d); err != nil || string(b) != c.out {
			t.Errorf("%s written as %s, %v", c.in, b, err)
		}
	}
	for _, bad := range []string{`"2013-13-04"`, `"04/10/2013"`, `20131004`, `"2013-10-04T00:00:00Z"`} {
		var d Day
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("%s read as %v", bad, d)
		}
	}
}

func FuzzDay(f *testing.F) {
	for _, s := range []string{`"2013-10-04"`, `""`, `null`, `"0000-01-01"`, `"9999-12-31"`, `{}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var d Day
		if json.Unmarshal([]byte(s), &d) != nil {
			return
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var again Day
		if err := json.Unmarshal(b, &again); err != nil || !again.Equal(d.Time) {
			t.Fatalf("%s → %s → %v, %v", s, b, again, err)
		}
	})
}
