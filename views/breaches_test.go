package views

import (
	"testing"
	"time"
)

func TestCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1\u202f000", 1234567: "1\u202f234\u202f567", -4200: "-4\u202f200"} {
		if got := count(n); got != want {
			t.Errorf("count(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestImportJobProgress(t *testing.T) {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	j := ImportJobView{State: "running", FileSize: 4000, BytesDone: 1000, Records: 500,
		StartedAt: start, Now: start.Add(10 * time.Second)}
	if j.Percent() != 25 || j.Rate() != "50 records/s" || j.ETA() != "30s" {
		t.Fatalf("running: %d %%, %s, ETA %s", j.Percent(), j.Rate(), j.ETA())
	}
	j.State, j.FinishedAt, j.BytesDone = "done", start.Add(20*time.Second), 4000
	if j.Percent() != 100 || j.ETA() != "–" || j.Elapsed() != "20s" {
		t.Fatalf("done: %d %%, ETA %s, took %s", j.Percent(), j.ETA(), j.Elapsed())
	}
	queued := ImportJobView{State: "queued", FileSize: 100}
	if queued.Percent() != 0 || queued.Rate() != "–" || queued.ETA() != "–" {
		t.Fatalf("queued: %d %%, %s, %s", queued.Percent(), queued.Rate(), queued.ETA())
	}
}
