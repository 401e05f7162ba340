// Command samllint explains why a SAML sign-in to AWS or Amazon Connect
// fails, from the SAMLResponse the browser posted. It runs offline: the
// runs that read the AWS account (--from-aws, aws-export) or drive a
// browser (record) are handed to samllint-aws, which links the AWS SDK
// and chromedp, so that a paste does not pay for their initialisation.
// See docs/commands.md.
package main

import (
	"os"

	"github.com/samllint/samllint/internal/cli"
)

func main() {
	if cli.NeedsReach(os.Args[1:]) {
		os.Exit(cli.Delegate(os.Args[1:], os.Stderr))
	}
	os.Exit(cli.Main(nil))
}
