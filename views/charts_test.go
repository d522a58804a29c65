package views

import (
	"testing"
	"time"
)

func utcDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestTimelineEmpty(t *testing.T) {
	c := Timeline(nil)
	if len(c.Marks) != 0 || len(c.Ticks) != 0 || c.Undated != 0 {
		t.Fatalf("empty: %+v", c)
	}
	c = Timeline([]Exposure{{BreachID: 1, Title: "Undated"}})
	if len(c.Marks) != 0 || c.Undated != 1 {
		t.Fatalf("only undated: %+v", c)
	}
}

func TestTimelinePlacesByDate(t *testing.T) {
	c := Timeline([]Exposure{
		{BreachID: 2, Title: "Later", Date: utcDay(2022, time.July, 2)},
		{BreachID: 1, Title: "Earlier", Date: utcDay(2019, time.January, 1)},
		{BreachID: 3, Title: "No date"},
	})
	if c.Undated != 1 || len(c.Marks) != 2 {
		t.Fatalf("marks %+v, undated %d", c.Marks, c.Undated)
	}
	// 2019 to 2023: five labels, the first at the axis's start, the last at its end.
	want := []string{"2019", "2020", "2021", "2022", "2023"}
	if len(c.Ticks) != len(want) {
		t.Fatalf("ticks %+v", c.Ticks)
	}
	for i, tk := range c.Ticks {
		if tk.Label != want[i] {
			t.Errorf("tick %d: %q, want %q", i, tk.Label, want[i])
		}
	}
	if c.Ticks[0].X != c.AxisX0 || c.Ticks[len(c.Ticks)-1].X != c.AxisX1 {
		t.Errorf("ticks span %v..%v, axis %v..%v", c.Ticks[0].X, c.Ticks[len(c.Ticks)-1].X, c.AxisX0, c.AxisX1)
	}
	early, late := c.Marks[0], c.Marks[1]
	if early.Title != "Earlier" || late.Title != "Later" {
		t.Fatalf("order: %q, %q", early.Title, late.Title)
	}
	if early.X != c.AxisX0 {
		t.Errorf("1 Jan 2019 at x=%v, want the axis's start %v", early.X, c.AxisX0)
	}
	// Mid-2022 is about 3.5 of 4 years along.
	if frac := (late.X - c.AxisX0) / (c.AxisX1 - c.AxisX0); frac < 0.87 || frac > 0.88 {
		t.Errorf("2 Jul 2022 at %.3f of the axis", frac)
	}
	if early.Y != late.Y || early.Y >= c.AxisY {
		t.Errorf("apart marks: y %v and %v, axis at %v", early.Y, late.Y, c.AxisY)
	}
	if late.Date != "2 Jul 2022" || c.Height <= c.AxisY {
		t.Errorf("date %q, height %v", late.Date, c.Height)
	}
}

func TestTimelineStacksCloseMarks(t *testing.T) {
	var es []Exposure
	for i := range 6 {
		es = append(es, Exposure{BreachID: int64(i + 1), Title: "Same day", Date: utcDay(2020, time.March, 3)})
	}
	c := Timeline(es)
	ys := map[float64]int{}
	for _, m := range c.Marks {
		ys[m.Y]++
		if m.Y < 0 || m.Y >= c.AxisY {
			t.Errorf("mark at y=%v outside 0..%v", m.Y, c.AxisY)
		}
	}
	// Four lanes, the last shared by the marks that do not fit.
	if len(ys) != timelineLanes {
		t.Errorf("lanes: %v", ys)
	}
	if one := Timeline(es[:1]); one.Height >= c.Height {
		t.Errorf("stacked timeline %v high, a single mark's %v", c.Height, one.Height)
	}
}

func TestYearStep(t *testing.T) {
	for _, tc := range []struct{ years, step int }{{1, 1}, {12, 1}, {13, 2}, {24, 2}, {25, 2}, {26, 5}, {60, 5}, {65, 10}, {500, 50}, {700, 100}} {
		if got := yearStep(tc.years); got != tc.step {
			t.Errorf("yearStep(%d) = %d, want %d", tc.years, got, tc.step)
		}
	}
}

func TestDataClassBreakdown(t *testing.T) {
	if c := DataClassBreakdown([]Exposure{{BreachID: 1}}); len(c.Bars) != 0 {
		t.Fatalf("no classes: %+v", c.Bars)
	}
	c := DataClassBreakdown([]Exposure{
		{BreachID: 1, DataClasses: []string{"Passwords", "Email addresses", "Email addresses"}},
		{BreachID: 2, DataClasses: []string{"Email addresses", "Usernames"}},
		{BreachID: 3, DataClasses: []string{"Email addresses", "Security questions and answers of the old kind"}},
	})
	want := []struct {
		full  string
		count int
	}{{"Email addresses", 3}, {"Passwords", 1}, {"Security questions and answers of the old kind", 1}, {"Usernames", 1}}
	if len(c.Bars) != len(want) {
		t.Fatalf("bars %+v", c.Bars)
	}
	room := c.Width - c.BarX - barCountW
	for i, w := range want {
		b := c.Bars[i]
		if b.Full != w.full || b.Count != w.count {
			t.Errorf("bar %d: %q × %d, want %q × %d", i, b.Full, b.Count, w.full, w.count)
		}
		if wantLen := room * float64(w.count) / 3; b.Length != wantLen {
			t.Errorf("bar %d: length %v, want %v", i, b.Length, wantLen)
		}
		if b.EndX+barCountW-6 > c.Width+0.001 {
			t.Errorf("bar %d: count at %v runs past %v", i, b.EndX, c.Width)
		}
		if i > 0 && b.Y <= c.Bars[i-1].Y+c.BarH {
			t.Errorf("bar %d at y=%v overlaps the one above", i, b.Y)
		}
	}
	if long := c.Bars[2].Label; len([]rune(long)) != barLabelMax || long[len(long)-3:] != "…" {
		t.Errorf("long label %q", long)
	}
	if last := c.Bars[len(c.Bars)-1]; c.Height != last.Y+c.BarH {
		t.Errorf("height %v, last bar ends at %v", c.Height, last.Y+c.BarH)
	}
}

func TestNum(t *testing.T) {
	for f, want := range map[float64]string{0: "0", 24: "24", 1.005: "1", 1.234: "1.23", 640.5: "640.5"} {
		if got := num(f); got != want {
			t.Errorf("num(%v) = %q, want %q", f, got, want)
		}
	}
	if got := viewBox(640, 52.5); got != "0 0 640 52.5" {
		t.Errorf("viewBox: %q", got)
	}
}
