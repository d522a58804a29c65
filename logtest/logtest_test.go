package logtest

import (
	"fmt"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps what Errorf was told.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestFailOnErrors: an ERROR line fails the test unless a text of it was
// allowed; other levels never do.
func TestFailOnErrors(t *testing.T) {
	var b Buffer
	fmt.Fprintln(&b, `time=now level=INFO msg="served"`)
	fmt.Fprintln(&b, `time=now level=ERROR msg="activity log" err="disk full"`)
	fmt.Fprintln(&b, `time=now level=ERROR msg="provoked" err="upstream down"`)
	b.AllowErrors("upstream down")
	r := &recorder{TB: t}
	b.FailOnErrors(r)
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], "disk full") {
		t.Fatalf("failures %q, want the one unallowed ERROR line", r.errs)
	}
	if got := b.String(); !strings.Contains(got, "served") {
		t.Fatalf("String lost a line: %q", got)
	}
}
