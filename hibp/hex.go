package hibp

// Unhex maps a hex digit, either case, to its value and anything else to
// 0xff, so that one table look-up both decodes and validates: the range
// answers and the Pwned Passwords files write their hashes in hex.
var Unhex = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c-'a') + 10
		t[c-'a'+'A'] = byte(c-'a') + 10
	}
	return t
}()

// IsHex says whether s is hex digits only, in either case: a range prefix
// or a hash's suffix as the range API and the password check send them.
func IsHex(s string) bool {
	for i := range len(s) {
		if Unhex[s[i]] == 0xff {
			return false
		}
	}
	return true
}
