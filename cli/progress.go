package cli

import (
	"fmt"
	stdio "io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"pcmt/breach"
	"pcmt/config"
)

func isTerminal(w stdio.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressBar shows an import's or a sync's progress: a bar redrawn in place on a
// terminal, a plain line every plainEvery otherwise (logs, CI).
type progressBar struct {
	w     stdio.Writer
	name  string
	tty   bool
	last  time.Time
	drawn bool
}

const plainEvery = 10 * time.Second

func newProgressBar(w stdio.Writer, name string, tty bool) *progressBar {
	return &progressBar{w: w, name: name, tty: tty}
}

func (b *progressBar) update(p breach.Progress) { b.draw(p.Bytes, p.Total, progressLine(p)) }

// updateSync shows a corpus sync's progress, in ranges.
func (b *progressBar) updateSync(p breach.SyncProgress) { b.draw(p.Done, p.Total, syncLine(p)) }

// draw shows done of total and line.
func (b *progressBar) draw(done, total int64, line string) {
	if !b.tty {
		if now := time.Now(); now.Sub(b.last) >= plainEvery {
			b.last = now
			fmt.Fprintf(b.w, "%s: %s\n", b.name, line)
		}
		return
	}
	const width = 30
	filled := 0
	if total > 0 {
		filled = int(int64(width) * min(done, total) / total)
	}
	fmt.Fprintf(b.w, "\r\033[K[%s%s] %s", strings.Repeat("=", filled), strings.Repeat(" ", width-filled), line)
	b.drawn = true
}

func (b *progressBar) done() {
	if b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
	}
}

// progressLine says bytes, records per second and the time left.
func progressLine(p breach.Progress) string {
	rate, eta := 0.0, "?"
	if s := p.Elapsed.Seconds(); s > 0 {
		rate = float64(p.Records) / s
		if p.Bytes > 0 && p.Total >= p.Bytes && p.Phase == "reading" {
			left := time.Duration(float64(p.Elapsed) * float64(p.Total-p.Bytes) / float64(p.Bytes))
			eta = left.Round(time.Second).String()
		}
	}
	return fmt.Sprintf("%s %s / %s, %d records, %.0f records/s, ETA %s",
		p.Phase, config.ByteSize(p.Bytes).Human(), config.ByteSize(p.Total).Human(), p.Records, rate, eta)
}

// syncLine says ranges done, ranges per second, how they ended and the
// time left, by this run's rate.
func syncLine(p breach.SyncProgress) string {
	rate, eta := 0.0, "?"
	if s := p.Elapsed.Seconds(); s > 0 {
		rate = float64(p.Done-p.DoneBefore) / s
		if rate > 0 {
			eta = time.Duration(float64(p.Total-p.Done) / rate * float64(time.Second)).Round(time.Second).String()
		}
	}
	return fmt.Sprintf("%d / %d ranges, %.0f ranges/s, %d fetched, %d unchanged, %d changed, %d failed, ETA %s",
		p.Done, p.Total, rate, p.Fetched, p.Unchanged, p.Changed, p.Failed, eta)
}
