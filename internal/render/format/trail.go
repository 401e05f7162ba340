package format

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/samllint/samllint/lint"
)

// TrailUnexplained is the SARIF rule of a sign-in AWS refused whose cause
// the record and the account did not settle: its message lists the
// candidates.
const TrailUnexplained = "trail/sign-in-failed"

// TrailFailure is one failed sign-in of "samllint trail", for SARIF and
// GitHub annotations.
type TrailFailure struct {
	// File is where the event was read: a CloudTrail file, or
	// cloudtrail/REGION for the live history.
	File    string
	EventID string
	// Rule is the cause when the record or the account showed it, else
	// TrailUnexplained; Severity is its severity.
	Rule     string
	Severity lint.Severity
	// Title says who failed where; Message says what AWS answered and
	// what the diagnosis found.
	Title, Message string
}

// TrailSARIF writes failures as SARIF 2.1.0: the registry's rules and
// TrailUnexplained as the tool's rules, one result per failure with its
// file as artifact and its event ID as logical location.
func TrailSARIF(w io.Writer, failures []TrailFailure, version string) error {
	rules := sarifRules()
	rules = append(rules, sarifRule{
		ID: TrailUnexplained, Name: sarifName(TrailUnexplained),
		ShortDescription:     sarifText{Text: "AWS refused a sign-in; what caused it is not settled"},
		FullDescription:      sarifText{Text: "CloudTrail recorded a failed AssumeRoleWithSAML or GetFederationToken, and neither the record nor the account read settled which problem caused it; the message lists the candidates, most likely first."},
		Help:                 sarifText{Text: "samllint explain with the error code lists the candidates and what tells them apart; a capture of a new attempt, linted with --from-aws, names the one."},
		HelpURI:              lint.HomeURL + "/blob/main/docs/trail.md",
		DefaultConfiguration: map[string]string{"level": "error"},
		Properties:           map[string]any{"tags": []string{"trail"}, "precision": "medium"},
	})
	index := map[string]int{}
	for i, r := range rules {
		index[r.ID] = i
	}
	results := []sarifResult{}
	for _, f := range failures {
		loc := sarifLocation{Logical: []sarifLogicalLoc{{FullyQualifiedName: "eventID " + f.EventID, Kind: "object"}}}
		loc.Physical.Artifact.URI = artifactURI(f.File)
		sum := sha256.Sum256([]byte(f.Rule + "\x00" + f.EventID))
		results = append(results, sarifResult{
			RuleID: f.Rule, RuleIndex: index[f.Rule], Level: sarifLevel(f.Severity),
			Message:             sarifText{Text: f.Title + ": " + f.Message},
			Locations:           []sarifLocation{loc},
			PartialFingerprints: map[string]string{"samllintTrail/v1": hex.EncodeToString(sum[:16])},
			Suppressions:        []sarifSuppression{},
			Properties:          map[string]any{"eventID": f.EventID},
		})
	}
	doc := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool":        sarifTool{Driver: sarifDriver{Name: "samllint", Version: version, InformationURI: lint.HomeURL, Rules: rules}},
			"invocations": []any{map[string]any{"executionSuccessful": true, "toolExecutionNotifications": []any{}}},
			"results":     results,
		}},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(EscapeJSON(b), '\n'))
	return err
}

// TrailGitHub writes failures as GitHub workflow annotations on the
// file each event was read from.
func TrailGitHub(w io.Writer, failures []TrailFailure) error {
	var b strings.Builder
	for _, f := range failures {
		fmt.Fprintf(&b, "::%s file=%s,title=%s::%s\n", ghLvl[f.Severity], ghProp.Replace(f.File), ghProp.Replace(f.Rule+": "+f.Title), ghData.Replace(f.Message))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
