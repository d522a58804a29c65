package cli

import (
	"context"
	"fmt"
	"runtime/debug"
)

// Version is set at build time with -ldflags "-X pcmt/cli.Version=…"; without
// it the module version or VCS revision from the build info is used.
var Version = ""

func runVersion(_ context.Context, args []string, io IO) error {
	if len(args) > 0 {
		return usagef("usage: pcmt version")
	}
	fmt.Fprintln(io.Stdout, "pcmt "+version())
	return nil
}

func version() string {
	if Version != "" {
		return Version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " (" + s.Value[:12] + ")"
		}
	}
	return v + " " + info.GoVersion
}
