package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	// testkit defines -update, which go test ./... -update hands to every package.
	_ "github.com/samllint/samllint/internal/test/testkit"
)

// TestArchives: both archive kinds hold every file given, the binaries
// (samllint and samllint-aws) executable in the tarball and nothing else, at the commit's time, so that LICENSE and the
// README reach every platform's download.
func TestArchives(t *testing.T) {
	dir := t.TempDir()
	stamp := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	files := map[string][]byte{"samllint": []byte("bin"), "samllint-aws": []byte("bin"), "LICENSE": []byte("Apache License"), "README.md": []byte("# samllint")}
	tgz, zp := filepath.Join(dir, "a.tar.gz"), filepath.Join(dir, "a.zip")
	if err := writeTarGz(tgz, files, stamp, map[string]bool{"samllint": true, "samllint-aws": true}); err != nil {
		t.Fatal(err)
	}
	if err := writeZip(zp, files, stamp); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(tgz)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var inTar []string
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		inTar = append(inTar, h.Name)
		if exe := strings.HasPrefix(h.Name, "samllint"); exe != (h.Mode&0o111 != 0) {
			t.Errorf("%s: mode %o", h.Name, h.Mode)
		}
		if !h.ModTime.Equal(stamp) {
			t.Errorf("%s dated %v, want the commit's %v", h.Name, h.ModTime, stamp)
		}
	}
	zr, err := zip.OpenReader(zp)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var inZip []string
	for _, zf := range zr.File {
		inZip = append(inZip, zf.Name)
	}
	for _, names := range [][]string{inTar, inZip} {
		slices.Sort(names)
		if !slices.Equal(names, []string{"LICENSE", "README.md", "samllint", "samllint-aws"}) {
			t.Errorf("archive holds %v", names)
		}
	}
}

// TestTargets: the release covers Linux, macOS and Windows on both
// architectures, which the Action's install step downloads by name.
func TestTargets(t *testing.T) {
	for _, want := range []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64", "windows/arm64"} {
		if !slices.Contains(Targets, want) {
			t.Errorf("no %s target", want)
		}
	}
	if _, err := os.Stat(filepath.Join("..", "LICENSE")); err != nil {
		t.Errorf("the release packs LICENSE: %v", err)
	}
}
