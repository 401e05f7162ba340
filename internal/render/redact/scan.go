package redact

// The scanners below find what emailRe, accountRe and uuidRe describe,
// in one pass each, starting only at the byte every match must hold ('@'
// or '-') or at a run of digits. Go's regular expressions are linear too,
// but an unanchored search for a pattern that begins with a character
// class costs far more per byte than a look at the bytes around an '@',
// and Learn scans the whole capture. FuzzScan holds them to the
// expressions.

// emails calls fn for each e-mail address in s, as emailRe's FindAll
// would find them: leftmost first, never overlapping.
func emails(s string, fn func(string)) {
	end := 0 // where the last match ended: the next may not start before
	for i := 0; i < len(s); i++ {
		if s[i] != '@' {
			continue
		}
		start := i
		for start > end && isLocal(s[start-1]) {
			start--
		}
		if start == i {
			continue
		}
		if j := domainEnd(s, i+1); j > 0 {
			fn(s[start:j])
			end, i = j, j-1
		}
	}
}

// domainEnd is where [A-Za-z0-9.-]+\.[A-Za-z]{2,} ends when it starts at
// from, as a greedy backtracking match takes it (the last dot that two
// letters follow), or 0 when it does not match there.
func domainEnd(s string, from int) int {
	run := from
	for run < len(s) && isDomain(s[run]) {
		run++
	}
	for d := run - 1; d > from; d-- {
		if s[d] == '.' && d+2 < len(s) && isLetter(s[d+1]) && isLetter(s[d+2]) {
			e := d + 3
			for e < len(s) && isLetter(s[e]) {
				e++
			}
			return e
		}
	}
	return 0
}

// accounts calls fn for each run of exactly twelve digits in s.
func accounts(s string, fn func(string)) {
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j-i == 12 {
			fn(s[i:j])
		}
		i = j
	}
}

// uuids calls fn for each lower-case UUID in s, as uuidRe's FindAll would
// find them: candidates start 8 bytes before each '-', leftmost first.
func uuids(s string, fn func(string)) {
	for i := 8; i+28 <= len(s); i++ {
		if s[i] != '-' || !isUUID(s[i-8:i+28]) {
			continue
		}
		fn(s[i-8 : i+28])
		i += 35 // the next starts after this one ends, 8 bytes before its '-'

	}
}

// isUUID reports whether u (36 bytes) is 8-4-4-4-12 lower-case hex.
func isUUID(u string) bool {
	for k := 0; k < 36; k++ {
		switch k {
		case 8, 13, 18, 23:
			if u[k] != '-' {
				return false
			}
		default:
			if !isHex(u[k]) {
				return false
			}
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isHex(c byte) bool    { return isDigit(c) || 'a' <= c && c <= 'f' }
func isDomain(c byte) bool { return isLetter(c) || isDigit(c) || c == '.' || c == '-' }
func isLocal(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '\'' || c == '-'
}
