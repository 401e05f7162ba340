package awsread_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/samllint/samllint/awsread"
	"github.com/samllint/samllint/lint"
)

// Lint a capture with the AWS side read from the account, as
// samllint --from-aws does. (Not run: it needs credentials.)
func ExampleNew() {
	ctx := context.Background()
	r, err := awsread.New(ctx, awsread.Options{Profile: "prod-readonly"})
	var ce *awsread.CredentialsError
	if errors.As(err, &ce) {
		fmt.Println(err) // says how to give credentials
		return
	}
	capture, _ := os.ReadFile("capture.har")
	results, err := lint.LintContext(ctx, capture, &lint.Inputs{}, lint.Options{Resolver: r})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, res := range results {
		if res.Report == nil {
			continue
		}
		for _, s := range res.Report.Skipped {
			fmt.Println(s.Rule, s.Because) // "needs iam:GetRole on arn:… (AccessDenied)"
		}
	}
}
