// Package lint explains why a SAML sign-in to AWS, or to Amazon Connect,
// fails: it checks a captured SAMLResponse, and what the user has beside
// it, against everything that breaks the two hops (AWS federation, then
// Connect federation), and reports every problem at once, each with where
// it is, what was expected and found, and the fix in the user's values.
//
// Lint is the whole pipeline, and every samllint front end (the CLI, the
// serve page, lint/linttest, the rules' own examples) calls it: decode
// every message in the input, parse, verify the signatures against the
// trust anchors, run every enabled rule, apply the config's severities
// and suppressions. LintStream does the same for a large HAR, entry by
// entry.
//
// Inputs holds what the user gives beside the capture, loaded by one
// loader (Inputs.Add, Inputs.Load): IdP metadata or certificates,
// decryption keys, the RelayState, the role's trust and permissions
// policies, service control policies, a permissions boundary, the
// Connect users, a config. A rule that needs an input that was not given
// is reported as skipped, naming it (Skipped.Needs).
//
// What the AWS account itself holds comes in through a Resolver
// (Options.Resolver): package awsread reads it for each capture's Target,
// before the signatures are checked, and AWSRead carries what no aws CLI
// output does. Without a Resolver nothing is read but the inputs given.
//
// Rules never read the clock: Options says how the evaluation time is
// chosen (given, IssueInstant, the post time a HAR records, the caller's
// clock for a fresh capture, or IssueInstant + 1 minute), and each
// Report says which was used and why (Report.Clock).
//
// The rules are one registry (Rules, Lookup); Explain, Markdown and
// Diagnose render their documentation and map error texts to them. Fix
// builds the corrected policies and IdP settings for a result; Compare
// diffs two results.
//
// The package never prints, logs, exits, reads the clock or the network
// (a Resolver the caller gives may read the network: that is its job).
package lint
