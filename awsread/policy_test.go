package awsread_test

import (
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/samllint/samllint/awsread"
	"github.com/samllint/samllint/internal/policy"
	"github.com/samllint/samllint/internal/testkit"
)

// sdkPrefix maps the client a call is made on to its IAM service prefix.
var sdkPrefix = map[string]string{"iam": "iam", "sts": "sts", "org": "organizations", "c": "connect"}

// sourceCalls finds, in the package's source, every action named to
// s.call and every SDK operation called on a client.
func sourceCalls(t *testing.T) (named, sdk []string) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if sel.Sel.Name == "call" && len(call.Args) > 0 {
				if lit, ok := call.Args[0].(*ast.BasicLit); ok {
					a, _ := strconv.Unquote(lit.Value)
					named = append(named, a)
				}
			}
			var client string
			switch x := sel.X.(type) {
			case *ast.SelectorExpr: // s.r.iam.GetRole
				client = x.Sel.Name
			case *ast.Ident: // c.DescribeInstance, c the Connect client
				if x.Name == "c" {
					client = x.Name
				}
			}
			if p, ok := sdkPrefix[client]; ok && ast.IsExported(sel.Sel.Name) {
				sdk = append(sdk, p+":"+sel.Sel.Name)
			}
			return true
		})
	}
	slices.Sort(named)
	slices.Sort(sdk)
	return slices.Compact(named), slices.Compact(sdk)
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
	named, sdk := sourceCalls(t)
	if !slices.Equal(named, want) {
		t.Errorf("the code names %q to call,\nawsread.Actions are %q", named, want)
	}
	if !slices.Equal(sdk, want) {
		t.Errorf("the code calls the SDK operations %q,\nawsread.Actions are %q", sdk, want)
	}
	for _, a := range want {
		verb := a[strings.IndexByte(a, ':')+1:]
		if !strings.HasPrefix(verb, "Get") && !strings.HasPrefix(verb, "List") && !strings.HasPrefix(verb, "Describe") &&
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

// "go test ./... -update" passes the flag to every package.
var _ = flag.Bool("update", false, "rewrite golden files (none in this package)")
