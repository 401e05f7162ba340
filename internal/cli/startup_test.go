package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/samllint/samllint/internal/test/testkit"
)

// buildBoth builds samllint and samllint-aws side by side, as a release
// archive holds them.
func buildBoth(t *testing.T) (lean, full string) {
	t.Helper()
	dir := t.TempDir()
	exe := ""
	if runtime.GOOS == "windows" {
		exe = ".exe"
	}
	lean, full = filepath.Join(dir, "samllint"+exe), filepath.Join(dir, Helper+exe)
	for bin, pkg := range map[string]string{lean: "./cmd/samllint", full: "./cmd/samllint-aws"} {
		build := exec.Command("go", "build", "-o", bin, pkg)
		build.Dir = testkit.Root()
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	return lean, full
}

// initialised lists the packages whose initialisation GODEBUG=inittrace=1
// reports for a run of bin, with the bytes each allocated.
func initialised(t *testing.T, bin string, args ...string) (pkgs []string, bytes map[string]int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = testkit.Root()
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, _ := cmd.CombinedOutput()
	bytes = map[string]int{}
	for _, line := range strings.Split(string(out), "\n") {
		// init PKG @T ms, C ms clock, B bytes, A allocs
		if f := strings.Fields(line); len(f) > 7 && f[0] == "init" {
			pkgs = append(pkgs, f[1])
			bytes[f[1]], _ = strconv.Atoi(f[7])
		}
	}
	if len(pkgs) == 0 {
		t.Fatalf("%s %s: no inittrace lines:\n%s", bin, strings.Join(args, " "), out)
	}
	return pkgs, bytes
}

func heavyInits(pkgs []string) []string {
	var heavy []string
	for _, p := range pkgs {
		if strings.HasPrefix(p, "github.com/aws/aws-sdk-go-v2/service/") || strings.HasPrefix(p, "github.com/chromedp/") {
			heavy = append(heavy, p)
		}
	}
	return heavy
}

// TestStartUpLight: a paste linted by samllint initialises no AWS SDK
// client package and nothing of chromedp, which samllint-aws, run for
// --from-aws, aws-export and record, does (the check can fail); saml and
// lint (and okta, which lint imports) initialise almost nothing.
func TestStartUpLight(t *testing.T) {
	lean, full := buildBoth(t)
	args := []string{"--metadata", "testdata/metadata/okta-idp-metadata.xml", "testdata/assertions/okta-connect.b64"}
	pkgs, bytes := initialised(t, lean, args...)
	if h := heavyInits(pkgs); len(h) > 0 {
		t.Errorf("samllint initialised %d packages it does not use on a plain lint: %s", len(h), strings.Join(h, ", "))
	}
	// A program that imports saml or lint pays next to nothing until it
	// decodes or lints: their patterns compile on first use. (They
	// allocated 86 KB and 660 KB when compiled at start.)
	if bytes["github.com/crewjam/saml"] == 0 {
		t.Fatalf("read no allocation counts from inittrace (crewjam/saml's init allocates): %v", bytes)
	}
	for pkg, limit := range map[string]int{"saml": 8 << 10, "lint": 32 << 10, "okta": 2 << 10} {
		if got := bytes["github.com/samllint/samllint/"+pkg]; got > limit {
			t.Errorf("initialising %s allocated %d bytes, over %d", pkg, got, limit)
		}
	}
	fullPkgs, _ := initialised(t, full, args...)
	h := heavyInits(fullPkgs)
	var sdk, cdp bool
	for _, p := range h {
		sdk = sdk || strings.Contains(p, "aws-sdk-go-v2/service/")
		cdp = cdp || strings.Contains(p, "chromedp")
	}
	if !sdk || !cdp {
		t.Errorf("samllint-aws initialised %v: want the SDK's clients and chromedp, or this test cannot tell", h)
	}
}

// TestDelegate: samllint hands the runs that reach AWS or a browser to the
// samllint-aws beside it, which answers them as itself; without one, it
// says where to get it, in one line, exit status 2.
func TestDelegate(t *testing.T) {
	lean, full := buildBoth(t)
	home := t.TempDir()
	env := append(os.Environ(), "HOME="+home, "AWS_CONFIG_FILE="+filepath.Join(home, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "none"),
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=", "AWS_PROFILE=", "AWS_EC2_METADATA_DISABLED=true", "AWS_CONTAINER_CREDENTIALS_FULL_URI=", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=")
	runBin := func(bin string, args ...string) (int, string) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = testkit.Root()
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, string(out)
	}
	for _, args := range [][]string{
		{"--from-aws", "testdata/assertions/okta-connect.b64"},
		{"lint", "testdata/assertions/okta-connect.b64", "--from-aws=true"},
		{"aws-export", "--out", filepath.Join(home, "out"), "testdata/assertions/okta-connect.b64"},
		{"record", "--browser", filepath.Join(home, "no-browser")},
	} {
		leanCode, leanOut := runBin(lean, args...)
		fullCode, fullOut := runBin(full, args...)
		if leanCode != fullCode || leanOut != fullOut {
			t.Errorf("samllint %s: %d %q; samllint-aws answers %d %q", strings.Join(args, " "), leanCode, leanOut, fullCode, fullOut)
		}
		if leanCode != 2 || strings.Contains(leanOut, Helper+" which") {
			t.Errorf("samllint %s: %d %q, want exit status 2 and the helper's own error", strings.Join(args, " "), leanCode, leanOut)
		}
	}
	// Not asked for: samllint runs it itself, and a lean build without
	// the helper says so if it is asked.
	if code, out := runBin(lean, "--from-aws=false", "--at-issue", "--metadata", "testdata/metadata/okta-idp-metadata.xml", "testdata/assertions/okta-connect.b64"); code != 0 {
		t.Errorf("--from-aws=false: %d %s", code, out)
	}
	alone := filepath.Join(t.TempDir(), filepath.Base(lean))
	b, err := os.ReadFile(lean)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(alone, b, 0o755); err != nil {
		t.Fatal(err)
	}
	env = append(env, "PATH="+filepath.Dir(alone))
	code, out := runBin(alone, "--from-aws", "testdata/assertions/okta-connect.b64")
	if code != 2 || strings.Count(strings.TrimSpace(out), "\n") > 0 || !strings.Contains(out, "samllint-aws, which is neither beside this samllint") ||
		!strings.Contains(out, "go install github.com/samllint/samllint/cmd/samllint-aws@") {
		t.Errorf("samllint alone, --from-aws: %d %q, want one line naming samllint-aws and how to install it", code, out)
	}
}

func TestNeedsReach(t *testing.T) {
	for args, want := range map[string]bool{
		"record":                         true,
		"aws-export --out d x.b64":       true,
		"--from-aws x.b64":               true,
		"fix x.b64 -from-aws":            true,
		"diff a b --from-aws=1":          true,
		"lint --from-aws=false x.b64":    false,
		"x.b64":                          false,
		"explain record":                 false,
		"lint -- --from-aws":             false,
		"serve --addr 127.0.0.1:0":       false,
		"lint --metadata from-aws.xml x": false,
		"decode --from-aws-thing x":      false,
	} {
		if got := NeedsReach(strings.Fields(args)); got != want {
			t.Errorf("NeedsReach(%s) = %v, want %v", args, got, want)
		}
	}
}
