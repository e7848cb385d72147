// Package auth decides registration and login: it checks the rules of the domain,
// hashes passwords behind the bounded hasher, slows repeated failures per account
// and client (counselling.PasswordThrottle), makes sure an unknown nickname and a
// wrong password look the same to the person trying, checks the second factor of
// staff, and turns an invitation into a staff login. The web layer only
// translates HTTP to these calls.
package auth

import (
	"context"
	"errors"
	"time"

	"confidant/counselling"
	"confidant/counselling/passwd"
	"confidant/counselling/twofactor"
)

// Store is the storage auth needs.
type Store interface {
	CreateSeeker(ctx context.Context, reg counselling.Registration, passwordHash string) (string, error)
	Credentials(ctx context.Context, nickname string) (*counselling.Credentials, error)
	AccountCredentials(ctx context.Context, accountID string) (*counselling.Credentials, error)
	RecordLoginFailure(ctx context.Context, accountID string, networksBefore, networksAfter int) error
	Login(ctx context.Context, accountID string) (string, error)
	SetPassword(ctx context.Context, accountID, hash string, keep []byte) error
	DeleteSession(ctx context.Context, tokenHash []byte) error

	IssueRecoveryCode(ctx context.Context, accountID, code string) error
	RecoveryCredentials(ctx context.Context, nickname, code string) (*counselling.Credentials, bool, error)
	Recover(ctx context.Context, accountID, usedCode, passwordHash, nextCode string) (string, error)
	ResetAddressMatches(ctx context.Context, accountID, address string) (bool, error)
	QueueResetLink(ctx context.Context, accountID string) error
	UseResetLink(ctx context.Context, resetToken, passwordHash, nextCode string) (string, error)

	OpenInvite(ctx context.Context, token string, newSecret func() (string, error)) (*counselling.Invite, error)
	CompleteInvite(ctx context.Context, token, passwordHash string, step int64) (string, error)
	BeginSecondFactor(ctx context.Context, s *counselling.Session) (string, int64, error)
	PassSecondFactor(ctx context.Context, s *counselling.Session, step int64) (string, error)
	FailSecondFactor(ctx context.Context, s *counselling.Session) (ended, stopped bool, err error)
}

// Service registers help-seekers and logs people in.
type Service struct {
	store   Store
	hasher  *passwd.Hasher
	clock   counselling.Clock
	guesses Guesses // per client, per network and per account
	// checkCode checks a second-factor code; tests count its calls.
	checkCode func(secret, code string, now time.Time, last int64) (int64, bool)
}

// New returns a Service.
func New(store Store, hasher *passwd.Hasher, clock counselling.Clock) *Service {
	return &Service{store: store, hasher: hasher, clock: clock, checkCode: twofactor.Check, guesses: &memoryGuesses{}}
}

// KeepGuessesIn makes the service count wrong passwords per client and
// network in g, where every node of an office sees them, instead of in
// memory. Call it before the service is used.
func (s *Service) KeepGuessesIn(g Guesses) { s.guesses = g }

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
	if err := s.store.IssueRecoveryCode(ctx, id, counselling.NewRecoveryCode()); err != nil {
		return "", err
	}
	return s.store.Login(ctx, id)
}

// Login checks a nickname and password from client and returns a new session
// token. Every failure returns ErrLoginFailed after the same argon2id work, so
// that neither the answer nor its timing tells whether the nickname exists.
// While counselling.PasswordThrottle says to wait, even the right password
// fails, with the same answer, and the try is not counted.
func (s *Service) Login(ctx context.Context, client Client, nickname, password string) (string, *counselling.Credentials, error) {
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
	if creds == nil || creds.Disabled {
		return "", nil, ErrLoginFailed
	}
	if err := s.checked(ctx, client, creds, ok); err != nil {
		if err == errWait || err == errWrong {
			return "", nil, ErrLoginFailed
		}
		return "", nil, err
	}
	token, err := s.store.Login(ctx, creds.AccountID)
	if err != nil {
		return "", nil, err
	}
	return token, creds, nil
}

// The two outcomes of checked besides success; callers turn them into their
// own answers.
var (
	errWait  = errors.New("password check must wait")
	errWrong = errors.New("wrong password")
)

// checked applies the throttle to a password check whose result is ok: errWait
// when the check may not count yet, errWrong after counting a wrong password,
// nil when the password is right.
func (s *Service) checked(ctx context.Context, client Client, creds *counselling.Credentials, ok bool) error {
	now := s.clock.Now()
	networks, err := s.guesses.Networks(ctx, creds.AccountID, now)
	if err != nil {
		return err
	}
	throttle := counselling.PasswordThrottle{Account: creds.Failures, Networks: networks}
	if throttle.Client, err = s.guesses.PairFailures(ctx, client.ID, creds.AccountID); err != nil {
		return err
	}
	if throttle.Network, err = s.guesses.PairFailures(ctx, client.Network, creds.AccountID); err != nil {
		return err
	}
	if !throttle.Allowed(now) {
		return errWait
	}
	if !ok {
		if err := s.guesses.AddPairFailure(ctx, client.ID, creds.AccountID, now); err != nil {
			return err
		}
		if err := s.guesses.AddPairFailure(ctx, client.Network, creds.AccountID, now); err != nil {
			return err
		}
		after, err := s.guesses.AddNetwork(ctx, creds.AccountID, client.Network, now)
		if err != nil {
			return err
		}
		if err := s.store.RecordLoginFailure(ctx, creds.AccountID, networks, after); err != nil {
			return err
		}
		return errWrong
	}
	return s.guesses.ForgetPair(ctx, client.ID, creds.AccountID)
}

// CheckPassword confirms the account's password before a sensitive change such
// as deletion. Wrong passwords count exactly like failed logins, so that a held
// session is no way around the throttle.
func (s *Service) CheckPassword(ctx context.Context, client Client, accountID, password, field string) error {
	creds, err := s.store.AccountCredentials(ctx, accountID)
	if err != nil {
		return err
	}
	ok, err := s.hasher.Verify(ctx, creds.PasswordHash, password)
	if err != nil {
		return err
	}
	switch err := s.checked(ctx, client, creds, ok); err {
	case nil:
		return nil
	case errWait:
		return counselling.FieldError(field, "You have entered a wrong password several times. Please wait a minute before the next try.")
	case errWrong:
		return counselling.FieldError(field, "This is not your current password.")
	default:
		return err
	}
}

// ChangePassword replaces the password after checking the current one, and
// ends every other session of the account.
func (s *Service) ChangePassword(ctx context.Context, client Client, sess *counselling.Session, current, next string) error {
	if err := s.CheckPassword(ctx, client, sess.AccountID, current, "current_password"); err != nil {
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
