package saml_test

import (
	"fmt"
	"os"

	"github.com/samllint/samllint/saml"
)

// Read decodes a capture in any form, parses it and checks its signatures
// against the IdP metadata; Coverage says what they really protect.
func ExampleRead() {
	capture, _ := os.ReadFile("../testdata/assertions/okta-connect.b64")
	metadata, _ := os.ReadFile("../testdata/metadata/okta-idp-metadata.xml")
	anchors, err := saml.LoadMetadata(metadata, "okta-idp-metadata.xml")
	if err != nil {
		fmt.Println(err)
		return
	}
	msgs, err := saml.Read(capture, saml.Options{Anchors: anchors})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := msgs[0].Response
	fmt.Println(msgs[0].Capture.ChainString())
	for _, s := range r.Signatures {
		fmt.Println(s.Path, s.Check.Verdict)
	}
	cv := r.Coverage()
	fmt.Println("covered:", cv.Covered, cv.ViaNames)
	// Output:
	// base64 → xml
	// /Response/Signature[1] valid
	// /Response/Assertion[1]/Signature[1] valid
	// covered: true [response assertion]
}

// Facts is what a response says, for people: the same list samllint
// decode prints and the serve page shows.
func ExampleFacts() {
	capture, _ := os.ReadFile("../testdata/assertions/okta-connect.har")
	msgs, _ := saml.Read(capture, saml.Options{})
	for _, f := range saml.Facts(msgs[1].Capture, msgs[1].Response) {
		if f.Section == "capture" || f.Name == "https://aws.amazon.com/SAML/Attributes/Role" {
			fmt.Printf("%s: %s\n", f.Name, f.Value)
		}
	}
	// Output:
	// decoded: har → form → url-decode → base64 → xml
	// parameter: SAMLResponse (HTTP-POST binding)
	// sent to: POST https://signin.aws.amazon.com/saml
	// sent at: 2026-11-20T10:00:40Z
	// RelayState: https://us-east-1.console.aws.amazon.com/connect/federate/4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34
	// reply: 200 OK
	// reply says: Your request included an invalid SAML response. To logout, click here.
	// https://aws.amazon.com/SAML/Attributes/Role: arn:aws:iam::123456789012:saml-provider/Okta
}
