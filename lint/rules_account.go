package lint

import (
	"fmt"
	"strings"

	"github.com/samllint/samllint/internal/base/policy"
	"github.com/samllint/samllint/saml"
)

// Rules on what was read from the AWS account itself (--from-aws, or the
// aws-read.json samllint aws-export writes), and on IAM's copy of the
// IdP metadata.

const (
	refGetProvider = "AWS IAM API: GetSAMLProvider — https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetSAMLProvider.html"
	refGetRole     = "AWS IAM API: GetRole — https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html"
	refConnectIDM  = "Amazon Connect: Plan identity management (the type is chosen when the instance is created) — https://docs.aws.amazon.com/connect/latest/adminguide/connect-identity-management.html"
	refDescribeIns = "Amazon Connect API: DescribeInstance (IdentityManagementType) — https://docs.aws.amazon.com/connect/latest/APIReference/API_DescribeInstance.html"
	refFromAWS     = "docs/aws.md"
)

// pairPath is the XML path of the Role value naming the picked role, or
// of the Role attribute when none does.
func (c *facts) pairPath() string {
	for _, p := range c.roles {
		if r, _, ok := p.Pair(); ok && r.Raw == c.roleARN {
			return p.Path
		}
	}
	if len(c.roles) > 0 {
		return c.roles[0].Path
	}
	return ""
}

// skipUnread skips a rule when the account read (which its Needs
// guarantee) did not reach what it needs; true when skipped.
func (p *Pass) skipUnread(reason string, kinds ...Input) bool {
	if why := p.Inputs.unread(kinds...); why != "" {
		p.SkipBecause(why, reason, InputAWSRead)
		return true
	}
	return false
}

var providerNotFound = &Rule{
	ID: "aws/provider-not-found", Severity: Error, Scope: ScopeAWS, Setting: SettingRole, Needs: []Input{InputAWSRead},
	Advice: []string{"an IAM SAML provider "},
	Title:  "the SAML provider the Role attribute names does not exist in IAM",
	Why: "STS looks up the IAM SAML provider by the ARN in the Role attribute. When IAM has no provider by that ARN (a typo, " +
		"another account, a provider deleted or renamed) the sign-in fails with \"Specified provider doesn't exist\" " +
		"(IAM's GetSAMLProvider answers NoSuchEntity).",
	Fix:        "Point the Role attribute at the provider that exists (aws iam list-saml-providers), or create it with the IdP's metadata (aws iam create-saml-provider).",
	References: []string{refIAMTS, refGetProvider, refFromAWS},
	Symptoms:   []string{"Specified provider doesn't exist", "NoSuchEntity"},
	Rank:       2,
	Check: func(p *Pass) {
		m := p.Inputs.missing("saml-provider")
		if m == nil {
			p.skipUnread("to check the SAML provider exists", InputMetadata)
			return
		}
		arn := parseProviderARN(m.ARN)
		name := "<provider-name>"
		if arn != nil {
			name = arn.Name
		}
		p.Report(Finding{Message: "the SAML provider " + m.ARN + " does not exist: \"Specified provider doesn't exist\"", Location: xmlAt(p.facts.pairPath()),
			Expected: "an IAM SAML provider " + m.ARN, Actual: "IAM answers NoSuchEntity: " + m.Message,
			Fix: "Correct the provider ARN in " + p.facts.idp() + "'s Role attribute (" + p.facts.where(SettingRole) + ") to one aws iam list-saml-providers lists, or create it: aws iam create-saml-provider --name " + name + " --saml-metadata-document file://metadata.xml."})
	},
}

var roleNotFound = &Rule{
	ID: "aws/role-not-found", Severity: Error, Scope: ScopeAWS, Setting: SettingRole, Needs: []Input{InputAWSRead},
	Advice: []string{"an IAM role "},
	Title:  "the role the Role attribute names does not exist in IAM",
	Why: "STS can only assume a role that exists. When IAM has no role by the ARN in the Role attribute (a typo, a role path " +
		"left out, another account, a role deleted), AssumeRoleWithSAML fails and the sign-in with it (IAM's GetRole answers NoSuchEntity).",
	Fix:        "Point the Role attribute at the role that exists (its ARN, path included, as aws iam get-role prints it), or create the role.",
	References: []string{refIAMTS, refGetRole, refFromAWS},
	Symptoms:   []string{"Not authorized to perform sts:AssumeRoleWithSAML", "NoSuchEntity", "Your request included an invalid SAML response"},
	Rank:       4,
	Check: func(p *Pass) {
		m := p.Inputs.missing("role")
		if m == nil {
			p.skipUnread("to check the role exists", InputTrustPolicy)
			return
		}
		p.Report(Finding{Message: "the role " + m.ARN + " does not exist", Location: xmlAt(p.facts.pairPath()),
			Expected: "an IAM role " + m.ARN, Actual: "IAM answers NoSuchEntity: " + m.Message,
			Fix: "Correct the role ARN in " + p.facts.idp() + "'s Role attribute (" + p.facts.where(SettingRole) + ") to the ARN aws iam get-role prints, path included."})
	},
}

var providerExpired = &Rule{
	ID: "aws/provider-expired", Severity: Warning, Scope: ScopeAWS, Needs: []Input{InputMetadata},
	Title: "the IAM SAML provider's ValidUntil has passed",
	Why: "IAM gives each SAML provider a ValidUntil, which the IAM API calls \"the expiration date and time for the SAML " +
		"provider\" (by default taken from the metadata's validUntil). AWS does not document what STS does with a provider " +
		"past that date, so this is a warning: if sign-ins through this provider fail, this is a likely cause.",
	Fix:        "Upload fresh metadata to the provider (aws iam update-saml-provider), which resets ValidUntil.",
	References: []string{refGetProvider, "AWS CLI: update-saml-provider — https://docs.aws.amazon.com/cli/latest/reference/iam/update-saml-provider.html"},
	Symptoms:   []string{"Your request included an invalid SAML response"},
	Rank:       9,
	Check: func(p *Pass) {
		prov := p.Inputs.Provider()
		switch {
		case prov == nil && p.Inputs.Has(InputMetadata):
			p.Skip("to check the provider's ValidUntil (or give aws iam get-saml-provider output to --metadata)", InputAWSRead)
			return
		case prov == nil:
			p.Skip("to check the provider's ValidUntil (aws iam get-saml-provider output, which --metadata takes)", InputMetadata)
			return
		}
		if prov.ValidUntil.IsZero() || p.Now().Before(prov.ValidUntil) {
			return
		}
		p.Report(Finding{Message: fmt.Sprintf("the IAM SAML provider's ValidUntil, %s, is before the evaluation time %s", prov.ValidUntil.Format("2006-01-02T15:04:05Z"), p.Now().UTC().Format("2006-01-02T15:04:05Z")),
			Location: Location{Source: SourceMetadata, File: prov.Source, Path: "ValidUntil"},
			Expected: "ValidUntil after " + p.Now().UTC().Format("2006-01-02T15:04:05Z"), Actual: prov.ValidUntil.Format("2006-01-02T15:04:05Z"),
			Fix: "Upload the IdP's current metadata: aws iam update-saml-provider --saml-provider-arn " + p.facts.providerOr() + " --saml-metadata-document file://metadata.xml."})
	},
}

var providerMetadataStale = &Rule{
	ID: "aws/provider-metadata-stale", Severity: Error, Scope: ScopeAWS, Setting: SettingCertificate, Needs: []Input{InputMetadata}, Trust: true,
	Title: "IAM's copy of the IdP metadata lacks a certificate the IdP signs with",
	Why: "STS checks the signature against the metadata uploaded to the IAM SAML provider, not against the IdP's current " +
		"metadata. After the IdP rotates its signing certificate, sign-ins fail with \"Response signature invalid\" until the " +
		"new metadata is uploaded to IAM. Given both the IdP's metadata (XML) and IAM's copy (get-saml-provider output, or " +
		"read with --from-aws), this compares them: a certificate the IdP signs with that IAM lacks is an error; one the IdP " +
		"publishes but did not sign this response with (the next certificate of a rotation) is a warning.",
	Fix:        "Upload the IdP's current metadata to the IAM SAML provider (aws iam update-saml-provider); during a rotation, metadata with both certificates.",
	References: []string{refIAMTS, refGetProvider, "AWS CLI: update-saml-provider — https://docs.aws.amazon.com/cli/latest/reference/iam/update-saml-provider.html"},
	Symptoms:   []string{"Response signature invalid", "InvalidIdentityToken"},
	Rank:       7,
	Check: func(p *Pass) {
		idp := p.Inputs.idpAnchors()
		if o := p.Inputs.Okta(); o != nil && idp == nil && p.Inputs.Anchors() != nil {
			// Okta's keys stand for the IdP's metadata.
			oktaKeys(p, o, p.Inputs.Anchors(), map[string]bool{})
			return
		}
		switch {
		case idp == nil && p.Inputs.fromIAM():
			p.Skip("to compare the copy IAM holds with the IdP's current metadata (the XML the IdP publishes)", InputMetadata)
			return
		case idp == nil && p.Inputs.Has(InputMetadata):
			// The IdP's metadata was given: ask for IAM's copy, not for
			// --metadata again.
			p.Skip("to compare the IdP's metadata with the copy IAM holds (or give aws iam get-saml-provider output to --metadata too)", InputAWSRead)
			return
		case idp == nil:
			p.Skip("to compare the IdP's metadata with the copy IAM holds (aws iam get-saml-provider output, or --from-aws)", InputMetadata)
			return
		}
		iam := p.Inputs.Anchors()
		fix := fmt.Sprintf("Upload the IdP's current metadata to IAM: aws iam update-saml-provider --saml-provider-arn %s --saml-metadata-document file://metadata.xml (%s's metadata, with every certificate it signs with).", p.facts.providerOr(), p.facts.idp())
		iamList := describeAnchors(iam)
		signed := map[string]bool{}
		for _, s := range p.Response.Signatures {
			if s.Check == nil || s.Check.Verdict != saml.Untrusted || s.Check.Signer == nil || s.Check.Signer.SHA256 == "" {
				continue
			}
			a := findAnchor(idp, s.Check.Signer.SHA256)
			if a == nil || signed[a.SHA256] {
				continue
			}
			signed[a.SHA256] = true
			p.Report(Finding{Message: fmt.Sprintf("the IdP signs with a certificate that IAM's copy of its metadata lacks: it is in %s, not in the metadata IAM holds", a.Source),
				Location: xmlAt(s.Path), Expected: "a certificate IAM holds: " + iamList, Actual: "signed by " + a.Describe(), Fix: fix})
		}
		for _, a := range idp.Certs {
			if a.SHA256 == "" || signed[a.SHA256] || findAnchor(iam, a.SHA256) != nil {
				continue
			}
			signed[a.SHA256] = true
			p.ReportAt(Warning, Finding{Message: "the IdP publishes a signing certificate that IAM's copy of its metadata lacks: sign-ins fail once the IdP signs with it",
				Location: Location{Source: SourceMetadata, File: a.Source}, Expected: "IAM holds every certificate the IdP publishes: " + iamList, Actual: a.Describe() + " only in the IdP's metadata", Fix: fix})
		}
		if o := p.Inputs.Okta(); o != nil {
			oktaKeys(p, o, iam, signed)
		}
	},
}

func findAnchor(a *saml.Anchors, sha256 string) *saml.Anchor {
	if a == nil {
		return nil
	}
	for _, c := range a.Certs {
		if c.SHA256 == sha256 {
			return c
		}
	}
	return nil
}

func describeAnchors(a *saml.Anchors) string {
	var out []string
	for _, c := range a.Certs {
		out = append(out, c.Describe())
	}
	return strings.Join(out, "; ")
}

var instanceNotFound = &Rule{
	ID: "connect/instance-not-found", Severity: Error, Scope: ScopeConnect, Setting: SettingRelayState, Needs: []Input{InputAWSRead},
	Advice: []string{"an instance arn:"},
	Title:  "the Connect instance the RelayState names does not exist in its region",
	Why: "The RelayState sends the browser to /connect/federate/<instance-id> in the region its host names. When Amazon Connect " +
		"has no such instance there (another region, another account, a deleted instance, a mistyped ID), federation into " +
		"Connect fails after the AWS sign-in (DescribeInstance answers ResourceNotFoundException).",
	Fix:        "Set the RelayState to the federation URL of the instance that exists: its ID and its region (aws connect list-instances in each region).",
	References: []string{refConnect, refDescribeIns, refFromAWS},
	Symptoms:   []string{"ResourceNotFoundException", "the Connect console loads, then fails"},
	Rank:       3,
	Check: func(p *Pass) {
		m := p.Inputs.missing("connect-instance")
		if m == nil {
			p.skipUnread("to check the Connect instance exists", InputConnectInstance)
			return
		}
		p.Report(Finding{Message: "Amazon Connect has no instance " + p.facts.instanceOr() + " in " + p.facts.regionOr(), Location: relayAt,
			Expected: "an instance " + m.ARN, Actual: "DescribeInstance answers ResourceNotFoundException: " + m.Message,
			Fix: "Set the RelayState to https://<region>.console.aws.amazon.com/connect/federate/<instance-id> with the instance's own region and ID (" + p.facts.where(SettingRelayState) + ")."})
	},
}

var instanceNotSAML = &Rule{
	ID: "connect/instance-not-saml", Severity: Error, Scope: ScopeConnect, Needs: []Input{InputAWSRead},
	Advice: []string{"IdentityManagementType SAML"},
	Title:  "the Connect instance does not use SAML for identity management",
	Why: "Federating into Amazon Connect through SAML needs an instance created with SAML 2.0-based authentication: Connect's " +
		"SAML setup lists it as a prerequisite, and the identity management type is chosen when the instance is created and " +
		"cannot be changed. An instance that stores users in Connect (CONNECT_MANAGED) or in a directory (EXISTING_DIRECTORY) " +
		"cannot be signed in to this way. The error users then see is not documented.",
	Fix:        "Federate into an instance created with SAML 2.0-based authentication (a new instance, if this one is not), or sign in to this one as its identity management type expects.",
	References: []string{refConnect, refConnectIDM, refDescribeIns},
	Symptoms:   []string{"the Connect console loads, then fails"},
	Rank:       7,
	Check: func(p *Pass) {
		if p.skipUnread("to check the instance's identity management type", InputConnectInstance) {
			return
		}
		ins := p.Inputs.AWSRead().Instance
		if ins == nil || strings.EqualFold(ins.IdentityManagementType, "SAML") {
			return
		}
		p.Report(Finding{Message: "instance " + ins.ID + " manages identities as " + ins.IdentityManagementType + ", not SAML: SAML federation cannot sign in to it", Location: relayAt,
			Expected: "IdentityManagementType SAML", Actual: ins.IdentityManagementType,
			Fix: "Point the RelayState at an instance created with SAML 2.0-based authentication; the type of instance " + ins.ID + " cannot be changed."})
	},
}

const refSimulate = "AWS IAM API: SimulatePrincipalPolicy — https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html"

var simulatorDisagrees = &Rule{
	ID: "connect/simulator-disagrees", Severity: Warning, Scope: ScopeConnect, Needs: []Input{InputAWSRead, InputPermissionsPolicy},
	Title: "IAM's policy simulator and samllint disagree on connect:GetFederationToken",
	Why: "With --from-aws, samllint also asks IAM's policy simulator (iam:SimulatePrincipalPolicy) whether the role may call " +
		"connect:GetFederationToken for this session's Connect user, and compares its verdict with its own reading of the role's " +
		"permissions and permissions boundary. When they differ, one of them misses something: a condition samllint does not " +
		"evaluate, or request context the simulator was not given. Neither verdict is then certain.",
	Fix:        "Read the statements both verdicts rest on; the sign-in's own result (a HAR of the Connect console loading) settles it.",
	References: []string{refSimulate, refPolicyEv, refConnect},
	Symptoms:   []string{"GetFederationToken"},
	Rank:       9,
	Check: func(p *Pass) {
		sim := p.Inputs.AWSRead().Simulation
		if sim == nil {
			return
		}
		req, ok := gftRequest(p)
		if !ok {
			return
		}
		req.Resource = sim.Resource
		req.Context["aws:userid"] = []string{sim.UserID}
		ours := "allowed"
		dec, _ := policy.Evaluate(p.Inputs.permissions, req)
		if b := p.Inputs.boundaryDoc(); b != nil && dec == policy.Allow {
			dec, _ = policy.Evaluate([]*policy.Document{b}, req)
		}
		switch dec {
		case policy.ExplicitDeny:
			ours = "explicitDeny"
		case policy.ImplicitDeny:
			ours = "implicitDeny"
		}
		if (ours == "allowed") == strings.EqualFold(sim.Decision, "allowed") {
			return
		}
		p.Report(Finding{Message: "IAM's policy simulator says " + sim.Decision + " for connect:GetFederationToken; samllint's reading of the role's permissions and boundary says " + ours,
			Location: policyAt(SourcePermissions, p.Inputs.permissions[0], ""), Expected: "the same verdict from both (" + sim.Resource + ")",
			Actual: "simulator: " + sim.Decision + "; samllint: " + ours,
			Fix:    "Check the role's statements on connect:GetFederationToken and their conditions: aws iam simulate-principal-policy --policy-source-arn " + p.facts.roleOr() + " --action-names connect:GetFederationToken --resource-arns " + sim.Resource + " shows the simulator's reasons."})
	},
}
