package auth

import (
	"context"

	"confidant/counselling"
	"confidant/counselling/twofactor"
)

// Answers to a wrong second factor (see counselling.ErrTooManyCodes). After
// ErrTooManyCodes and ErrCodesStopped the half-finished login has ended.
var (
	ErrWrongCode    = counselling.ErrWrongCode
	ErrTooManyCodes = counselling.ErrTooManyCodes
	ErrCodesStopped = counselling.ErrCodesStopped
)

// SecondFactor checks the code of a staff member half-way through login. On
// success it returns the token of a new, fully authenticated session, which
// replaces the half-finished one. Each code is counted as wrong against the
// login and the account before it is checked, by the store in the same
// transaction that applies the caps (counselling.SecondFactorAllowed), and
// given back when it is right: parallel requests cannot have more codes
// checked than the caps allow.
func (s *Service) SecondFactor(ctx context.Context, sess *counselling.Session, code string) (string, error) {
	secret, last, err := s.store.BeginSecondFactor(ctx, sess)
	if err != nil {
		return "", err
	}
	if step, ok := s.checkCode(secret, code, s.clock.Now(), last); ok {
		token, err := s.store.PassSecondFactor(ctx, sess, step)
		if counselling.ErrorCode(err) != counselling.EInvalid {
			return token, err
		}
		// A code already used (a replay, or a race with another request)
		// counts as wrong: it stays counted.
	}
	ended, stopped, err := s.store.FailSecondFactor(ctx, sess)
	switch {
	case err != nil:
		return "", err
	case stopped:
		return "", ErrCodesStopped
	case ended:
		return "", ErrTooManyCodes
	}
	return "", ErrWrongCode
}

// OpenInvite returns the invitation for token with the secret offered for
// enrolment and its QR code (a data URL), drawn here so that no other service
// sees the secret.
func (s *Service) OpenInvite(ctx context.Context, token string) (*counselling.Invite, string, error) {
	inv, err := s.store.OpenInvite(ctx, token, twofactor.NewSecret)
	if err != nil {
		return nil, "", err
	}
	qr, err := twofactor.QRCode("Confidant", inv.Name, inv.Secret)
	if err != nil {
		return nil, "", err
	}
	return inv, qr, nil
}

// AcceptInvite sets the invited staff member's password, after the password
// policy, and enrols the second factor once a code from it is right; it
// returns the token of a fully authenticated session. Every problem with the
// form is reported at once.
func (s *Service) AcceptInvite(ctx context.Context, token, password, code string) (string, error) {
	inv, err := s.store.OpenInvite(ctx, token, twofactor.NewSecret)
	if err != nil {
		return "", err
	}
	problems := counselling.Problems{}
	if err := counselling.ValidatePassword(password); err != nil {
		problems.Add("password", counselling.ErrorMessage(err))
	}
	step, ok := twofactor.Check(inv.Secret, code, s.clock.Now(), 0)
	if !ok {
		problems.Add("totp_code", "This code is not right. Enter the 6-digit code your app shows now.")
	}
	if err := problems.Err(); err != nil {
		return "", err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return "", err
	}
	return s.store.CompleteInvite(ctx, token, hash, step)
}
