package auth

import (
	"context"

	"confidant/counselling"
)

// Recover sets a new password for a help-seeker who gives their nickname and
// recovery code, and returns the token of a new session; the code stops
// working and a new one waits to be shown. Every failure is
// counselling.ErrRecoveryFailed, and a wrong code counts against guessing
// exactly like a wrong password (counselling.PasswordThrottle): the same
// answer whether the nickname exists, has a code, or was given a wrong one.
// A new password that breaks the rules is reported first, before any code is
// checked or counted.
func (s *Service) Recover(ctx context.Context, client Client, nickname, code, newPassword string) (string, error) {
	if err := counselling.ValidatePassword(newPassword); err != nil {
		return "", counselling.FieldError("new_password", counselling.ErrorMessage(err))
	}
	creds, ok, err := s.store.RecoveryCredentials(ctx, nickname, code)
	switch {
	case counselling.ErrorCode(err) == counselling.ENotFound:
		return "", counselling.ErrRecoveryFailed
	case err != nil:
		return "", err
	case creds.Kind != counselling.KindSeeker || creds.Disabled:
		return "", counselling.ErrRecoveryFailed
	}
	if err := s.checked(ctx, client, creds, ok); err != nil {
		if err == errWait || err == errWrong {
			return "", counselling.ErrRecoveryFailed
		}
		return "", err
	}
	hash, err := s.hasher.Hash(ctx, newPassword)
	if err != nil {
		return "", err
	}
	return s.store.Recover(ctx, creds.AccountID, code, hash, counselling.NewRecoveryCode())
}

// RequestResetLink mails a reset link to a help-seeker whose nickname and
// email address both match an account, and does nothing otherwise; the caller
// gives the same answer either way. An address that does not match counts
// against guessing like a wrong password, and while the throttle says to wait
// nothing is sent.
func (s *Service) RequestResetLink(ctx context.Context, client Client, nickname, address string) error {
	creds, err := s.store.Credentials(ctx, nickname)
	switch {
	case counselling.ErrorCode(err) == counselling.ENotFound:
		return nil
	case err != nil:
		return err
	case creds.Kind != counselling.KindSeeker || creds.Disabled:
		return nil
	}
	ok, err := s.store.ResetAddressMatches(ctx, creds.AccountID, address)
	if err != nil {
		return err
	}
	switch err := s.checked(ctx, client, creds, ok); err {
	case nil:
		return s.store.QueueResetLink(ctx, creds.AccountID)
	case errWait, errWrong:
		return nil
	default:
		return err
	}
}

// ResetPassword sets a new password with a mailed reset link and returns the
// token of a new session; the link stops working and a new recovery code
// waits to be shown.
func (s *Service) ResetPassword(ctx context.Context, resetToken, newPassword string) (string, error) {
	if err := counselling.ValidatePassword(newPassword); err != nil {
		return "", counselling.FieldError("new_password", counselling.ErrorMessage(err))
	}
	hash, err := s.hasher.Hash(ctx, newPassword)
	if err != nil {
		return "", err
	}
	return s.store.UseResetLink(ctx, resetToken, hash, counselling.NewRecoveryCode())
}
