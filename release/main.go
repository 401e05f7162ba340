// Command release builds a samllint release into a directory:
//
//	go run ./release [-targets linux/amd64,...] VERSION DIR
//
// For each of linux, darwin and windows on amd64 and arm64 it builds
// cmd/samllint and cmd/samllint-aws with the version and commit stamped
// (internal/base/version), and packs them with LICENSE (Apache-2.0), the README and the read policy as
// samllint_<version>_<os>_<arch>.tar.gz (.zip for Windows); it packs the
// static site (go run ./web) as samllint_<version>_site.tar.gz, and writes
// checksums.txt (SHA-256, as sha256sum -c reads it).
//
// It is a short Go program on the standard library rather than a
// GoReleaser configuration, so that CI runs exactly what a release runs
// (.github/workflows/release.yml uploads what it writes). It prints a line
// per archive as it goes: a cold cross-compile takes minutes.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Targets are the platforms a release builds for.
var Targets = []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64", "windows/arm64"}

var versionRe = regexp.MustCompile(`^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`)

func main() {
	targets := flag.String("targets", strings.Join(Targets, ","), "comma-separated GOOS/GOARCH pairs to build")
	site := flag.Bool("site", true, "also pack the static site")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: go run ./release [flags] VERSION DIR\n\nBuilds samllint's release archives, the static site and checksums.txt into DIR.")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 {
		flag.Usage()
		os.Exit(2)
	}
	version, dir := flag.Arg(0), flag.Arg(1)
	if !versionRe.MatchString(version) {
		fmt.Fprintf(os.Stderr, "release: version %q: expected a semantic version such as v1.2.3 or v1.2.3-rc.1\n", version)
		os.Exit(2)
	}
	if err := run(version, dir, strings.Split(*targets, ","), *site); err != nil {
		fmt.Fprintln(os.Stderr, "release: "+err.Error())
		os.Exit(1)
	}
}

func run(version, dir string, targets []string, site bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	commit := gitCommit()
	stamp := time.Unix(commitTime(), 0).UTC() // archives as reproducible as the commit
	ldflags := "-s -w -X github.com/samllint/samllint/internal/base/version.Version=" + version +
		" -X github.com/samllint/samllint/internal/base/version.Commit=" + commit
	extra := map[string][]byte{}
	for _, f := range []string{"LICENSE", "README.md", "docs/aws-read-policy.json"} {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		extra[filepath.Base(f)] = b
	}
	var archives []string
	for _, t := range targets {
		goos, goarch, ok := strings.Cut(strings.TrimSpace(t), "/")
		if !ok {
			return fmt.Errorf("target %q: expected GOOS/GOARCH", t)
		}
		// samllint, and samllint-aws beside it: samllint hands it the
		// runs that read AWS or drive a browser (internal/reach).
		files := map[string][]byte{}
		exes := map[string]bool{}
		for _, pkg := range []string{"samllint", "samllint-aws"} {
			exe := pkg
			if goos == "windows" {
				exe += ".exe"
			}
			bin := filepath.Join(dir, ".build", goos+"_"+goarch, exe)
			cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", bin, "./cmd/"+pkg)
			cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("building %s for %s: %w", pkg, t, err)
			}
			b, err := os.ReadFile(bin)
			if err != nil {
				return err
			}
			files[exe], exes[exe] = b, true
		}
		for k, v := range extra {
			files[k] = v
		}
		name := fmt.Sprintf("samllint_%s_%s_%s", version, goos, goarch)
		var err error
		if goos == "windows" {
			name += ".zip"
			err = writeZip(filepath.Join(dir, name), files, stamp)
		} else {
			name += ".tar.gz"
			err = writeTarGz(filepath.Join(dir, name), files, stamp, exes)
		}
		if err != nil {
			return err
		}
		archives = append(archives, name)
		fmt.Printf("%s: %s\n", t, name)
	}
	if site {
		siteDir := filepath.Join(dir, ".build", "site")
		cmd := exec.Command("go", "run", "./web", siteDir)
		cmd.Env = append(os.Environ(), "SAMLLINT_VERSION="+version, "SAMLLINT_COMMIT="+commit)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building the static site: %w", err)
		}
		files := map[string][]byte{}
		entries, err := os.ReadDir(siteDir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(siteDir, e.Name()))
			if err != nil {
				return err
			}
			files["site/"+e.Name()] = b
		}
		name := fmt.Sprintf("samllint_%s_site.tar.gz", version)
		if err := writeTarGz(filepath.Join(dir, name), files, stamp, nil); err != nil {
			return err
		}
		archives = append(archives, name)
		fmt.Printf("site: %s\n", name)
	}
	if err := os.RemoveAll(filepath.Join(dir, ".build")); err != nil {
		return err
	}
	sort.Strings(archives)
	var sums bytes.Buffer
	for _, a := range archives {
		b, err := os.ReadFile(filepath.Join(dir, a))
		if err != nil {
			return err
		}
		fmt.Fprintf(&sums, "%x  %s\n", sha256.Sum256(b), a)
	}
	if err := os.WriteFile(filepath.Join(dir, "checksums.txt"), sums.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("samllint %s (%s): %d archives and checksums.txt in %s\n", version, commit, len(archives), dir)
	return nil
}

func sortedNames(files map[string][]byte) []string {
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func writeTarGz(path string, files map[string][]byte, stamp time.Time, exes map[string]bool) error {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, n := range sortedNames(files) {
		mode := int64(0o644)
		if exes[n] {
			mode = 0o755
		}
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: mode, Size: int64(len(files[n])), ModTime: stamp, Format: tar.FormatPAX}); err != nil {
			return err
		}
		if _, err := tw.Write(files[n]); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func writeZip(path string, files map[string][]byte, stamp time.Time) error {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range sortedNames(files) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, bytes.NewReader(files[n])); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func gitCommit() string {
	if c := os.Getenv("SAMLLINT_COMMIT"); c != "" {
		return c
	}
	out, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

func commitTime() int64 {
	out, err := exec.Command("git", "log", "-1", "--format=%ct").Output()
	if err != nil {
		return 0
	}
	var t int64
	fmt.Sscan(strings.TrimSpace(string(out)), &t)
	return t
}
