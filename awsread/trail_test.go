package awsread_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/samllint/samllint/awsread"
	"github.com/samllint/samllint/internal/test/awstest"
	"github.com/samllint/samllint/trail"
)

func trailRecord(id, name, t, region string) string {
	return fmt.Sprintf(`{"eventVersion":"1.11","eventID":%q,"eventName":%q,"eventTime":%q,"awsRegion":%q,"eventSource":"sts.amazonaws.com",`+
		`"userIdentity":{"type":"SAMLUser","userName":"jane.doe@example.com"},"requestParameters":{"roleArn":"arn:aws:iam::123456789012:role/ConnectAgent",`+
		`"principalArn":"arn:aws:iam::123456789012:saml-provider/Okta","roleSessionName":"jane.doe@example.com","sAMLAssertionID":"_a%s"},"recipientAccountId":"123456789012"}`, id, name, t, region, id)
}

// TestLookupEvents: every page of each event name in each region asked,
// in the window, at the rate asked, the throttled request retried, each
// page reported; a denied lookup names the call and the region.
func TestLookupEvents(t *testing.T) {
	w := world(t)
	w.Trail = []string{
		trailRecord("1", trail.AssumeRoleWithSAML, "2026-11-20T10:00:00Z", "us-east-1"),
		trailRecord("2", trail.AssumeRoleWithSAML, "2026-11-20T10:10:00Z", "us-east-1"),
		trailRecord("3", trail.AssumeRoleWithSAML, "2026-11-20T10:20:00Z", "us-east-1"),
		trailRecord("4", trail.AssumeRoleWithSAML, "2026-11-20T10:30:00Z", "eu-west-2"),
		trailRecord("5", trail.AssumeRoleWithSAML, "2026-11-18T10:00:00Z", "us-east-1"), // before the window
		trailRecord("6", "ConsoleLogin", "2026-11-20T10:05:00Z", "us-east-1"),
	}
	srv := awstest.New(t, w)
	srv.Env(t)
	srv.PageSize = 1
	srv.Throttle("cloudtrail:LookupEvents", 1)
	r, err := awsread.New(context.Background(), awsread.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var pages []string
	q := awsread.EventQuery{Regions: []string{"us-east-1", "eu-west-2"}, Start: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC),
		Interval: 30 * time.Millisecond, Page: func(region, name string, page, n int) {
			pages = append(pages, fmt.Sprintf("%s %s %d:%d", region, name, page, n))
		}}
	began := time.Now()
	events, err := r.LookupEvents(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range events {
		ids = append(ids, e.ID)
	}
	if !slices.Equal(ids, []string{"1", "2", "3", "4"}) {
		t.Errorf("events %v, want 1 to 4 in time order (5 is before the window, 6 another call)", ids)
	}
	wantPages := []string{"us-east-1 AssumeRoleWithSAML 1:1", "us-east-1 AssumeRoleWithSAML 2:1", "us-east-1 AssumeRoleWithSAML 3:1", "us-east-1 GetFederationToken 1:0",
		"eu-west-2 AssumeRoleWithSAML 1:1", "eu-west-2 GetFederationToken 1:0"}
	if !slices.Equal(pages, wantPages) {
		t.Errorf("pages %q, want %q", pages, wantPages)
	}
	// Four requests in us-east-1 keep 30 ms apart: at least 90 ms.
	if took := time.Since(began); took < 90*time.Millisecond {
		t.Errorf("6 pages read in %v: the interval was not kept", took)
	}
	srv.Deny("cloudtrail:LookupEvents")
	_, err = r.LookupEvents(context.Background(), q)
	var api *awsread.APIError
	if !errors.As(err, &api) || api.Code != "AccessDeniedException" || err.Error()[:len("cloudtrail:LookupEvents in us-east-1")] != "cloudtrail:LookupEvents in us-east-1" {
		t.Errorf("a denied lookup: %v", err)
	}
}
