// Package policy reads IAM policy documents in the forms admins export them
// (bare JSON, aws iam get-role / get-role-policy / get-policy-version
// output, CloudFormation, Terraform) and evaluates the small part of IAM's
// semantics SAML federation needs: Allow/Deny, principals, actions and
// resources with wildcards and policy variables, and the condition
// operators trust policies use.
package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"
)

// Document is one policy document.
type Document struct {
	// Source names where it came from: the file, and inside it the path
	// to the document ("Role.AssumeRolePolicyDocument").
	Source     string
	Where      string
	Version    string
	Statements []*Statement
	// Raw is the document as parsed, for writing a corrected copy.
	Raw map[string]any
}

// Label is "file" or "file (Where)".
func (d *Document) Label() string {
	if d.Where == "" {
		return d.Source
	}
	return d.Source + " (" + d.Where + ")"
}

// Statement is one statement, with its elements normalised to lists.
type Statement struct {
	Index        int    // 1-based
	Path         string // "Statement[2]"
	Sid          string
	Effect       string
	Principal    *Principal // nil when absent
	NotPrincipal *Principal
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	HasAction    bool // Action present (possibly empty), as opposed to NotAction
	HasResource  bool
	Conditions   []Condition
}

// Principal is a Principal element.
type Principal struct {
	All                                bool
	AWS, Federated, Service, Canonical []string
}

// Condition is one operator/key pair of a Condition block.
type Condition struct {
	Operator string
	Key      string
	Values   []string
	Path     string // "Statement[1].Condition.StringEquals.SAML:aud"
}

// Role is what an exported role says about itself (aws iam get-role).
type Role struct {
	Name               string
	ARN                string
	MaxSessionDuration int
}

// File is everything found in one policy file.
type File struct {
	Trust       *Document
	Permissions []*Document
	Role        *Role
}

// Error reports unreadable policy input with the position of the problem.
type Error struct {
	File      string
	Line, Col int
	Msg       string
	Expected  string
}

func (e *Error) Error() string {
	pos := e.File
	if e.Line > 0 {
		pos = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Col)
	}
	msg := pos + ": " + e.Msg
	if e.Expected != "" {
		msg += "; expected " + e.Expected
	}
	return msg
}

// ErrNoPolicy is wrapped when a file holds no policy of the wanted kind.
var ErrNoPolicy = errors.New("no policy document")

// Load reads a policy file in any supported form.
func Load(data []byte, name string) (*File, error) {
	v, err := decodeJSON(data, name)
	if err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, &Error{File: name, Msg: "the JSON is not an object", Expected: "a policy document or the output of aws iam get-role / get-role-policy / get-policy-version"}
	}
	f := &File{}
	switch {
	case obj["Statement"] != nil:
		d, err := parseDoc(obj, name, "")
		if err != nil {
			return nil, err
		}
		// A bare document is a trust policy when its statements name principals.
		if hasPrincipal(d) {
			f.Trust = d
		} else {
			f.Permissions = append(f.Permissions, d)
		}
	case obj["Role"] != nil:
		role, _ := obj["Role"].(map[string]any)
		f.Role = roleInfo(role)
		if d, err := embedded(role["AssumeRolePolicyDocument"], name, "Role.AssumeRolePolicyDocument"); err != nil {
			return nil, err
		} else if d != nil {
			f.Trust = d
		}
	case obj["PolicyDocument"] != nil:
		d, err := embedded(obj["PolicyDocument"], name, "PolicyDocument")
		if err != nil {
			return nil, err
		}
		f.Permissions = append(f.Permissions, d)
	case obj["PolicyVersion"] != nil:
		pv, _ := obj["PolicyVersion"].(map[string]any)
		d, err := embedded(pv["Document"], name, "PolicyVersion.Document")
		if err != nil {
			return nil, err
		}
		f.Permissions = append(f.Permissions, d)
	case obj["Policy"] != nil:
		// aws organizations describe-policy: the SCP's JSON as a string in Content.
		pol, _ := obj["Policy"].(map[string]any)
		d, err := embedded(pol["Content"], name, "Policy.Content")
		if err != nil {
			return nil, err
		}
		if d != nil {
			f.Permissions = append(f.Permissions, d)
		}
	case obj["Resources"] != nil || obj["Type"] != nil:
		if err := cloudFormation(obj, name, f); err != nil {
			return nil, err
		}
	case obj["resource"] != nil || obj["values"] != nil:
		if err := terraform(obj, name, f); err != nil {
			return nil, err
		}
	default:
		return nil, &Error{File: name, Msg: "JSON with no Statement, Role, PolicyDocument, PolicyVersion or Policy", Expected: "a policy document or the output of aws iam get-role / get-role-policy / get-policy-version, aws organizations describe-policy, CloudFormation or Terraform JSON"}
	}
	if f.Trust == nil && len(f.Permissions) == 0 {
		return nil, &Error{File: name, Msg: "no policy document found in it", Expected: "a trust or permissions policy"}
	}
	return f, nil
}

func hasPrincipal(d *Document) bool {
	for _, s := range d.Statements {
		if s.Principal != nil || s.NotPrincipal != nil {
			return true
		}
	}
	return false
}

func roleInfo(role map[string]any) *Role {
	if role == nil {
		return nil
	}
	r := &Role{}
	r.Name, _ = role["RoleName"].(string)
	r.ARN, _ = role["Arn"].(string)
	if n, ok := role["MaxSessionDuration"].(json.Number); ok {
		i, _ := n.Int64()
		r.MaxSessionDuration = int(i)
	}
	return r
}

// embedded reads a policy that is an object, a JSON string, or a
// URL-encoded JSON string (as IAM's API returns it).
func embedded(v any, name, where string) (*Document, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return parseDoc(t, name, where)
	case string:
		s := strings.TrimSpace(t)
		if strings.HasPrefix(s, "%7B") || strings.HasPrefix(s, "%7b") {
			u, err := url.QueryUnescape(s)
			if err != nil {
				return nil, &Error{File: name, Msg: where + " is URL-encoded but malformed", Expected: "a URL-encoded policy as aws iam returns it"}
			}
			s = u
		}
		if strings.Contains(s, "${") && !strings.HasPrefix(s, "{") {
			return nil, &Error{File: name, Msg: where + " is a Terraform expression, not JSON", Expected: "the rendered policy: run terraform show -json, or export it with aws iam get-role"}
		}
		inner, err := decodeJSON([]byte(s), name+" ("+where+")")
		if err != nil {
			return nil, err
		}
		obj, ok := inner.(map[string]any)
		if !ok {
			return nil, &Error{File: name, Msg: where + " is not a JSON object"}
		}
		return parseDoc(obj, name, where)
	}
	return nil, &Error{File: name, Msg: fmt.Sprintf("%s is a %T", where, v), Expected: "a policy document"}
}

func decodeJSON(data []byte, name string) (any, error) {
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := position(data, int(se.Offset))
			return nil, &Error{File: name, Line: line, Col: col, Msg: "malformed JSON: " + se.Error(), Expected: "valid JSON (a trailing comma? a missing quote?)"}
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, &Error{File: name, Msg: "the JSON ends early", Expected: "a complete policy document"}
		}
		return nil, &Error{File: name, Msg: "unreadable JSON: " + err.Error()}
	}
	if dec.More() {
		off := int(dec.InputOffset())
		line, col := position(data, off)
		return nil, &Error{File: name, Line: line, Col: col, Msg: "more than one JSON value", Expected: "one policy document"}
	}
	return v, nil
}

func position(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	line = bytes.Count(data[:off], []byte("\n")) + 1
	col = off - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}

func parseDoc(obj map[string]any, name, where string) (*Document, error) {
	d := &Document{Source: name, Where: where, Raw: obj}
	d.Version, _ = obj["Version"].(string)
	var stmts []any
	switch t := obj["Statement"].(type) {
	case []any:
		stmts = t
	case map[string]any:
		stmts = []any{t}
	default:
		return nil, &Error{File: name, Msg: "Statement is missing or not an object or array" + inWhere(where)}
	}
	for i, raw := range stmts {
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, &Error{File: name, Msg: fmt.Sprintf("Statement[%d] is not an object%s", i+1, inWhere(where))}
		}
		s, err := parseStatement(m, i+1)
		if err != nil {
			return nil, &Error{File: name, Msg: err.Error() + inWhere(where)}
		}
		d.Statements = append(d.Statements, s)
	}
	return d, nil
}

func inWhere(where string) string {
	if where == "" {
		return ""
	}
	return " in " + where
}

func parseStatement(m map[string]any, idx int) (*Statement, error) {
	s := &Statement{Index: idx, Path: fmt.Sprintf("Statement[%d]", idx)}
	s.Sid, _ = m["Sid"].(string)
	s.Effect, _ = m["Effect"].(string)
	if s.Effect != "Allow" && s.Effect != "Deny" {
		return nil, fmt.Errorf("%s: Effect is %q; expected \"Allow\" or \"Deny\"", s.Path, s.Effect)
	}
	var err error
	if s.Principal, err = principal(m["Principal"], s.Path+".Principal"); err != nil {
		return nil, err
	}
	if s.NotPrincipal, err = principal(m["NotPrincipal"], s.Path+".NotPrincipal"); err != nil {
		return nil, err
	}
	_, s.HasAction = m["Action"]
	_, s.HasResource = m["Resource"]
	for _, f := range []struct {
		key string
		dst *[]string
	}{{"Action", &s.Action}, {"NotAction", &s.NotAction}, {"Resource", &s.Resource}, {"NotResource", &s.NotResource}} {
		if *f.dst, err = stringList(m[f.key], s.Path+"."+f.key); err != nil {
			return nil, err
		}
	}
	if !s.HasAction && m["NotAction"] == nil {
		return nil, fmt.Errorf("%s has neither Action nor NotAction", s.Path)
	}
	if c, ok := m["Condition"]; ok {
		block, ok := c.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s.Condition is not an object", s.Path)
		}
		for _, op := range slices.Sorted(maps.Keys(block)) {
			keys, ok := block[op].(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s.Condition.%s is not an object of keys", s.Path, op)
			}
			for _, k := range slices.Sorted(maps.Keys(keys)) {
				path := s.Path + ".Condition." + op + "." + k
				vals, err := stringList(keys[k], path)
				if err != nil {
					return nil, err
				}
				s.Conditions = append(s.Conditions, Condition{Operator: op, Key: k, Values: vals, Path: path})
			}
		}
	}
	return s, nil
}

func principal(v any, path string) (*Principal, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case string:
		if t == "*" {
			return &Principal{All: true}, nil
		}
		return nil, fmt.Errorf("%s is %q; expected \"*\" or an object such as {\"Federated\": \"arn:…:saml-provider/…\"}", path, t)
	case map[string]any:
		p := &Principal{}
		for k, raw := range t {
			vals, err := stringList(raw, path+"."+k)
			if err != nil {
				return nil, err
			}
			switch k {
			case "AWS":
				p.AWS = vals
				for _, x := range vals {
					if x == "*" {
						p.All = true
					}
				}
			case "Federated":
				p.Federated = vals
			case "Service":
				p.Service = vals
			case "CanonicalUser":
				p.Canonical = vals
			default:
				return nil, fmt.Errorf("%s has an unknown principal type %q; expected AWS, Federated, Service or CanonicalUser", path, k)
			}
		}
		return p, nil
	}
	return nil, fmt.Errorf("%s is a %T; expected an object", path, v)
}

// stringList accepts a string, a number or boolean (as IAM does in
// conditions), or a list of them.
func stringList(v any, path string) ([]string, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{t}, nil
	case json.Number:
		return []string{t.String()}, nil
	case bool:
		return []string{fmt.Sprint(t)}, nil
	case []any:
		out := make([]string, 0, len(t))
		for i, x := range t {
			s, err := stringList(x, fmt.Sprintf("%s[%d]", path, i+1))
			if err != nil {
				return nil, err
			}
			if len(s) != 1 {
				return nil, fmt.Errorf("%s[%d] is not a single value", path, i+1)
			}
			out = append(out, s[0])
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s is a %T; expected a string or a list of strings", path, v)
}

func cloudFormation(obj map[string]any, name string, f *File) error {
	resources := map[string]any{"(resource)": obj}
	if r, ok := obj["Resources"].(map[string]any); ok {
		resources = r
	}
	roles := 0
	for _, id := range slices.Sorted(maps.Keys(resources)) {
		res, _ := resources[id].(map[string]any)
		typ, _ := res["Type"].(string)
		props, _ := res["Properties"].(map[string]any)
		switch typ {
		case "AWS::IAM::Role":
			roles++
			if roles > 1 && f.Trust != nil {
				return &Error{File: name, Msg: "the template defines several IAM roles", Expected: "one role: export it with aws iam get-role, or keep only that resource"}
			}
			d, err := embedded(props["AssumeRolePolicyDocument"], name, "Resources."+id+".Properties.AssumeRolePolicyDocument")
			if err != nil {
				return err
			}
			f.Trust = d
			if n, ok := props["RoleName"].(string); ok {
				f.Role = &Role{Name: n}
			}
			pols, _ := props["Policies"].([]any)
			for i, p := range pols {
				pm, _ := p.(map[string]any)
				d, err := embedded(pm["PolicyDocument"], name, fmt.Sprintf("Resources.%s.Properties.Policies[%d].PolicyDocument", id, i+1))
				if err != nil {
					return err
				}
				if d != nil {
					f.Permissions = append(f.Permissions, d)
				}
			}
		case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy":
			d, err := embedded(props["PolicyDocument"], name, "Resources."+id+".Properties.PolicyDocument")
			if err != nil {
				return err
			}
			if d != nil {
				f.Permissions = append(f.Permissions, d)
			}
		}
	}
	return nil
}

// terraform reads .tf.json resources and "terraform show -json" output.
func terraform(obj map[string]any, name string, f *File) error {
	type res struct {
		typ, id string
		vals    map[string]any
	}
	var all []res
	if r, ok := obj["resource"].(map[string]any); ok {
		for _, typ := range slices.Sorted(maps.Keys(r)) {
			byName, _ := r[typ].(map[string]any)
			for _, id := range slices.Sorted(maps.Keys(byName)) {
				v, _ := byName[id].(map[string]any)
				all = append(all, res{typ, id, v})
			}
		}
	}
	if v, ok := obj["values"].(map[string]any); ok {
		if rm, ok := v["root_module"].(map[string]any); ok {
			list, _ := rm["resources"].([]any)
			for _, x := range list {
				m, _ := x.(map[string]any)
				typ, _ := m["type"].(string)
				id, _ := m["name"].(string)
				vals, _ := m["values"].(map[string]any)
				all = append(all, res{typ, id, vals})
			}
		}
	}
	for _, r := range all {
		switch r.typ {
		case "aws_iam_role":
			if f.Trust != nil {
				return &Error{File: name, Msg: "the configuration defines several aws_iam_role resources", Expected: "one role"}
			}
			d, err := embedded(r.vals["assume_role_policy"], name, r.typ+"."+r.id+".assume_role_policy")
			if err != nil {
				return err
			}
			f.Trust = d
			if n, ok := r.vals["name"].(string); ok {
				f.Role = &Role{Name: n}
			}
			inl, _ := r.vals["inline_policy"].([]any)
			for i, p := range inl {
				pm, _ := p.(map[string]any)
				d, err := embedded(pm["policy"], name, fmt.Sprintf("%s.%s.inline_policy[%d].policy", r.typ, r.id, i+1))
				if err != nil {
					return err
				}
				if d != nil {
					f.Permissions = append(f.Permissions, d)
				}
			}
		case "aws_iam_role_policy", "aws_iam_policy":
			d, err := embedded(r.vals["policy"], name, r.typ+"."+r.id+".policy")
			if err != nil {
				return err
			}
			if d != nil {
				f.Permissions = append(f.Permissions, d)
			}
		}
	}
	return nil
}
