package awsread

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/samllint/samllint/lint"
)

// samllint reads a dozen API actions. It calls them through the SDK's own
// credentials, Signature Version 4 signer and standard retryer, in each
// service's wire protocol as its API reference documents it (IAM and STS:
// the Query protocol, answered in XML; Organizations: JSON 1.1; Amazon
// Connect: REST-JSON), rather than through the generated clients, which
// would make every samllint run, --from-aws or not, initialise their
// schemas and endpoint tables (the IAM client's alone took 3 to 10 ms of
// every start) and add minutes to every release build.

// service is one AWS service as samllint calls it.
type service struct {
	// id names the service in AWS_ENDPOINT_URL_<ID> and in errors.
	id string
	// signing is the name Signature Version 4 signs for.
	signing string
	// endpoint is its endpoint and signing region in a partition, from
	// the region of the read.
	endpoint func(partition, region string) (url, signingRegion string)
}

// regional is the endpoint of a service asked in the read's own region.
func regional(prefix string) func(partition, region string) (string, string) {
	return func(p, r string) (string, string) {
		if p == "aws-cn" {
			return "https://" + prefix + "." + r + ".amazonaws.com.cn", r
		}
		return "https://" + prefix + "." + r + ".amazonaws.com", r
	}
}

var (
	svcIAM = service{id: "IAM", signing: "iam", endpoint: func(p, _ string) (string, string) {
		switch p {
		case "aws-us-gov":
			return "https://iam.us-gov.amazonaws.com", "us-gov-west-1"
		case "aws-cn":
			return "https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1"
		}
		return "https://iam.amazonaws.com", "us-east-1"
	}}
	svcSTS           = service{id: "STS", signing: "sts", endpoint: regional("sts")}
	svcOrganizations = service{id: "Organizations", signing: "organizations", endpoint: func(p, _ string) (string, string) {
		switch p {
		case "aws-us-gov":
			return "https://organizations.us-gov-west-1.amazonaws.com", "us-gov-west-1"
		case "aws-cn":
			return "https://organizations.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1"
		}
		return "https://organizations.us-east-1.amazonaws.com", "us-east-1"
	}}
	svcConnect = service{id: "Connect", signing: "connect", endpoint: regional("connect")}
)

// partitionRegion is the region a partition's reads go to when none is
// set for it: its first region, where its global services answer.
func partitionRegion(partition string) string {
	switch partition {
	case "aws-us-gov":
		return "us-gov-west-1"
	case "aws-cn":
		return "cn-north-1"
	}
	return "us-east-1"
}

// inPartition reports whether region belongs to the partition.
func inPartition(region, partition string) bool {
	return region != "" && lint.RegionPartition(region) == partition
}

// APIError is an error an AWS API answered, typed for the retryer
// (smithy's ErrorCode and HTTPStatusCode) and for callers, who branch on
// Code: "AccessDenied", "NoSuchEntity", "ExpiredToken".
type APIError struct {
	Service string // "IAM"
	Action  string // "GetRole"
	Code    string
	Message string
	Status  int
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s %s: %s: %s", e.Service, e.Action, e.Code, e.Message)
}

// ErrorCode, ErrorMessage, ErrorFault and HTTPStatusCode are smithy's
// API error interface, which the SDK's retryer reads.
func (e *APIError) ErrorCode() string    { return e.Code }
func (e *APIError) ErrorMessage() string { return e.Message }
func (e *APIError) HTTPStatusCode() int  { return e.Status }

// ErrorFault says whose fault it is, as smithy's API errors do.
func (e *APIError) ErrorFault() int {
	if e.Status >= 500 {
		return 2 // smithy.FaultServer
	}
	return 1 // smithy.FaultClient
}

// api calls AWS APIs with one set of credentials.
type api struct {
	cfg    aws.Config
	signer *v4.Signer
	http   *http.Client
	retry  aws.Retryer
	now    func() time.Time
}

func newAPI(cfg aws.Config) *api {
	client := &http.Client{}
	if hc, ok := cfg.HTTPClient.(*http.Client); ok && hc != nil {
		client = hc
	}
	return &api{cfg: cfg, signer: v4.NewSigner(), http: client, retry: retry.NewStandard(), now: time.Now}
}

// endpoint is where a service answers for a partition and region: the
// environment's AWS_ENDPOINT_URL_<SERVICE>, else the configuration's
// endpoint (AWS_ENDPOINT_URL, a profile's endpoint_url), else AWS's.
func (a *api) endpoint(svc service, partition, region string) (string, string) {
	def, signing := svc.endpoint(partition, region)
	if os.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") == "true" {
		return def, signing
	}
	if u := os.Getenv("AWS_ENDPOINT_URL_" + strings.ToUpper(strings.ReplaceAll(svc.id, " ", "_"))); u != "" {
		return u, signing
	}
	if a.cfg.BaseEndpoint != nil && *a.cfg.BaseEndpoint != "" {
		return *a.cfg.BaseEndpoint, signing
	}
	return def, signing
}

// call is one request: built by build for the endpoint, signed, sent, and
// retried as the SDK's standard retryer says; decode reads a 2xx answer,
// fail an error answer into an *APIError.
func (a *api) call(ctx context.Context, svc service, action, partition, region string,
	build func(base string) (*http.Request, []byte, error),
	decode func(*http.Response) error, fail func(*http.Response, []byte) *APIError) error {
	base, signing := a.endpoint(svc, partition, region)
	release := a.retry.GetInitialToken()
	for attempt := 1; ; attempt++ {
		err := a.once(ctx, svc, action, base, signing, build, decode, fail)
		release(err)
		if err == nil || ctx.Err() != nil || attempt >= a.retry.MaxAttempts() || !a.retry.IsErrorRetryable(err) {
			return err
		}
		if release, err = a.retry.GetRetryToken(ctx, err); err != nil {
			return err
		}
		delay, derr := a.retry.RetryDelay(attempt, err)
		if derr != nil {
			return err
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (a *api) once(ctx context.Context, svc service, action, base, signing string,
	build func(base string) (*http.Request, []byte, error),
	decode func(*http.Response) error, fail func(*http.Response, []byte) *APIError) error {
	creds, err := a.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return &CredentialsError{Err: err}
	}
	req, body, err := build(base)
	if err != nil {
		return err
	}
	req = req.WithContext(ctx)
	sum := sha256.Sum256(body)
	if err := a.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), svc.signing, signing, a.now()); err != nil {
		return err
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return &NetError{Service: svc.id, Host: req.URL.Host, Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		e := fail(resp, b)
		e.Service, e.Action, e.Status = svc.id, action, resp.StatusCode
		if e.Code == "" {
			e.Code = http.StatusText(resp.StatusCode)
		}
		return e
	}
	return decode(resp)
}

// maxAnswer bounds an answer read: a page of a list, a policy document.
const maxAnswer = 16 << 20

// query calls an IAM or STS action in the Query protocol: the parameters
// posted as a form, the answer's <ActionResult> decoded into out.
func (a *api) query(ctx context.Context, svc service, version, action, partition, region string, params url.Values, out any) error {
	form := url.Values{"Action": {action}, "Version": {version}}
	for k, v := range params {
		form[k] = v
	}
	body := []byte(form.Encode())
	return a.call(ctx, svc, action, partition, region,
		func(base string) (*http.Request, []byte, error) {
			req, err := http.NewRequest(http.MethodPost, strings.TrimSuffix(base, "/")+"/", bytes.NewReader(body))
			if err != nil {
				return nil, nil, err
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			return req, body, nil
		},
		func(resp *http.Response) error {
			// <ActionResponse><ActionResult>…</ActionResult></ActionResponse>
			dec := xml.NewDecoder(io.LimitReader(resp.Body, maxAnswer))
			for {
				tok, err := dec.Token()
				if err != nil {
					return fmt.Errorf("%s %s: no %sResult in the answer: %w", svc.id, action, action, err)
				}
				if se, ok := tok.(xml.StartElement); ok && se.Name.Local == action+"Result" {
					if out == nil {
						return nil
					}
					var inner struct {
						XML []byte `xml:",innerxml"`
					}
					if err := dec.DecodeElement(&inner, &se); err != nil {
						return fmt.Errorf("%s %s: unreadable answer: %w", svc.id, action, err)
					}
					return xml.Unmarshal(append(append([]byte("<r>"), inner.XML...), "</r>"...), out)
				}
			}
		},
		func(_ *http.Response, b []byte) *APIError {
			var e struct {
				Error struct{ Code, Message string } `xml:"Error"`
			}
			_ = xml.Unmarshal(b, &e)
			return &APIError{Code: e.Error.Code, Message: e.Error.Message}
		})
}

// json11 calls an Organizations action in the JSON 1.1 protocol.
func (a *api) json11(ctx context.Context, svc service, targetPrefix, action, partition, region string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return a.call(ctx, svc, action, partition, region,
		func(base string) (*http.Request, []byte, error) {
			req, err := http.NewRequest(http.MethodPost, strings.TrimSuffix(base, "/")+"/", bytes.NewReader(body))
			if err != nil {
				return nil, nil, err
			}
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", targetPrefix+"."+action)
			return req, body, nil
		},
		func(resp *http.Response) error {
			return json.NewDecoder(io.LimitReader(resp.Body, maxAnswer)).Decode(out)
		}, jsonError)
}

// restJSON calls an Amazon Connect action in the REST-JSON protocol: in
// is the body (nil for none), path the URI with its labels filled in.
func (a *api) restJSON(ctx context.Context, svc service, action, method, path, partition, region string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	return a.call(ctx, svc, action, partition, region,
		func(base string) (*http.Request, []byte, error) {
			req, err := http.NewRequest(method, strings.TrimSuffix(base, "/")+path, bytes.NewReader(body))
			if err != nil {
				return nil, nil, err
			}
			if in != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			return req, body, nil
		},
		func(resp *http.Response) error {
			return json.NewDecoder(io.LimitReader(resp.Body, maxAnswer)).Decode(out)
		},
		func(resp *http.Response, b []byte) *APIError {
			e := jsonError(resp, b)
			if t := resp.Header.Get("X-Amzn-ErrorType"); t != "" {
				e.Code = t
			}
			return e
		})
}

// jsonError reads a JSON protocol's error: {"__type": "…", "Message": "…"},
// the type possibly prefixed with a namespace ("ns#Code") and suffixed
// with ":http://…".
func jsonError(_ *http.Response, b []byte) *APIError {
	var e struct {
		Type     string `json:"__type"`
		Code     string `json:"code"`
		Message  string `json:"Message"`
		MessageL string `json:"message"`
	}
	_ = json.Unmarshal(b, &e)
	code := e.Type
	if code == "" {
		code = e.Code
	}
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	code, _, _ = strings.Cut(code, ":")
	msg := e.Message
	if msg == "" {
		msg = e.MessageL
	}
	return &APIError{Code: code, Message: msg}
}

// NetError is a request that got no answer from AWS: the host could not
// be looked up or reached, TLS failed, or a proxy refused it.
type NetError struct {
	Service, Host string
	Err           error
}

func (e *NetError) Error() string { return "cannot reach " + e.Host + ": " + netWords(e.Err) }
func (e *NetError) Unwrap() error { return e.Err }

// netWords says in words why a connection failed.
func netWords(err error) string {
	msg := err.Error()
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer in time"
	case strings.Contains(msg, "no such host"), strings.Contains(msg, "server misbehaving"):
		return "its name does not resolve (DNS)"
	case strings.Contains(msg, "connection refused"):
		return "the connection was refused"
	case strings.Contains(msg, "connection reset"):
		return "the connection was reset"
	case strings.Contains(msg, "proxyconnect"):
		return "the proxy (HTTPS_PROXY) refused or could not be reached"
	case strings.Contains(msg, "x509:"), strings.Contains(msg, "tls:"), strings.Contains(msg, "certificate"):
		return "its TLS certificate was refused (a proxy intercepting TLS?)"
	case strings.Contains(msg, "i/o timeout"), strings.Contains(msg, "timeout"):
		return "the connection timed out"
	case strings.Contains(msg, "network is unreachable"):
		return "the network is unreachable (offline?)"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return msg
}
