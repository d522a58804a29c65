package breach

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"pcmt/apperr"
)

// Options are one import's settings, kept as the job's JSON so that a
// resumed job runs exactly as it was asked to.
type Options struct {
	// Format is "" to infer it from the content.
	Format Format `json:"format,omitempty"`
	// Kind is what a line list holds; 0 infers it.
	Kind Kind `json:"kind,omitempty"`
	// Name names a line list's breach; "" takes the file name without its
	// extension.
	Name    string `json:"name,omitempty"`
	Replace bool   `json:"replace,omitempty"`

	// A line list's metadata (a YAML document carries its own).
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Date        string `json:"date,omitempty"` // YYYY-MM-DD
	Verified    bool   `json:"verified,omitempty"`
}

// FieldError is a setting that cannot be used, named so that a form can put
// the message beside its field and the command line can name its flag.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Unwrap makes a FieldError an invalid-request error.
func (e *FieldError) Unwrap() error { return apperr.ErrInvalid }

// Validate checks the settings that do not depend on the file.
func (o Options) Validate() error {
	switch o.Format {
	case "", FormatYAML, FormatLines, FormatPwned:
	default:
		return &FieldError{"format", fmt.Sprintf("%q is not one of yaml, lines, pwned", o.Format)}
	}
	switch o.Kind {
	case 0, Emails, Usernames, Passwords:
	default:
		return &FieldError{"kind", fmt.Sprintf("%q is not one of emails, usernames, passwords", o.Kind)}
	}
	date, err := o.date()
	if err != nil {
		return &FieldError{"date", fmt.Sprintf("%q is not a date like 2024-01-31", o.Date)}
	}
	d := Details{Name: o.Name, Title: o.Title, Date: date, Description: o.Description}
	if errs := CheckDetails(d, time.Now()); len(errs) > 0 {
		return errs[0]
	}
	return nil
}

func (o Options) date() (time.Time, error) {
	if o.Date == "" {
		return time.Time{}, nil
	}
	return time.Parse("2006-01-02", o.Date)
}

// lineName is a line list's breach name: the one given, or the file name
// without its extension.
func (o Options) lineName(file string) string {
	if o.Name != "" {
		return o.Name
	}
	base := filepath.Base(file)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// JSON is the options as a job stores them.
func (o Options) JSON() string {
	b, _ := json.Marshal(o) // plain fields always marshal
	return string(b)
}

// ParseOptions reads options back from a job.
func ParseOptions(s string) (Options, error) {
	var o Options
	if err := json.Unmarshal([]byte(s), &o); err != nil {
		return o, fmt.Errorf("import options: %w", err)
	}
	return o, nil
}
