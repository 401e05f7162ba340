package lint

// What the tests edit in the sample response, and the inputs that lint it clean.
const (
	sampleRole  = ">arn:aws:iam::123456789012:role/ConnectAgent,arn:aws:iam::123456789012:saml-provider/Okta<"
	roleNameTag = `Name="https://aws.amazon.com/SAML/Attributes/Role"`
	sessionTag  = `Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"`
	sessionVal  = `>jane.doe@example.com</saml2:AttributeValue>`
	sampleTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/Okta"},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`
	samplePerms = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"arn:aws:connect:us-east-1:123456789012:instance/4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34/user/${aws:userid}"}]}`
	// An organization's region guardrail that lets us-east-1 through, and a
	// boundary that allows what a Connect agent role needs.
	sampleSCP      = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-2"]}}}]}`
	sampleBoundary = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["connect:*","sts:*"],"Resource":"*"}]}`
	sampleRelay    = "https://us-east-1.console.aws.amazon.com/connect/federate/4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34"
	// What --from-aws reads for the sample's account: the instance is a
	// SAML one, the user exists, and the organization's root and the
	// account have FullAWSAccess beside the region guardrail.
	sampleAWSRead = `{"caller_account":"123456789012",
	 "scp":{"levels":[
	   {"id":"r-ab12","type":"ROOT","name":"Root","policies":[{"id":"p-FullAWSAccess","name":"FullAWSAccess","content":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}]},
	   {"id":"123456789012","type":"ACCOUNT","policies":[{"id":"p-FullAWSAccess","name":"FullAWSAccess","content":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}]}]},
	 "connect_instance":{"id":"4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34","region":"us-east-1","identity_management_type":"SAML"},
	 "connect_user_search":{"username":"jane.doe@example.com","found":["jane.doe@example.com"]}}`
)
