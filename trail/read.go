package trail

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"
)

// MaxFile bounds what one file may hold once decompressed: CloudTrail
// delivers a log file every five minutes or so, far smaller.
const MaxFile = 256 << 20

// FormatError says why a file is not CloudTrail's.
type FormatError struct {
	Name, Why string
}

func (e *FormatError) Error() string { return e.Name + ": " + e.Why }

// maxFile is MaxFile; the tests lower it.
var maxFile int64 = MaxFile

// ErrTooLarge is wrapped when a file decompresses past MaxFile.
var ErrTooLarge = errors.New("larger than 256 MiB once decompressed")

// Read returns the federation events of one file: a CloudTrail log file
// as delivered to S3 ({"Records": […]}, gzipped or not), the output of
// aws cloudtrail lookup-events ({"Events": [{"CloudTrailEvent": "…"}]}),
// one record, or an array of records. Events of other calls are skipped.
func Read(name string, r io.Reader) ([]Event, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, &FormatError{name, "gzip data with a broken header"}
		}
		if data, err = io.ReadAll(io.LimitReader(zr, maxFile+1)); err != nil {
			return nil, &FormatError{name, "gzip data that does not decompress: " + err.Error()}
		}
	}
	if int64(len(data)) > maxFile {
		return nil, fmt.Errorf("%s: %w", name, ErrTooLarge)
	}
	raws, err := records(bytes.TrimSpace(data))
	if err != nil {
		return nil, &FormatError{name, err.Error()}
	}
	var out []Event
	for i, raw := range raws {
		// Most records are other calls: skip them before decoding.
		if !bytes.Contains(raw, []byte(AssumeRoleWithSAML)) && !bytes.Contains(raw, []byte(GetFederationToken)) {
			continue
		}
		var rec record
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, &FormatError{name, fmt.Sprintf("record %d: %v", i+1, err)}
		}
		if rec.EventName != AssumeRoleWithSAML && rec.EventName != GetFederationToken {
			continue
		}
		e, err := rec.event()
		if err != nil {
			return nil, &FormatError{name, fmt.Sprintf("record %d (%s): %v", i+1, rec.EventName, err)}
		}
		out = append(out, e)
	}
	Sort(out)
	return out, nil
}

// Sort orders events by time, then by ID, as trail reports them.
func Sort(events []Event) {
	sort.SliceStable(events, func(i, j int) bool {
		if !events[i].Time.Equal(events[j].Time) {
			return events[i].Time.Before(events[j].Time)
		}
		return events[i].ID < events[j].ID
	})
}

// records finds the records in whichever shape the file has.
func records(data []byte) ([]json.RawMessage, error) {
	const want = `expected a CloudTrail log file ({"Records": [...]}), aws cloudtrail lookup-events output ({"Events": [...]}) or CloudTrail records`
	switch {
	case len(data) == 0:
		return nil, errors.New("empty; " + want)
	case data[0] == '[':
		var list []json.RawMessage
		if err := json.Unmarshal(data, &list); err != nil {
			return nil, fmt.Errorf("not JSON (%v); %s", err, want)
		}
		return list, nil
	case data[0] != '{':
		return nil, errors.New("not JSON; " + want)
	}
	var top struct {
		Records *[]json.RawMessage `json:"Records"`
		Events  *[]struct {
			CloudTrailEvent string `json:"CloudTrailEvent"`
		} `json:"Events"`
		EventName string `json:"eventName"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("not JSON (%v); %s", err, want)
	}
	switch {
	case top.Records != nil:
		return *top.Records, nil
	case top.Events != nil:
		out := make([]json.RawMessage, 0, len(*top.Events))
		for i, e := range *top.Events {
			if e.CloudTrailEvent == "" {
				return nil, fmt.Errorf("entry %d of Events has no CloudTrailEvent; %s", i+1, want)
			}
			out = append(out, json.RawMessage(e.CloudTrailEvent))
		}
		return out, nil
	case top.EventName != "":
		return []json.RawMessage{data}, nil
	}
	return nil, errors.New("JSON without Records, Events or eventName; " + want)
}

// record is a CloudTrail record, as far as trail reads it.
type record struct {
	EventID            string `json:"eventID"`
	EventTime          string `json:"eventTime"`
	EventSource        string `json:"eventSource"`
	EventName          string `json:"eventName"`
	AWSRegion          string `json:"awsRegion"`
	SourceIPAddress    string `json:"sourceIPAddress"`
	UserAgent          string `json:"userAgent"`
	ErrorCode          string `json:"errorCode"`
	ErrorMessage       string `json:"errorMessage"`
	RecipientAccountID string `json:"recipientAccountId"`
	UserIdentity       struct {
		ARN string `json:"arn"`
		// For a SAMLUser, userName is saml:sub, also when the call failed.
		Type     string `json:"type"`
		UserName string `json:"userName"`
	} `json:"userIdentity"`
	RequestParameters struct {
		RoleARN         string `json:"roleArn"`
		PrincipalARN    string `json:"principalArn"`
		RoleSessionName string `json:"roleSessionName"`
		DurationSeconds int    `json:"durationSeconds"`
		AssertionID     string `json:"sAMLAssertionID"`
		SourceIdentity  string `json:"sourceIdentity"`
		// Connect's, which encoding/json also matches as instanceId.
		InstanceID string `json:"InstanceId"`
	} `json:"requestParameters"`
	ResponseElements struct {
		Subject         string `json:"subject"`
		SubjectType     string `json:"subjectType"`
		Issuer          string `json:"issuer"`
		Audience        string `json:"audience"`
		NameQualifier   string `json:"nameQualifier"`
		SourceIdentity  string `json:"sourceIdentity"`
		AssumedRoleUser struct {
			ARN string `json:"arn"`
		} `json:"assumedRoleUser"`
	} `json:"responseElements"`
}

func (r *record) event() (Event, error) {
	t, err := time.Parse(time.RFC3339, r.EventTime)
	if err != nil {
		return Event{}, fmt.Errorf("eventTime %q is not an RFC 3339 time", r.EventTime)
	}
	q, p := r.RequestParameters, r.ResponseElements
	e := Event{
		ID: r.EventID, Time: t.UTC(), Name: r.EventName, Source: r.EventSource, Region: r.AWSRegion, Account: r.RecipientAccountID,
		SourceIP: r.SourceIPAddress, UserAgent: r.UserAgent, ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage,
		RoleARN: q.RoleARN, ProviderARN: q.PrincipalARN, SessionName: q.RoleSessionName, DurationSeconds: q.DurationSeconds,
		AssertionID: q.AssertionID, SourceIdentity: q.SourceIdentity,
		Subject: p.Subject, SubjectType: p.SubjectType, Issuer: p.Issuer, Audience: p.Audience, NameQualifier: p.NameQualifier,
		AssumedRole: p.AssumedRoleUser.ARN,
	}
	if e.SourceIdentity == "" {
		e.SourceIdentity = p.SourceIdentity
	}
	if e.Subject == "" && r.UserIdentity.Type == "SAMLUser" {
		// A failed call has no responseElements; the identity still
		// names saml:sub (CloudTrail's userIdentity for SAMLUser).
		e.Subject = r.UserIdentity.UserName
	}
	if r.EventName == GetFederationToken {
		e.Caller = r.UserIdentity.ARN
		e.Instance = q.InstanceID
	}
	return e, nil
}
