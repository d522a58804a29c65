package cli

import (
	"bufio"

	"errors"
	"fmt"
	"io"
	"strings"
)

// readPassword reads one line from r and drops its line ending only:
// spaces are part of a password.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", errors.New("no password on stdin: give it as one line")
	}
	return line, nil
}
