package cli

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/samllint/samllint/internal/test/testkit"
	"github.com/samllint/samllint/lint/linttest"
	"github.com/samllint/samllint/saml"
)

// The tests below sign in through SimpleSAMLphp, a real IdP (a Debian
// package running on PHP's built-in server, reaching nothing outside this
// machine), and lint what it posts. Each configuration is an admin's
// setting; its linttest golden (testdata/golden/simplesamlphp/) holds the
// exact rules samllint reports, in the brief form a live IdP allows (new
// IDs, times and signatures on every run). .ci/run installs SimpleSAMLphp
// and sets SAMLLINT_REQUIRE_IDP=1.

const (
	sspWWW     = "/usr/share/simplesamlphp/www"
	awsACS     = "https://signin.aws.amazon.com/saml"
	sspAccount = "123456789012"
	sspRelay   = "https://us-east-1.console.aws.amazon.com/connect/federate/4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34"
)

func sspRole(account, name string) string {
	return "arn:aws:iam::" + account + ":role/" + name + ",arn:aws:iam::" + account + ":saml-provider/SimpleSAMLphp"
}

// sspConfig is one IdP configuration: the hosted IdP's and the remote
// SP's settings and the user's attributes.
type sspConfig struct {
	name     string
	idp, sp  map[string]string // PHP literals by key, merged into the metadata
	spEntity string            // default urn:amazon:webservices
	attrs    map[string][]string
	relay    string
	rotate   bool   // sign with a new key; lint with the metadata of the old one
	encrypt  bool   // an SP certificate: encrypted assertions, decrypted with --key
	password string // jane's; default "secret"
	clock    string // the IdP's clock offset, as faketime takes it ("-10m")
}

func sspConfigs() []sspConfig {
	base := func() map[string][]string {
		return map[string][]string{
			"https://aws.amazon.com/SAML/Attributes/Role":            {sspRole(sspAccount, "ConnectAgent")},
			"https://aws.amazon.com/SAML/Attributes/RoleSessionName": {"jane.doe@example.com"},
			"https://aws.amazon.com/SAML/Attributes/SessionDuration": {"3600"},
		}
	}
	with := func(k string, v ...string) map[string][]string {
		m := base()
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	const role, session, duration = "https://aws.amazon.com/SAML/Attributes/Role", "https://aws.amazon.com/SAML/Attributes/RoleSessionName", "https://aws.amazon.com/SAML/Attributes/SessionDuration"
	signed := func(resp, assertion bool) map[string]string {
		return map[string]string{"saml20.sign.response": fmt.Sprint(resp), "saml20.sign.assertion": fmt.Sprint(assertion)}
	}
	tags := base()
	tags["https://aws.amazon.com/SAML/Attributes/PrincipalTag:Department"] = []string{"Support"}
	tags["https://aws.amazon.com/SAML/Attributes/PrincipalTag:CostCenter"] = []string{"4711"}
	return []sspConfig{
		{name: "signed-both", attrs: base(), sp: signed(true, true)},
		{name: "signed-assertion-only", attrs: base(), sp: signed(false, true)},
		{name: "signed-response-only", attrs: base(), sp: signed(true, false)},
		{name: "role-picker-two-accounts", attrs: with(role, sspRole(sspAccount, "ConnectAgent"), sspRole("210987654321", "ConnectSupervisor")), sp: signed(true, true)},
		{name: "role-provider-only", attrs: with(role, "arn:aws:iam::"+sspAccount+":saml-provider/SimpleSAMLphp"), sp: signed(true, true)},
		{name: "role-only", attrs: with(role, "arn:aws:iam::"+sspAccount+":role/ConnectAgent"), sp: signed(true, true)},
		{name: "session-name-display-name", attrs: with(session, "Jane Doe"), sp: signed(true, true)},
		{name: "no-session-name", attrs: with(session), sp: signed(true, true)},
		{name: "session-duration-24h", attrs: with(duration, "86400"), sp: signed(true, true)},
		{name: "acs-of-another-app", attrs: base(), sp: map[string]string{"AssertionConsumerService": "'https://app.example.com/saml/acs'"}},
		{name: "sp-entity-id-wrong", attrs: base(), spEntity: "urn:amazon:webservices:typo"},
		{name: "rsa-sha1", attrs: base(), idp: map[string]string{"signature.algorithm": "'http://www.w3.org/2000/09/xmldsig#rsa-sha1'"}, sp: signed(true, true)},
		{name: "key-rotated", attrs: base(), rotate: true, sp: signed(true, true)},
		{name: "nameid-transient", attrs: base(), sp: map[string]string{"NameIDFormat": "'urn:oasis:names:tc:SAML:2.0:nameid-format:transient'"}},
		{name: "nameformat-basic", attrs: base(), idp: map[string]string{"attributes.NameFormat": "'urn:oasis:names:tc:SAML:2.0:attrname-format:basic'"}},
		{name: "principal-tags", attrs: tags, sp: signed(true, true)},
		{name: "encrypted-assertion", attrs: base(), encrypt: true,
			sp: map[string]string{"AssertionConsumerService": "'https://signin.aws.amazon.com/saml/acs/SAMLSPD9IMTW2LM46J042K'"}},
		{name: "relay-state-federate", attrs: base(), relay: sspRelay},
		{name: "relay-state-access-url", attrs: base(), relay: "https://example-corp.my.connect.aws/ccp-v2"},
	}
}

// simpleSAMLphp is a running SimpleSAMLphp IdP.
type simpleSAMLphp struct {
	base, dir string
}

func requireSimpleSAMLphp(t *testing.T) {
	t.Helper()
	_, errPHP := exec.LookPath("php")
	if _, err := os.Stat(filepath.Join(sspWWW, "saml2", "idp", "SSOService.php")); err != nil || errPHP != nil {
		testkit.Missing(t, "SAMLLINT_REQUIRE_IDP", "SimpleSAMLphp (apt-get install --no-install-recommends simplesamlphp php8.2-xml php8.2-mbstring)")
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// keyPair writes a new RSA key and self-signed certificate as PEM files.
func keyPair(t *testing.T, dir, name string) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name + ".simplesamlphp.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(10 * 365 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, name+".key"), pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600)
	os.WriteFile(filepath.Join(dir, name+".crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

func phpString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func phpMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "    %s => %s,\n", phpString(k), m[k])
	}
	return b.String()
}

// startSimpleSAMLphp writes a config directory for c and serves the IdP
// on a free loopback port until the test ends.
func startSimpleSAMLphp(t *testing.T, c sspConfig) *simpleSAMLphp {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"config", "metadata", "cert", "log", "data", "tmp"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	port := freePort(t)
	s := &simpleSAMLphp{base: fmt.Sprintf("http://127.0.0.1:%d/", port), dir: dir}
	keyPair(t, filepath.Join(dir, "cert"), "idp")
	config := `<?php
$config = [
    'baseurlpath' => ` + phpString(s.base) + `,
    'certdir' => ` + phpString(dir+"/cert/") + `,
    'loggingdir' => ` + phpString(dir+"/log/") + `,
    'datadir' => ` + phpString(dir+"/data/") + `,
    'tempdir' => ` + phpString(dir+"/tmp") + `,
    'metadatadir' => ` + phpString(dir+"/metadata/") + `,
    'secretsalt' => 'samllint-test-salt',
    'technicalcontact_email' => 'na@example.org',
    'timezone' => 'UTC',
    'logging.handler' => 'file',
    'enable.saml20-idp' => true,
    'module.enable' => ['exampleauth' => true, 'core' => true, 'saml' => true],
    'store.type' => 'phpsession',
    'session.phpsession.savepath' => ` + phpString(dir+"/tmp") + `,
    'session.cookie.secure' => false,
    'session.cookie.samesite' => null,
    'metadata.sources' => [['type' => 'flatfile']],
];
`
	var attrs strings.Builder
	keys := make([]string, 0, len(c.attrs))
	for k := range c.attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var vals []string
		for _, v := range c.attrs[k] {
			vals = append(vals, phpString(v))
		}
		fmt.Fprintf(&attrs, "            %s => [%s],\n", phpString(k), strings.Join(vals, ", "))
	}
	password := c.password
	if password == "" {
		password = "secret"
	}
	authsources := "<?php\n$config = [\n    'example-userpass' => [\n        'exampleauth:UserPass',\n        " + phpString("jane:"+password) + " => [\n" + attrs.String() + "        ],\n    ],\n];\n"
	idp := map[string]string{"host": "'__DEFAULT__'", "privatekey": "'idp.key'", "certificate": "'idp.crt'", "auth": "'example-userpass'",
		"attributes.NameFormat": "'urn:oasis:names:tc:SAML:2.0:attrname-format:uri'"}
	for k, v := range c.idp {
		idp[k] = v
	}
	sp := map[string]string{"AssertionConsumerService": phpString(awsACS)}
	for k, v := range c.sp {
		sp[k] = v
	}
	if c.encrypt {
		keyPair(t, filepath.Join(dir, "cert"), "sp")
		sp["assertion.encryption"] = "true"
		sp["certificate"] = "'sp.crt'"
	}
	entity := c.spEntity
	if entity == "" {
		entity = "urn:amazon:webservices"
	}
	files := map[string]string{
		"config/config.php":              config,
		"config/authsources.php":         authsources,
		"metadata/saml20-idp-hosted.php": "<?php\n$metadata['__DYNAMIC:1__'] = [\n" + phpMap(idp) + "];\n",
		"metadata/saml20-sp-remote.php":  "<?php\n$metadata[" + phpString(entity) + "] = [\n" + phpMap(sp) + "];\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("php", "-S", fmt.Sprintf("127.0.0.1:%d", port), "-t", sspWWW)
	cmd.Env = append(os.Environ(), "SIMPLESAMLPHP_CONFIG_DIR="+filepath.Join(dir, "config"))
	if c.clock != "" {
		// The IdP's clock, and so its assertions' times, shifted by
		// libfaketime preloaded into php itself: the faketime command
		// would be php's parent, and killing it would orphan php.
		libs, _ := filepath.Glob("/usr/lib/*/faketime/libfaketime.so.1")
		if len(libs) == 0 {
			testkit.Missing(t, "SAMLLINT_REQUIRE_IDP", "libfaketime (apt-get install faketime)")
		}
		cmd.Env = append(cmd.Env, "LD_PRELOAD="+libs[0], "FAKETIME="+c.clock, "DONT_FAKE_MONOTONIC=1")
	}
	logf, _ := os.Create(filepath.Join(dir, "php.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		logf.Close()
	})
	if !testkit.Within(testkit.SetUp, func() bool {
		resp, err := http.Get(s.base + "saml2/idp/metadata.php")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	}) {
		b, _ := os.ReadFile(filepath.Join(dir, "php.log"))
		t.Fatalf("SimpleSAMLphp did not start within %v:\n%s", testkit.SetUp, b)
	}
	return s
}

func (s *simpleSAMLphp) get(t *testing.T, path string) []byte {
	resp, err := http.Get(s.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, b)
	}
	return b
}

// ssoURL is the IdP-initiated sign-in URL for the SP, with a RelayState.
func (s *simpleSAMLphp) ssoURL(entity, relay string) string {
	q := url.Values{"spentityid": {entity}}
	if relay != "" {
		q.Set("RelayState", relay)
	}
	return s.base + "saml2/idp/SSOService.php?" + q.Encode()
}

var authStateRe = regexp.MustCompile(`name="AuthState" value="([^"]*)"`)

// signIn signs jane in over HTTP with a cookie jar and returns the
// auto-post page the IdP answers with.
func (s *simpleSAMLphp) signIn(t *testing.T, entity, relay string) []byte {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := client.Get(s.ssoURL(entity, relay))
	if err != nil {
		t.Fatal(err)
	}
	login, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := authStateRe.FindSubmatch(login)
	if m == nil {
		t.Fatalf("no login form at %s:\n%s", resp.Request.URL, login)
	}
	resp, err = client.PostForm(resp.Request.URL.String(), url.Values{"username": {"jane"}, "password": {"secret"},
		"AuthState": {strings.ReplaceAll(string(m[1]), "&amp;", "&")}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(page), `name="SAMLResponse"`) {
		t.Fatalf("no auto-post page after the login:\n%s", page)
	}
	return page
}

// TestSimpleSAMLphp signs in through SimpleSAMLphp in each configuration
// and lints the auto-post page with the IdP's metadata through linttest.
func TestSimpleSAMLphp(t *testing.T) {
	requireSimpleSAMLphp(t)
	wantDir := repo("testdata", "golden", "simplesamlphp")
	for _, c := range sspConfigs() {
		t.Run(c.name, func(t *testing.T) {
			idp := startSimpleSAMLphp(t, c)
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "metadata.xml"), idp.get(t, "saml2/idp/metadata.php"), 0o644)
			if c.rotate {
				keyPair(t, filepath.Join(idp.dir, "cert"), "idp") // the IdP now signs with a key IAM does not hold
			}
			entity := c.spEntity
			if entity == "" {
				entity = "urn:amazon:webservices"
			}
			page := idp.signIn(t, entity, c.relay)
			os.WriteFile(filepath.Join(dir, c.name+".html"), page, 0o644)
			checkShape(t, c, page)
			yaml := "# SimpleSAMLphp: " + c.name + "\nmetadata:\n  - metadata.xml\n"
			if c.encrypt {
				os.Rename(filepath.Join(idp.dir, "cert", "sp.key"), filepath.Join(dir, "sp.key"))
				yaml += "key:\n  - sp.key\n"
			}
			caseFile := filepath.Join(dir, c.name+".case.yaml")
			os.WriteFile(caseFile, []byte(yaml), 0o644)
			linttest.Check(t, caseFile, filepath.Join(wantDir, c.name+".want.json"), linttest.Options{Update: *update, Rules: true})
		})
	}
}

// checkShape confirms the IdP did what the configuration asks, so a
// golden that passes is about the intended shape: which elements are
// signed, and whether the assertion is encrypted.
func checkShape(t *testing.T, c sspConfig, page []byte) {
	t.Helper()
	msgs, err := saml.Read(page, saml.Options{})
	if err != nil || len(msgs) != 1 || msgs[0].Err != nil {
		t.Fatalf("the auto-post page does not read: %v", err)
	}
	r := msgs[0].Response
	var on []string
	for _, sig := range r.Signatures {
		on = append(on, sig.ParentTag)
	}
	// SimpleSAMLphp signs both by default; an encrypted assertion's own
	// signature is inside the ciphertext (read here without the key).
	var want []string
	if c.sp["saml20.sign.response"] != "false" {
		want = append(want, "Response")
	}
	if c.sp["saml20.sign.assertion"] != "false" && !c.encrypt {
		want = append(want, "Assertion")
	}
	if c.encrypt != (len(r.EncryptedAssertions) == 1) {
		t.Errorf("%d encrypted assertions, encryption %v", len(r.EncryptedAssertions), c.encrypt)
	}
	if got := strings.Join(on, ","); got != strings.Join(want, ",") {
		t.Errorf("signatures on %s, want %s", got, strings.Join(want, ","))
	}
}
