// Package reach is the boundary between samllint's offline commands and
// the code that leaves the machine: the AWS account reads of --from-aws
// and aws-export, and the browser record drives. Its types use nothing
// but the standard library and lint, so that the CLI can be built without
// the AWS SDK or chromedp, whose package initialisation every run would
// otherwise pay for: cmd/samllint links none of it and hands such runs to
// samllint-aws, which links package live.
package reach

import (
	"context"
	"time"

	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/trail"
)

// Reach reads AWS accounts and drives browsers.
type Reach interface {
	// AWS returns a reader for the account the credentials name. Its
	// errors say the cause and the fix in a person's words.
	AWS(ctx context.Context, o AWSOptions) (AWSReader, error)
	// FindBrowser finds an installed Chrome, Chromium or Edge.
	FindBrowser() (string, error)
	// Record drives a browser through a sign-in. Errors starting or
	// reaching the browser are a *BrowserError.
	Record(ctx context.Context, o RecordOptions) (*Recording, error)
}

// DefaultAWSTimeout bounds the AWS reads for one capture's target.
const DefaultAWSTimeout = 20 * time.Second

// AWSOptions are how the account reader finds its credentials and how
// long it waits (see awsread.Options).
type AWSOptions struct {
	Profile, Region string
	Timeout         time.Duration
	Notify          func(string)
}

// AWSReader is a lint.Resolver that can also say what it read, for
// aws-export. Credentials that cannot be used at all surface, from
// Resolve and Read alike, as a *CredentialsError.
type AWSReader interface {
	lint.Resolver
	Read(ctx context.Context, t lint.Target) (*AWSRead, error)
	// LookupEvents reads CloudTrail's federation events (see
	// awsread.EventQuery).
	LookupEvents(ctx context.Context, q EventQuery) ([]trail.Event, error)
}

// EventQuery is awsread.EventQuery.
type EventQuery struct {
	Regions    []string
	Start, End time.Time
	Interval   time.Duration
	Page       func(region, name string, pages, events int)
}

// AWSRead is what was read for one target (see awsread.Read).
type AWSRead struct {
	Files, Exports []File
	AWS            lint.AWSRead
	Empty          bool
}

// File is one input in an aws CLI output format (see awsread.File).
type File struct {
	Name  string
	Input lint.Input
	Data  []byte
}

// CredentialsError wraps an account reader's error when the credentials
// cannot be used at all, which ends the whole run, not one capture.
type CredentialsError struct{ Err error }

func (e *CredentialsError) Error() string { return e.Err.Error() }
func (e *CredentialsError) Unwrap() error { return e.Err }

// RecordOptions say which browser to drive and what to record.
type RecordOptions struct {
	// Attach is the DevTools WebSocket URL of a running browser; when
	// empty, Browser is started with its profile in ProfileDir and its
	// temporary files in TempDir, without its sandbox when NoSandbox.
	Attach              string
	Browser             string
	ProfileDir, TempDir string
	NoSandbox           bool

	URL           string
	StopBeforeAWS bool
	Inputs        *lint.Inputs
	Lint          lint.Options
	Timeout       time.Duration
	// Say is told what happens, a line at a time.
	Say func(string)
}

// Recording is a recorded sign-in.
type Recording struct {
	Captures int
	// End says why the recording ended; LastPage is a line for the last
	// page the tabs showed, when it says something.
	End, LastPage string
	HAR           []byte
}

// BrowserError is a browser that could not be started or reached.
type BrowserError struct {
	// NoDisplay: the browser needs a display and none is set.
	NoDisplay bool
	Err       error
}

func (e *BrowserError) Error() string { return e.Err.Error() }
func (e *BrowserError) Unwrap() error { return e.Err }
