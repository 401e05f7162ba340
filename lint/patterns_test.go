package lint

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// TestPatternsAsBefore: the checks that replaced counted repetitions and
// Unicode classes in patterns (compiled at every start, they were a tenth
// of a paste's run) accept exactly what the patterns did.
func TestPatternsAsBefore(t *testing.T) {
	was := map[string]*regexp.Regexp{
		"role":     regexp.MustCompile(`^arn:(aws(?:-[a-z]+)*):iam::(\d{12}):role/((?:[\x21-\x7E]+/)?)([\w+=,.@-]{1,64})$`),
		"provider": regexp.MustCompile(`^arn:(aws(?:-[a-z]+)*):iam::(\d{12}):saml-provider/([\w.-]{1,128})$`),
		"endpoint": regexp.MustCompile(`^https://(?:([a-z]{2}(?:-gov)?-[a-z]+-\d)\.)?signin\.(aws\.amazon\.com|amazonaws-us-gov\.com|amazonaws\.cn)/saml(/acs/[A-Z0-9]{22,64})?$`),
		"session":  regexp.MustCompile(`^[A-Za-z0-9_+=,.@-]{2,64}$`),
		"user":     regexp.MustCompile(`^[A-Za-z0-9_.@-]{2,64}$`),
		"tag":      regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`),
	}
	now := map[string]func(string) bool{
		"role":     func(s string) bool { return parseRoleARN(s) != nil },
		"provider": func(s string) bool { return parseProviderARN(s) != nil },
		"endpoint": func(s string) bool { return matchEndpoint(s) != nil },
		"session":  validSessionName,
		"user":     validConnectUser,
		"tag":      tagChars,
	}
	rep := strings.Repeat
	inputs := []string{"", "a", "ab", rep("a", 64), rep("a", 65), rep("a", 128), rep("a", 129), "user@example.com", "a b", "é", "日本", "٣", "\u00a0", "a\u2028b", "\xff", "a\x00", "ǅ", "Ⅻ", "x:y/z=+-@_.",
		"arn:aws:iam::123456789012:role/" + rep("r", 64), "arn:aws:iam::12345678901:role/r", "arn:aws:iam::1234567890123:role/r", "arn:aws:iam::12345678901:saml-provider/p", "arn:aws:iam::123456789012:role/" + rep("r", 65), "arn:aws:iam::123456789012:role/a/b/" + rep("r", 64),
		"arn:aws-us-gov:iam::123456789012:saml-provider/" + rep("p", 128), "arn:aws:iam::123456789012:saml-provider/" + rep("p", 129),
		"https://signin.aws.amazon.com/saml", "https://us-east-1.signin.aws.amazon.com/saml/acs/" + rep("A", 22), "https://signin.aws.amazon.com/saml/acs/" + rep("A", 21),
		"https://signin.aws.amazon.com/saml/acs/" + rep("B", 64), "https://signin.aws.amazon.com/saml/acs/" + rep("B", 65), "https://signin.amazonaws-us-gov.com/saml"}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("aZ09_+=,.@-:/ é日٣\u00a0\u2028\ufffdǅⅫ/AB")
	for range 3000 {
		b := make([]rune, r.IntN(70))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		inputs = append(inputs, string(b))
	}
	for name, re := range was {
		for _, s := range inputs {
			if got, want := now[name](s), re.MatchString(s); got != want {
				t.Errorf("%s %q: %v, the pattern said %v", name, s, got, want)
			}
		}
	}
}
