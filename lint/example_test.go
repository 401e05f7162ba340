package lint_test

import (
	"fmt"
	"os"

	"github.com/samllint/samllint/lint"
)

// Lint runs the whole pipeline on a capture, here a HAR of two sign-ins
// through Okta, with the IdP metadata IAM holds. Each response is judged
// at the time the HAR says the browser posted it.
func ExampleLint() {
	har, _ := os.ReadFile("../testdata/assertions/okta-connect.har")
	metadata, _ := os.ReadFile("../testdata/metadata/okta-idp-metadata.xml")
	in := &lint.Inputs{}
	if err := in.Add(lint.InputMetadata, "okta-idp-metadata.xml", metadata); err != nil {
		fmt.Println(err)
		return
	}
	results, err := lint.Lint(har, in, lint.Options{Name: "okta-connect.har"})
	if err != nil {
		fmt.Println(err) // nothing in the input is a SAML message
		return
	}
	for _, r := range results {
		rep := r.Report
		fmt.Printf("%s: %s, judged at the time it was %s\n", r.Capture.Source, rep.Outcome, rep.Clock.Source)
		for _, f := range rep.Findings {
			fmt.Printf("  %s %s\n  at %s\n", f.Severity, f.Rule, f.Location)
		}
	}
	// Output:
	// HAR entry 2: notes, judged at the time it was posted
	//   info aws/capture-outcome
	//   at HAR entry 2: reply
	// HAR entry 3: will-fail, judged at the time it was posted
	//   error aws/role-missing-role-arn
	//   at /Response/Assertion[1]/AttributeStatement/Attribute[@Name='https://aws.amazon.com/SAML/Attributes/Role']/AttributeValue[1]
	//   error aws/capture-outcome
	//   at HAR entry 3: reply
}

// Diagnose maps an error a user saw to the rules that cause it, most
// likely first.
func ExampleDiagnose() {
	d := lint.Diagnose("Your request included an invalid SAML response. To logout, click here.")
	for _, r := range d.Causes[:3] {
		fmt.Println(r.ID)
	}
	// Output:
	// aws/role-missing-role-arn
	// aws/role-missing-provider-arn
	// aws/role-arn-malformed
}
