package breach

import (
	"bufio"
	"io"
)

// bufioLarge wraps r the way the importer does, in a buffer larger than
// the readers' own.
func bufioLarge(r io.Reader) io.Reader { return bufio.NewReaderSize(r, 1<<20) }
