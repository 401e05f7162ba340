package awsread_test

import (
	"go/ast"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/samllint/samllint/awsread"
	"github.com/samllint/samllint/internal/base/policy"
	"github.com/samllint/samllint/internal/test/testkit"
)

// sourceCalls finds, in the package's source, every action a read names
// (to s.call, s.list, s.org, s.connect) and every API action it sends
// over the wire (to api.query, and through s.org and s.connect).
func sourceCalls(t *testing.T) (named, wire []string) {
	lit := func(e ast.Expr) string {
		if l, ok := e.(*ast.BasicLit); ok {
			v, _ := strconv.Unquote(l.Value)
			return v
		}
		return ""
	}
	services := map[string]string{"svcIAM": "iam", "svcSTS": "sts", "svcOrganizations": "organizations", "svcConnect": "connect", "svcCloudTrail": "cloudtrail"}
	for _, f := range testkit.Sources(t) {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			switch sel.Sel.Name {
			case "call", "list":
				if a := lit(call.Args[0]); a != "" {
					named = append(named, a)
				}
			case "org":
				if a := lit(call.Args[0]); a != "" {
					named = append(named, "organizations:"+a)
					wire = append(wire, "organizations:"+a)
				}
			case "connect":
				if a := lit(call.Args[0]); a != "" {
					named = append(named, "connect:"+a)
					wire = append(wire, "connect:"+a)
				}
			case "json11":
				// CloudTrail's LookupEvents: named and sent in one call.
				if len(call.Args) > 3 {
					if svc, ok := call.Args[1].(*ast.Ident); ok && svc.Name == "svcCloudTrail" && lit(call.Args[3]) != "" {
						named = append(named, "cloudtrail:"+lit(call.Args[3]))
						wire = append(wire, "cloudtrail:"+lit(call.Args[3]))
					}
				}
			case "query":
				if len(call.Args) > 3 {
					if svc, ok := call.Args[1].(*ast.Ident); ok && services[svc.Name] != "" && lit(call.Args[3]) != "" {
						wire = append(wire, services[svc.Name]+":"+lit(call.Args[3]))
					}
				}
			}
			return true
		})
	}
	slices.Sort(named)
	slices.Sort(wire)
	return slices.Compact(named), slices.Compact(wire)
}

// TestAWSPolicy: docs/aws-read-policy.json allows exactly the actions the
// code can call, each on the resources it calls it on, and nothing that
// writes.
func TestAWSPolicy(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testkit.Root(), "docs", "aws-read-policy.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := policy.Load(b, "docs/aws-read-policy.json")
	if err != nil || len(f.Permissions) != 1 {
		t.Fatalf("the policy does not load: %v", err)
	}
	doc := f.Permissions[0]
	var allowed []string
	for _, s := range doc.Statements {
		if s.Effect != "Allow" || len(s.NotAction) > 0 || len(s.NotResource) > 0 {
			t.Errorf("%s: only plain Allow statements belong in a least-privilege read policy", s.Path)
		}
		for _, a := range s.Action {
			if strings.ContainsAny(a, "*?") {
				t.Errorf("%s: wildcard action %q", s.Path, a)
			}
			allowed = append(allowed, a)
		}
	}
	slices.Sort(allowed)
	want := slices.Sorted(slices.Values(awsread.Actions))
	if !slices.Equal(allowed, want) {
		t.Errorf("the policy allows %q,\nawsread.Actions are %q", allowed, want)
	}
	named, wire := sourceCalls(t)
	if !slices.Equal(named, want) {
		t.Errorf("the code names %q to call,\nawsread.Actions are %q", named, want)
	}
	if !slices.Equal(wire, want) {
		t.Errorf("the code sends the API actions %q,\nawsread.Actions are %q", wire, want)
	}
	for _, a := range want {
		verb := a[strings.IndexByte(a, ':')+1:]
		if !strings.HasPrefix(verb, "Get") && !strings.HasPrefix(verb, "List") && !strings.HasPrefix(verb, "Describe") && !strings.HasPrefix(verb, "Lookup") &&
			!strings.HasPrefix(verb, "Search") && verb != "SimulatePrincipalPolicy" {
			t.Errorf("%s is not a read", a)
		}
	}
	// Every call a full read makes is allowed on its own resource.
	r := lintAWS(t, world(t), nil, 5*time.Second)
	for _, c := range r.calls(t) {
		dec, _ := policy.Evaluate(f.Permissions, policy.Request{Action: c.Action, Resource: c.Resource, Context: map[string][]string{}})
		if dec != policy.Allow {
			t.Errorf("the policy does not allow %s on %s", c.Action, c.Resource)
		}
	}
}
