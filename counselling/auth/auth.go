// Package auth decides registration and login: it checks the rules of the domain,
// hashes passwords behind the bounded hasher, slows repeated failures per account,
// and makes sure an unknown nickname and a wrong password look the same to the
// person trying.
package auth

import (
	"context"

	"confidant/counselling"
	"confidant/counselling/passwd"
)

// Store is the storage auth needs.
type Store interface {
	CreateSeeker(ctx context.Context, reg counselling.Registration, passwordHash string) (string, error)
	Credentials(ctx context.Context, nickname string) (*counselling.Credentials, error)
	RecordLoginFailure(ctx context.Context, accountID string) error
	Login(ctx context.Context, accountID string) (string, error)
	PasswordHash(ctx context.Context, accountID string) (string, error)
	SetPassword(ctx context.Context, accountID, hash string, keep []byte) error
}

// Service registers help-seekers and logs people in.
type Service struct {
	store  Store
	hasher *passwd.Hasher
	clock  counselling.Clock
}

// New returns a Service.
func New(store Store, hasher *passwd.Hasher, clock counselling.Clock) *Service {
	return &Service{store: store, hasher: hasher, clock: clock}
}

// ErrLoginFailed is the one answer to every failed login, whatever the cause.
var ErrLoginFailed = &counselling.Error{Code: counselling.EUnauthorized,
	Message: "The nickname and password do not match. If you have tried several times, wait a minute before the next try."}

// Register opens an account and logs it in, returning the session token.
func (s *Service) Register(ctx context.Context, reg counselling.Registration) (string, error) {
	if err := reg.Validate(); err != nil {
		return "", err
	}
	hash, err := s.hasher.Hash(ctx, reg.Password)
	if err != nil {
		return "", err
	}
	id, err := s.store.CreateSeeker(ctx, reg, hash)
	if err != nil {
		return "", err
	}
	return s.store.Login(ctx, id)
}

// Login checks a nickname and password and returns a new session token. Every
// failure returns ErrLoginFailed after the same argon2id work, so that neither
// the answer nor its timing tells whether the nickname exists. An account that
// failed several times in a row is checked only after a growing pause (at most a
// minute); until then even the right password fails, with the same answer.
func (s *Service) Login(ctx context.Context, nickname, password string) (string, *counselling.Credentials, error) {
	creds, err := s.store.Credentials(ctx, nickname)
	if err != nil && counselling.ErrorCode(err) != counselling.ENotFound {
		return "", nil, err
	}
	hash := ""
	if creds != nil {
		hash = creds.PasswordHash
	}
	ok, err := s.hasher.Verify(ctx, hash, password)
	if err != nil {
		return "", nil, err
	}
	if creds == nil {
		return "", nil, ErrLoginFailed
	}
	if !creds.LoginAllowed(s.clock.Now()) || creds.Disabled {
		// Resting: refused without counting, so the pause cannot be stretched
		// forever by someone else's guesses.
		return "", nil, ErrLoginFailed
	}
	if !ok {
		if err := s.store.RecordLoginFailure(ctx, creds.AccountID); err != nil {
			return "", nil, err
		}
		return "", nil, ErrLoginFailed
	}
	token, err := s.store.Login(ctx, creds.AccountID)
	if err != nil {
		return "", nil, err
	}
	return token, creds, nil
}

// CheckPassword confirms the account's password before a sensitive change such
// as deletion.
func (s *Service) CheckPassword(ctx context.Context, accountID, password, field string) error {
	hash, err := s.store.PasswordHash(ctx, accountID)
	if err != nil {
		return err
	}
	ok, err := s.hasher.Verify(ctx, hash, password)
	if err != nil {
		return err
	}
	if !ok {
		return counselling.FieldError(field, "This is not your current password.")
	}
	return nil
}

// ChangePassword replaces the password after checking the current one, and
// ends every other session of the account.
func (s *Service) ChangePassword(ctx context.Context, sess *counselling.Session, current, next string) error {
	if err := s.CheckPassword(ctx, sess.AccountID, current, "current_password"); err != nil {
		return err
	}
	if err := counselling.ValidatePassword(next); err != nil {
		return counselling.FieldError("new_password", counselling.ErrorMessage(err))
	}
	hash, err := s.hasher.Hash(ctx, next)
	if err != nil {
		return err
	}
	return s.store.SetPassword(ctx, sess.AccountID, hash, sess.TokenHash)
}
