// Package version says which samllint this is. Release builds stamp it
// with -ldflags "-X github.com/samllint/samllint/internal/base/version.Version=v1.2.3
// -X github.com/samllint/samllint/internal/base/version.Commit=<sha>" (as
// .goreleaser.yaml and go run ./web do); go install …@v1.2.3 records it in
// the module's build info; a build from a checkout names its revision.
package version

import "runtime/debug"

// Version and Commit are set by -ldflags -X; empty otherwise.
var Version, Commit string

// String is the version: the stamped one, else the module's, else
// "devel" and the revision it was built from.
func String() string {
	if Version != "" {
		if Commit != "" {
			return Version + " (" + Commit[:min(12, len(Commit))] + ")"
		}
		return Version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if v == "" || v == "(devel)" {
		v = "devel"
		if rev != "" {
			v += " " + rev[:min(12, len(rev))] + modified
		}
	}
	return v
}
