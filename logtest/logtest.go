// Package logtest keeps what an app under test logs, for the tests that
// read it and to fail a test on any ERROR line it did not provoke: an
// error the app logs is a bug unless a test asked for it.
package logtest

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

// Buffer is a bytes.Buffer that the app's goroutines and the test may
// share.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	// allowed are the ERROR lines a test expects: each is a text the line
	// must contain. Any other ERROR line fails the test.
	allowed []string
}

// AllowErrors lets ERROR lines containing one of texts pass, for a test
// that provokes them on purpose.
func (b *Buffer) AllowErrors(texts ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.allowed = append(b.allowed, texts...)
}

// FailOnErrors fails t when the log holds an ERROR line no test allowed.
func (b *Buffer) FailOnErrors(t testing.TB) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
next:
	for line := range strings.Lines(b.buf.String()) {
		if !strings.Contains(line, " level=ERROR ") {
			continue
		}
		for _, a := range b.allowed {
			if strings.Contains(line, a) {
				continue next
			}
		}
		t.Errorf("the app logged an error:\n%s", line)
	}
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String is everything logged so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
