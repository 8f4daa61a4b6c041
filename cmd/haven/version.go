package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

func init() {
	commands["version"] = command{"print the version", func(m *Main, _ context.Context, args []string) error {
		fs := newFlagSet(m, "version", "version", "haven version")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		fmt.Fprintln(m.Stdout, versionString())
		return nil
	}}
}

// versionString names the version, the commit it was built from (when the
// build recorded one) and the Go version.
func versionString() string {
	rev := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = " " + s.Value[:12]
			}
		}
	}
	return fmt.Sprintf("haven %s%s %s", version, rev, runtime.Version())
}
