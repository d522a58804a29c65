package breach

import (
	"strconv"

	"pcmt/apperr"
)

// ParseError says where input went wrong. Error() is
// "FILE: document D, line L: MSG" for YAML, "FILE: line L: MSG" when
// Document is 0; the "FILE: " prefix is left out when File is empty.
type ParseError struct {
	File     string
	Document int   // 1-based YAML document number, 0 for line formats
	Line     int64 // 1-based line in the file
	Msg      string
}

// Error names the place first so that a user can go straight to it.
func (e *ParseError) Error() string {
	b := make([]byte, 0, len(e.File)+len(e.Msg)+40)
	if e.File != "" {
		b = append(b, e.File...)
		b = append(b, ": "...)
	}
	if e.Document > 0 {
		b = append(b, "document "...)
		b = strconv.AppendInt(b, int64(e.Document), 10)
		b = append(b, ", "...)
	}
	b = append(b, "line "...)
	b = strconv.AppendInt(b, e.Line, 10)
	b = append(b, ": "...)
	b = append(b, e.Msg...)
	return string(b)
}

// Unwrap makes every parse error an invalid-input error, so that the
// application maps it to a 400 and shows its message.
func (e *ParseError) Unwrap() error { return apperr.ErrInvalid }
