// Package static serves the files under static/public: the built CSS, the
// vendored htmx and the small scripts, embedded into the binary.
package static

import "embed"

//go:generate npm run build

// Embedded holds static/public.
//
//go:embed public
var Embedded embed.FS
