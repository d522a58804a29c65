package config

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration written as "30s", "12h" or "7d" in the config.
type Duration time.Duration

// UnmarshalText parses Go duration syntax plus a whole-day "d" suffix.
func (d *Duration) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a duration (like 30s, 15m, 12h or 7d)", s)
		}
		*d = Duration(time.Duration(n) * 24 * time.Hour)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration (like 30s, 15m, 12h or 7d)", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration in Go syntax.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// Std returns the value as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// ByteSize is a size written as "4MiB", "10GiB", "512KB" or a plain number of
// bytes in the config.
type ByteSize int64

var sizeUnits = []struct {
	suffix string
	factor int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1},
}

// UnmarshalText parses a size with an optional binary or decimal unit.
func (s *ByteSize) UnmarshalText(b []byte) error {
	text := strings.TrimSpace(string(b))
	num, factor := text, int64(1)
	for _, u := range sizeUnits {
		if rest, ok := strings.CutSuffix(text, u.suffix); ok {
			num, factor = strings.TrimSpace(rest), u.factor
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || (factor > 1 && n > (1<<62)/factor) {
		return fmt.Errorf("%q is not a size (like 4MiB, 10GiB or 1048576)", text)
	}
	*s = ByteSize(n * factor)
	return nil
}

// Human writes the size for people, in the largest binary unit with one
// decimal ("10.0 GiB", "512 B"): the pages and the command line say sizes
// alike.
func (s ByteSize) Human() string {
	const unit = 1024
	n := int64(s)
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return strconv.FormatFloat(float64(n)/float64(div), 'f', 1, 64) + " " + string("KMGTPE"[exp]) + "iB"
}

// MarshalText writes the size in the largest binary unit that divides it.
func (s ByteSize) MarshalText() ([]byte, error) {
	for _, u := range []string{"TiB", "GiB", "MiB", "KiB"} {
		for _, su := range sizeUnits {
			if su.suffix == u && s != 0 && int64(s)%su.factor == 0 {
				return []byte(strconv.FormatInt(int64(s)/su.factor, 10) + u), nil
			}
		}
	}
	return []byte(strconv.FormatInt(int64(s), 10)), nil
}

func joinHostPort(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}
