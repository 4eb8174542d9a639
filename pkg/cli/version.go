package cli

import "runtime/debug"

// Version is flotilla's version. Release builds set it with
// -ldflags "-X github.com/flotilla/flotilla/pkg/cli.Version=v1.2.3"; empty means the module
// version and VCS revision Go recorded in the binary.
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown (no build information in the binary)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	if rev != "" {
		v += " (" + rev[:min(12, len(rev))] + modified + ")"
	}
	return v + ", " + bi.GoVersion
}
