// Package trail reads AWS's own record of SAML sign-ins, the CloudTrail
// events of STS's AssumeRoleWithSAML and of Amazon Connect's
// GetFederationToken, groups them into sign-in attempts and diagnoses the
// failed ones through the catalog "samllint explain" uses
// (lint.Diagnose), so that a sign-in nobody captured can still be
// explained after the fact. It reads CloudTrail log files as delivered to
// S3 and the output of aws cloudtrail lookup-events; it never calls AWS.
//
// The record's fields are documented in the CloudTrail event reference
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html),
// the AssumeRoleWithSAML entry in "Logging IAM and AWS STS API calls with
// AWS CloudTrail"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html),
// and its error codes in the STS API reference
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html#API_AssumeRoleWithSAML_Errors).
package trail

import (
	"strings"
	"time"
)

// The events read; every other event in a file is skipped.
const (
	AssumeRoleWithSAML = "AssumeRoleWithSAML"
	GetFederationToken = "GetFederationToken"
)

// Event is one CloudTrail record of a federation call.
type Event struct {
	ID     string    `json:"event_id"`
	Time   time.Time `json:"time"`
	Name   string    `json:"name"`
	Source string    `json:"source"` // sts.amazonaws.com, connect.amazonaws.com
	Region string    `json:"region"`
	// Account is recipientAccountId: the account the call was made to.
	Account   string `json:"account,omitempty"`
	SourceIP  string `json:"source_ip,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
	// ErrorCode and ErrorMessage are set when the call failed.
	ErrorCode    string `json:"error_code,omitempty"`
	ErrorMessage string `json:"error_message,omitempty"`

	// AssumeRoleWithSAML's requestParameters.
	RoleARN         string `json:"role_arn,omitempty"`
	ProviderARN     string `json:"provider_arn,omitempty"`
	SessionName     string `json:"session_name,omitempty"`
	DurationSeconds int    `json:"duration_seconds,omitempty"`
	SourceIdentity  string `json:"source_identity,omitempty"`
	// AssertionID is sAMLAssertionID: the assertion's own ID, which joins
	// the event to a capture.
	AssertionID string `json:"assertion_id,omitempty"`
	// Its responseElements (success only): saml:sub, saml:iss, saml:aud.
	Subject       string `json:"subject,omitempty"`
	SubjectType   string `json:"subject_type,omitempty"`
	Issuer        string `json:"issuer,omitempty"`
	Audience      string `json:"audience,omitempty"`
	NameQualifier string `json:"name_qualifier,omitempty"`
	// AssumedRole is the session's ARN (responseElements.assumedRoleUser.arn).
	AssumedRole string `json:"assumed_role,omitempty"`

	// GetFederationToken: the caller (userIdentity.arn, the assumed-role
	// session) and the instance (requestParameters.InstanceId).
	Caller   string `json:"caller,omitempty"`
	Instance string `json:"instance,omitempty"`
}

// Action is the call as IAM names it: sts:AssumeRoleWithSAML or
// connect:GetFederationToken.
func (e *Event) Action() string {
	if e.Name == GetFederationToken {
		return "connect:GetFederationToken"
	}
	return "sts:AssumeRoleWithSAML"
}

// Failed reports whether AWS refused the call.
func (e *Event) Failed() bool { return e.ErrorCode != "" }

// User is who signed in, as the record names them: the session name,
// else the subject, else the caller's session.
func (e *Event) User() string {
	switch {
	case e.SessionName != "":
		return e.SessionName
	case e.Subject != "":
		return e.Subject
	}
	return sessionOf(e.Caller)
}

// session is the assumed-role session a sign-in made, as a later call
// names its caller: arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION.
func (e *Event) session() string {
	if e.AssumedRole != "" {
		return e.AssumedRole
	}
	// A failed sign-in has no responseElements: build what it would have
	// been called, from the role and the session name.
	arn, name := e.RoleARN, e.SessionName
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || !strings.HasPrefix(parts[5], "role/") || name == "" {
		return ""
	}
	role := parts[5][strings.LastIndexByte(parts[5], '/')+1:]
	return "arn:" + parts[1] + ":sts::" + parts[4] + ":assumed-role/" + role + "/" + name
}

// sessionOf is the session name of an assumed-role ARN.
func sessionOf(arn string) string {
	if i := strings.Index(arn, ":assumed-role/"); i >= 0 {
		rest := arn[i+len(":assumed-role/"):]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return rest[j+1:]
		}
	}
	return ""
}
