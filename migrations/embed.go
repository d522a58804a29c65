// Package migrations holds the goose SQL migrations, embedded into the binary
// and run at start-up.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
