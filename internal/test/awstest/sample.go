package awstest

import "time"

// The sample capture (testdata/assertions/okta-connect.b64) signs in as
// jane.doe@example.com with role ConnectAgent through provider Okta of
// account 123456789012, into a Connect instance in us-east-1.
const (
	SampleAccount     = "123456789012"
	SampleRole        = "arn:aws:iam::123456789012:role/ConnectAgent"
	SampleProvider    = "arn:aws:iam::123456789012:saml-provider/Okta"
	SampleInstance    = "4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34"
	SampleRelay       = "https://us-east-1.console.aws.amazon.com/connect/federate/" + SampleInstance
	sampleFederation  = "arn:aws:iam::123456789012:policy/ConnectFederation"
	sampleReadOnly    = "arn:aws:iam::aws:policy/AmazonConnectReadOnlyAccess"
	sampleBoundaryARN = "arn:aws:iam::123456789012:policy/AgentBoundary"
	SampleOU          = "ou-ab12-sales001"
	SampleRoot        = "r-ab12"

	sampleTrust       = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/Okta"},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`
	samplePerms       = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"arn:aws:connect:us-east-1:123456789012:instance/4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34/user/${aws:userid}"}]}`
	sampleReadOnlyDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["connect:Describe*","connect:List*"],"Resource":"*"}]}`
	sampleBoundary    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["connect:*","sts:*"],"Resource":"*"}]}`
	FullAWSAccess     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	SampleRegionSCP   = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-2"]}}}]}`
)

// Sample is the sample's account, set up so that the sign-in works: every
// list pages (PageSize 1), and every read path is taken.
func Sample(metadata string) *World {
	return &World{
		Caller: SampleAccount, Management: "210987654321",
		Providers: map[string]*Provider{SampleProvider: {Metadata: metadata,
			UUID: "SAMLSPD9IMTW2LM46J042K", Mode: "Allowed", ValidUntil: time.Date(2125, 3, 1, 10, 0, 0, 0, time.UTC)}},
		Roles: map[string]*Role{"ConnectAgent": {ARN: SampleRole, ID: "AROA3XFRBF535PLBIFPI4", Trust: sampleTrust, MaxSession: 43200, Boundary: sampleBoundaryARN,
			Attached: []string{sampleReadOnly, sampleFederation},
			Inline: [][2]string{{"ListBuckets", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`},
				{"Logs", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:Describe*","Resource":"*"}]}`}}}},
		Policies: map[string]*Policy{
			sampleFederation:  {Name: "ConnectFederation", Version: "v3", Document: samplePerms},
			sampleReadOnly:    {Name: "AmazonConnectReadOnlyAccess", Version: "v1", Document: sampleReadOnlyDoc},
			sampleBoundaryARN: {Name: "AgentBoundary", Version: "v1", Document: sampleBoundary},
		},
		Parents:  map[string]Parent{SampleAccount: {ID: SampleOU, Type: "ORGANIZATIONAL_UNIT"}, SampleOU: {ID: SampleRoot, Type: "ROOT"}},
		Attached: map[string][]string{SampleRoot: {"p-FullAWSAccess", "p-region01"}, SampleOU: {"p-FullAWSAccess"}, SampleAccount: {"p-FullAWSAccess"}},
		SCPs: map[string]*SCP{"p-FullAWSAccess": {Name: "FullAWSAccess", Content: FullAWSAccess},
			"p-region01": {Name: "RegionGuard", Content: SampleRegionSCP}},
		Connect:  map[string]*Instance{SampleInstance: {IdentityManagementType: "SAML", Users: []string{"ops@example.com", "jane.doe@example.com"}}},
		Simulate: "allowed",
	}
}
