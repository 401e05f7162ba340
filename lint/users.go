package lint

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ParseConnectUsers reads the output of "aws connect list-users"
// (UserSummaryList) or "aws connect describe-user" (User) and returns the
// user names.
func ParseConnectUsers(data []byte) ([]string, error) {
	var doc struct {
		UserSummaryList []struct{ Username string } `json:"UserSummaryList"`
		User            *struct{ Username string }  `json:"User"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("malformed JSON at byte %d: %w", se.Offset, err)
		}
		return nil, fmt.Errorf("unreadable JSON: %w", err)
	}
	names := []string{}
	for _, u := range doc.UserSummaryList {
		names = append(names, u.Username)
	}
	if doc.User != nil {
		names = append(names, doc.User.Username)
	}
	if doc.UserSummaryList == nil && doc.User == nil {
		return nil, fmt.Errorf("no UserSummaryList or User; expected the output of aws connect list-users or describe-user")
	}
	return names, nil
}
