// Module samllint tells why a SAML sign-in to AWS, and on to Amazon
// Connect, fails. This package holds no code; the library is in two:
//
//   - [github.com/samllint/samllint/lint]: lint a captured sign-in
//     (lint.Lint, lint.LintStream) with what you have beside it
//     (lint.Inputs), and get findings with rule, severity, location,
//     expected, actual and fix; lint.Fix, lint.Diagnose and lint.Compare
//     answer fix, explain and diff.
//   - [github.com/samllint/samllint/saml]: decode a capture in every form
//     people have it (HAR, base64, form body, XML…), parse it and verify
//     its signatures.
//
// [github.com/samllint/samllint/lint/linttest] keeps captures as golden
// tests, and [github.com/samllint/samllint/awsread] reads the AWS side
// from an account as --from-aws does. The commands are cmd/samllint and
// cmd/samllint-aws (which --from-aws, aws-export and record run); the
// documentation is in docs/ (https://github.com/samllint/samllint/tree/main/docs).
package samllint
