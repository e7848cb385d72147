package auth

import "time"

// SetCodeChecker replaces how s checks second-factor codes, so that a test can
// count and time the checks.
func SetCodeChecker(s *Service, check func(secret, code string, now time.Time, last int64) (int64, bool)) {
	s.checkCode = check
}
