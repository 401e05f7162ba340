package record

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// BrowserNotFound lists where FindBrowser looked.
type BrowserNotFound struct{ Tried []string }

func (e *BrowserNotFound) Error() string {
	return "no Chrome, Chromium or Edge found (tried " + strings.Join(e.Tried, ", ") + ")"
}

// ErrBrowserNotFound is wrapped by the *BrowserNotFound FindBrowser returns.
var ErrBrowserNotFound = errors.New("no browser found")

func (e *BrowserNotFound) Unwrap() error { return ErrBrowserNotFound }

// FindBrowser finds an installed Chrome, Chromium or Edge where they are
// usually installed on this system: their commands in PATH, then their
// usual install paths. The error is a *BrowserNotFound naming them.
func FindBrowser() (string, error) { return findBrowser(runtime.GOOS, os.Getenv) }

func findBrowser(goos string, getenv func(string) string) (string, error) {
	tried := browserLocations(goos, getenv)
	for _, p := range tried {
		if filepath.IsAbs(p) {
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p, nil
			}
			continue
		}
		if found, err := exec.LookPath(p); err == nil {
			return found, nil
		}
	}
	return "", &BrowserNotFound{Tried: tried}
}

// browserLocations are the commands and paths tried, in order: Chrome,
// then Chromium, then Edge.
func browserLocations(goos string, getenv func(string) string) []string {
	switch goos {
	case "darwin":
		home := getenv("HOME")
		return []string{
			"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
			filepath.Join(home, "Applications/Google Chrome.app/Contents/MacOS/Google Chrome"),
			"/Applications/Chromium.app/Contents/MacOS/Chromium",
			"/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
			"/Applications/Google Chrome Canary.app/Contents/MacOS/Google Chrome Canary",
		}
	case "windows":
		var out []string
		for _, base := range []string{getenv("ProgramFiles"), getenv("ProgramFiles(x86)"), getenv("LocalAppData")} {
			if base == "" {
				continue
			}
			out = append(out, filepath.Join(base, `Google\Chrome\Application\chrome.exe`), filepath.Join(base, `Chromium\Application\chrome.exe`),
				filepath.Join(base, `Microsoft\Edge\Application\msedge.exe`))
		}
		return append(out, "chrome.exe", "msedge.exe")
	}
	return []string{
		"google-chrome", "google-chrome-stable", "chromium", "chromium-browser", "microsoft-edge", "microsoft-edge-stable",
		"/opt/google/chrome/chrome", "/opt/microsoft/msedge/msedge", "/snap/bin/chromium",
	}
}
