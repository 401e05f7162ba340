package main

import (
	"errors"
	"sort"

	"github.com/samllint/samllint/saml"
)

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func asKind(err error, target **saml.KindError) bool { return errors.As(err, target) }
