package awsread

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/trail"
)

// svcCloudTrail is CloudTrail, asked in each region whose events are read.
var svcCloudTrail = service{id: "CloudTrail", signing: "cloudtrail", endpoint: regional("cloudtrail")}

// cloudTrailTarget is LookupEvents' JSON 1.1 target prefix
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
const cloudTrailTarget = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"

// LookupRate is the rate CloudTrail documents for LookupEvents: two
// requests a second, per account, per region.
const LookupRate = 500 * time.Millisecond

// History is how far back LookupEvents reaches: 90 days of management
// events.
const History = 90 * 24 * time.Hour

// EventQuery says which federation events LookupEvents reads.
type EventQuery struct {
	// Regions are read in order; a sign-in to the global endpoint is
	// logged in us-east-1, one to a regional endpoint in its region, and
	// Connect's GetFederationToken in the instance's.
	Regions    []string
	Start, End time.Time
	// Interval is the least time between two requests to one region:
	// LookupRate when zero.
	Interval time.Duration
	// Page is told of each page read.
	Page func(region, name string, pages, events int)
}

// LookupEvents reads the AssumeRoleWithSAML and GetFederationToken events
// of a window from CloudTrail's event history, region by region, every
// page, within the documented rate; the standard retryer retries a
// ThrottlingException. The events come back sorted, as trail.Read
// returns them.
func (r *Reader) LookupEvents(ctx context.Context, q EventQuery) ([]trail.Event, error) {
	if q.Interval <= 0 {
		q.Interval = LookupRate
	}
	var events []trail.Event
	for _, region := range q.Regions {
		var last time.Time
		for _, name := range []string{trail.AssumeRoleWithSAML, trail.GetFederationToken} {
			token, pages := "", 0
			for {
				if wait := q.Interval - time.Since(last); !last.IsZero() && wait > 0 {
					select {
					case <-time.After(wait):
					case <-ctx.Done():
						return nil, ctx.Err()
					}
				}
				in := map[string]any{
					"LookupAttributes": []map[string]string{{"AttributeKey": "EventName", "AttributeValue": name}},
					"StartTime":        q.Start.Unix(), "EndTime": q.End.Unix(), "MaxResults": 50,
				}
				if token != "" {
					in["NextToken"] = token
				}
				var out struct {
					Events    []json.RawMessage
					NextToken string
				}
				last = time.Now()
				if err := r.api.json11(ctx, svcCloudTrail, cloudTrailTarget, "LookupEvents", lint.RegionPartition(region), region, in, &out); err != nil {
					return nil, fmt.Errorf("cloudtrail:LookupEvents in %s: %w", region, err)
				}
				page, _ := json.Marshal(map[string]any{"Events": out.Events})
				evs, err := trail.Read("LookupEvents in "+region, bytes.NewReader(page))
				if err != nil {
					return nil, err
				}
				events = append(events, evs...)
				pages++
				if q.Page != nil {
					q.Page(region, name, pages, len(evs))
				}
				if token = out.NextToken; token == "" {
					break
				}
			}
		}
	}
	trail.Sort(events)
	return events, nil
}
