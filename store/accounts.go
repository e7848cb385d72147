package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"confidant/counselling"
	"confidant/counselling/vault"
)

// sealer seals and opens the columns of one row under one data key. The
// columns it may touch are declared in sealedColumns (sealed.go).
type sealer struct {
	key   *vault.Key
	table string
	row   string
}

func (s sealer) loc(column string) vault.Location {
	return vault.Location{Table: s.table, Column: column, Row: s.row}
}

// seal returns nil for an empty value, so that optional fields are NULL. Only
// a column declared in sealedColumns takes ciphertext.
func (s sealer) seal(column, value string) ([]byte, error) {
	if err := checkSealed(s.table, column); err != nil {
		return nil, err
	}
	if value == "" {
		return nil, nil
	}
	return s.key.SealString(value, s.loc(column))
}

func (s sealer) open(column string, ciphertext []byte) (string, error) {
	if err := checkSealed(s.table, column); err != nil {
		return "", err
	}
	v, err := s.key.OpenString(ciphertext, s.loc(column))
	if err != nil {
		return "", fmt.Errorf("open %s.%s: %w", s.table, column, err)
	}
	return v, nil
}

// nicknameDomain separates the nickname's blind index from other uses of the
// index key.
const nicknameDomain = "nickname"

func (db *DB) nicknameIndex(normalized string) []byte {
	return db.keys.BlindIndex(nicknameDomain, normalized)
}

// newAccount is what createAccount inserts.
type newAccount struct {
	officeID     int64
	kind         counselling.Kind
	role         counselling.Role
	nickname     string // as typed; normalised for the index here
	displayName  string
	profile      counselling.Profile
	passwordHash string
	termsVersion int
	lang         string
}

var errNicknameTaken = counselling.FieldError("nickname", "This nickname is already taken. Please choose another one.")

func (db *DB) createAccount(ctx context.Context, tx *sql.Tx, a newAccount) (string, error) {
	normalized, err := counselling.NormalizeNickname(a.nickname)
	if err != nil {
		return "", err
	}
	id, err := db.newID()
	if err != nil {
		return "", err
	}
	key, wrapped, err := db.keys.NewDataKey(id)
	if err != nil {
		return "", err
	}
	s := sealer{key: key, table: "accounts", row: id}
	var sealed [6][]byte
	for i, f := range []struct{ col, val string }{
		{"nickname", counselling.DisplayNickname(a.nickname)},
		{"display_name", a.displayName},
		{"email", a.profile.Email},
		{"age_band", a.profile.AgeBand},
		{"gender", a.profile.Gender},
		{"region", a.profile.Region},
	} {
		if sealed[i], err = s.seal(f.col, f.val); err != nil {
			return "", err
		}
	}
	now := db.now().Unix()
	var role any
	if a.role != "" {
		role = string(a.role)
	}
	var termsAt any
	if a.termsVersion > 0 {
		termsAt = now
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO accounts (id, office_id, kind, role, nickname_index, data_key,
		nickname, display_name, email, age_band, gender, region, password_hash, terms_version, terms_accepted_at,
		created_at, last_active_at, lang) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, a.officeID, string(a.kind), role, db.nicknameIndex(normalized), wrapped,
		sealed[0], sealed[1], sealed[2], sealed[3], sealed[4], sealed[5], a.passwordHash, a.termsVersion, termsAt, now, now, a.lang)
	if isUniqueViolation(err) {
		return "", errNicknameTaken
	}
	if err != nil {
		return "", fmt.Errorf("insert account: %w", err)
	}
	if a.termsVersion > 0 {
		if err := db.recordConsent(ctx, tx, id, a.officeID, a.termsVersion, a.lang, now); err != nil {
			return "", err
		}
	}
	return id, nil
}

// CreateSeeker opens a help-seeker account. The registration must be valid and
// the password already hashed. A taken nickname is an EInvalid error on the
// nickname field.
func (db *DB) CreateSeeker(ctx context.Context, reg counselling.Registration, passwordHash string) (string, error) {
	var id string
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var termsVersion int
		if err := tx.QueryRowContext(ctx, `SELECT terms_version FROM offices WHERE id = ?`, reg.OfficeID).Scan(&termsVersion); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("The office")
			}
			return fmt.Errorf("read office terms: %w", err)
		}
		var err error
		if reg.Profile.Region, err = chooseRegion(ctx, tx, reg.OfficeID, reg.Profile.Region); err != nil {
			return err
		}
		id, err = db.createAccount(ctx, tx, newAccount{
			officeID: reg.OfficeID, kind: counselling.KindSeeker, nickname: reg.Nickname,
			profile: reg.Profile, passwordHash: passwordHash, termsVersion: termsVersion, lang: reg.Lang,
		})
		return err
	})
	return id, err
}

// Account returns the account with its personal fields decrypted.
func (db *DB) Account(ctx context.Context, id string) (*counselling.Account, error) {
	if !validID(id) {
		return nil, notFound("The account")
	}
	var a *counselling.Account
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		a, err = db.account(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// account reads an account in tx with its personal fields decrypted.
func (db *DB) account(ctx context.Context, tx *sql.Tx, id string) (*counselling.Account, error) {
	var a counselling.Account
	err := func() error {
		var wrapped, nick, display, email, age, gender, region []byte
		var role sql.NullString
		var termsAt sql.NullInt64
		var created int64
		err := tx.QueryRowContext(ctx, `SELECT id, office_id, kind, role, data_key, nickname, display_name, email,
			age_band, gender, region, terms_version, terms_accepted_at, created_at, trainee, disabled, totp_secret IS NOT NULL
			FROM accounts WHERE id = ?`, id).Scan(&a.ID, &a.OfficeID, &a.Kind, &role, &wrapped, &nick, &display, &email,
			&age, &gender, &region, &a.TermsVersion, &termsAt, &created, &a.Trainee, &a.Disabled, &a.HasSecondFactor)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("The account")
		}
		if err != nil {
			return fmt.Errorf("read account: %w", err)
		}
		a.Role = counselling.Role(role.String)
		a.TermsAcceptedAt = unixOrZero(termsAt)
		a.CreatedAt = time.Unix(created, 0).UTC()
		key, err := db.keys.UnwrapDataKey(id, wrapped)
		if err != nil {
			return err
		}
		s := sealer{key: key, table: "accounts", row: id}
		for _, f := range []struct {
			col string
			ct  []byte
			dst *string
		}{
			{"nickname", nick, &a.Nickname},
			{"display_name", display, &a.DisplayName},
			{"email", email, &a.Profile.Email},
			{"age_band", age, &a.Profile.AgeBand},
			{"gender", gender, &a.Profile.Gender},
			{"region", region, &a.Profile.Region},
		} {
			if *f.dst, err = s.open(f.col, f.ct); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// hashToken is how session and invite tokens are stored: only their SHA-256.
func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// SetLanguage remembers the language an account chose.
func (db *DB) SetLanguage(ctx context.Context, accountID, lang string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET lang = ? WHERE id = ?`, lang, accountID); err != nil {
			return fmt.Errorf("set language: %w", err)
		}
		return nil
	})
}
