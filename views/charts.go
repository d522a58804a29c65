package views

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// The dashboard's pictures are SVG drawn on the server. The geometry is
// worked out here, in pure functions, so the templates only place what
// these return and the tests can check the numbers. Coordinates are in the
// units of the SVG's viewBox; the SVG scales to its container.

// Exposure is one breach a user's watched values are in.
type Exposure struct {
	BreachID    int64
	Title       string
	Date        time.Time // zero when the breach's date is unknown
	DataClasses []string
}

// TimelineTick is a year on the timeline's axis.
type TimelineTick struct {
	X     float64
	Label string
}

// TimelineMark is one breach on the timeline.
type TimelineMark struct {
	X, Y     float64
	BreachID int64
	Title    string
	Date     string // as people read it
}

// TimelineChart is the timeline of a user's exposures: one mark per dated
// breach, placed by its date on a year axis; marks that would overlap are
// stacked above one another.
type TimelineChart struct {
	Width, Height float64
	AxisY         float64
	AxisX0        float64
	AxisX1        float64
	Ticks         []TimelineTick
	Marks         []TimelineMark
	Undated       int // breaches left off for want of a date
}

// The timeline's layout.
const (
	timelineWidth  = 420.0
	timelinePad    = 24.0 // room either side for the first and last labels
	timelineMarkR  = 6.0  // a mark's radius
	timelineLaneH  = 16.0 // how far a stacked mark sits above the one below
	timelineLanes  = 4    // the most marks stacked; more overlap
	timelineBottom = 28.0 // below the axis, for the year labels
	timelineMaxTks = 12   // the most year labels
)

// Timeline lays out exposures on a year axis running from the January of
// the earliest dated breach to the January after the latest.
func Timeline(exposures []Exposure) TimelineChart {
	var dated []Exposure
	undated := 0
	for _, e := range exposures {
		if e.Date.IsZero() {
			undated++
			continue
		}
		dated = append(dated, e)
	}
	c := TimelineChart{Width: timelineWidth, AxisX0: timelinePad, AxisX1: timelineWidth - timelinePad, Undated: undated}
	if len(dated) == 0 {
		return c
	}
	slices.SortStableFunc(dated, func(a, b Exposure) int {
		return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(a.BreachID, b.BreachID))
	})
	first, last := dated[0].Date.UTC().Year(), dated[len(dated)-1].Date.UTC().Year()+1
	start := time.Date(first, time.January, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(last, time.January, 1, 0, 0, 0, 0, time.UTC)
	span := end.Sub(start).Seconds()
	xOf := func(t time.Time) float64 {
		return c.AxisX0 + (c.AxisX1-c.AxisX0)*t.Sub(start).Seconds()/span
	}

	step := yearStep(last - first)
	for y := first; y <= last; y += step {
		c.Ticks = append(c.Ticks, TimelineTick{X: xOf(time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC)), Label: strconv.Itoa(y)})
	}

	// Each mark takes the lowest lane where it clears the last mark placed
	// there; past the top lane, marks share the top one.
	laneEnd := make([]float64, 0, timelineLanes)
	lanes := make([]int, len(dated))
	used := 1
	for i, e := range dated {
		x := xOf(e.Date.UTC())
		lane := -1
		for l, endX := range laneEnd {
			if x-endX >= 2*timelineMarkR+2 {
				lane = l
				break
			}
		}
		if lane < 0 {
			if len(laneEnd) < timelineLanes {
				laneEnd = append(laneEnd, 0)
				lane = len(laneEnd) - 1
			} else {
				lane = timelineLanes - 1
			}
		}
		laneEnd[lane] = x
		lanes[i] = lane
		used = max(used, lane+1)
		c.Marks = append(c.Marks, TimelineMark{X: x, BreachID: e.BreachID, Title: e.Title, Date: day(e.Date)})
	}
	top := 8.0
	c.AxisY = top + float64(used)*timelineLaneH + timelineMarkR
	for i := range c.Marks {
		c.Marks[i].Y = c.AxisY - timelineMarkR - 4 - float64(lanes[i])*timelineLaneH
	}
	c.Height = c.AxisY + timelineBottom
	return c
}

// yearStep is how many years apart the labels go so that there are at most
// timelineMaxTks+1 of them.
func yearStep(years int) int {
	for _, s := range []int{1, 2, 5, 10, 20, 50} {
		if years/s <= timelineMaxTks {
			return s
		}
	}
	return 100
}

// Bar is one data class in the breakdown.
type Bar struct {
	Label  string // the data class, shortened to fit
	Full   string // the data class as stored
	Count  int
	Y      float64 // the top of the bar
	Length float64 // the bar's length
	TextY  float64 // the baseline of the bar's texts
	EndX   float64 // where the count is written
}

// BarChart is the breakdown of a user's breaches by data class: one
// horizontal bar per class, longest first.
type BarChart struct {
	Width, Height float64
	LabelX        float64 // the labels end here, right-aligned
	BarX          float64 // the bars start here
	BarH          float64
	Bars          []Bar
}

// The breakdown's layout.
const (
	barWidth    = 420.0
	barLabelW   = 150.0 // room for the labels
	barCountW   = 40.0  // room after the longest bar for its count
	barH        = 18.0
	barGap      = 8.0
	barLabelMax = 20 // characters of a label shown; the whole is in the title
)

// DataClassBreakdown counts, per data class, the exposures that leaked it,
// and lays out the bars: the longest (the most breaches) is as long as
// there is room for, the others in proportion. Ties go alphabetically.
func DataClassBreakdown(exposures []Exposure) BarChart {
	counts := map[string]int{}
	for _, e := range exposures {
		seen := map[string]bool{}
		for _, dc := range e.DataClasses {
			if dc == "" || seen[dc] {
				continue
			}
			seen[dc] = true
			counts[dc]++
		}
	}
	c := BarChart{Width: barWidth, LabelX: barLabelW - 8, BarX: barLabelW, BarH: barH}
	if len(counts) == 0 {
		return c
	}
	classes := make([]string, 0, len(counts))
	for dc := range counts {
		classes = append(classes, dc)
	}
	slices.SortFunc(classes, func(a, b string) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
	})
	most := counts[classes[0]]
	room := barWidth - barLabelW - barCountW
	for i, dc := range classes {
		y := float64(i) * (barH + barGap)
		length := room * float64(counts[dc]) / float64(most)
		c.Bars = append(c.Bars, Bar{Label: shorten(dc, barLabelMax), Full: dc, Count: counts[dc],
			Y: y, Length: length, TextY: y + barH - 5, EndX: barLabelW + length + 6})
	}
	c.Height = float64(len(classes))*(barH+barGap) - barGap
	return c
}

// shorten cuts s to n characters, marking the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// num writes a coordinate for an SVG attribute: at most two decimals, no
// trailing zeros.
func num(f float64) string {
	return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64)
}

// viewBox is the viewBox attribute of a w×h picture.
func viewBox(w, h float64) string {
	return fmt.Sprintf("0 0 %s %s", num(w), num(h))
}
