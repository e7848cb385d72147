package counselling

import (
	_ "embed"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/secure/precis"
	"golang.org/x/text/unicode/norm"
)

// Kind tells help-seekers and staff apart.
type Kind string

// Account kinds.
const (
	KindSeeker Kind = "seeker"
	KindStaff  Kind = "staff"
)

// Role is a staff member's role in an office.
type Role string

// Staff roles.
const (
	RoleCounsellor Role = "counsellor"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

// Roles are the staff roles, in the order pages offer them.
var Roles = []Role{RoleCounsellor, RoleSupervisor, RoleAdmin}

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleCounsellor, RoleSupervisor, RoleAdmin:
		return r, nil
	}
	return "", FieldError("role", "The role must be counsellor, supervisor or admin.")
}

// AgeBands are the age bands a help-seeker may give, youngest first.
var AgeBands = []string{"under-15", "15-19", "20-29", "30-39", "40-49", "50-64", "65-plus"}

// Genders are the genders a help-seeker may give.
var Genders = []string{"female", "male", "diverse", "undisclosed"}

// Limits on what people type.
const (
	NicknameMinRunes = 3
	NicknameMaxRunes = 32
	PasswordMinRunes = 8
	PasswordMaxRunes = 128
	EmailMaxBytes    = 254
)

// Profile holds a help-seeker's optional details. All of them are stored
// encrypted under the account's data key. Region is the slug of an entry of
// the office's region list, or empty.
type Profile struct {
	Email   string
	AgeBand string
	Gender  string
	Region  string
}

// Validate records what is wrong with the profile in problems.
func (p *Profile) Validate(problems Problems) {
	p.Email = strings.TrimSpace(p.Email)
	p.Region = strings.TrimSpace(p.Region)
	if !utf8.ValidString(p.Email) || !utf8.ValidString(p.Region) || !utf8.ValidString(p.AgeBand) || !utf8.ValidString(p.Gender) {
		problems.Add("form", "The form contained characters that could not be read. Please type your answers again.")
		return
	}
	if p.Email != "" && !ValidEmail(p.Email) {
		problems.Add("email", "This does not look like an email address. You can also leave it empty.")
	}
	if p.AgeBand != "" && !slices.Contains(AgeBands, p.AgeBand) {
		problems.Add("age_band", "Please choose one of the age bands, or leave it empty.")
	}
	if p.Gender != "" && !slices.Contains(Genders, p.Gender) {
		problems.Add("gender", "Please choose one of the options, or leave it empty.")
	}
	// The region is checked against the office's list where the profile is
	// stored (RegionList.Choose), as only the store knows the list.
}

// ValidEmail reports whether s is a plain address such as name@example.org.
func ValidEmail(s string) bool {
	if len(s) > EmailMaxBytes || hasControl(s) {
		return false
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".")
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, unicode.IsControl)
}

// Registration is what a help-seeker submits to open an account.
type Registration struct {
	OfficeID    int64
	Nickname    string
	Password    string
	AcceptTerms bool
	Lang        string // the language the pages were shown in
	Profile
}

// Validate checks every rule of registration and returns all problems at once.
func (r *Registration) Validate() error {
	problems := Problems{}
	if !utf8.ValidString(r.Nickname) || !utf8.ValidString(r.Password) {
		problems.Add("form", "The form contained characters that could not be read. Please type your answers again.")
		return problems.Err()
	}
	if _, err := NormalizeNickname(r.Nickname); err != nil {
		problems.Add("nickname", ErrorMessage(err))
	}
	if err := ValidatePassword(r.Password); err != nil {
		problems.Add("password", ErrorMessage(err))
	}
	r.Profile.Validate(problems)
	if !r.AcceptTerms {
		problems.Add("accept_terms", "Please read and accept the privacy terms to open an account.")
	}
	return problems.Err()
}

var caseFold = cases.Fold()

// NameMessages are what a person reads when a nickname or a staff name
// breaks one of the rules both share. Each is a whole catalogue message, so
// that every language words it for what is being named.
type NameMessages struct {
	Field, Unreadable, Characters, TooShort, TooLong, HasAt string
}

// All lists the messages.
func (m NameMessages) All() []string {
	return []string{m.Unreadable, m.Characters, m.TooShort, m.TooLong, m.HasAt}
}

// NicknameMessages explain the rules to someone choosing a nickname.
var NicknameMessages = NameMessages{
	Field:      "nickname",
	Unreadable: "The nickname contains characters that could not be read.",
	Characters: "Please choose a nickname of letters, digits, spaces and punctuation.",
	TooShort:   "Please choose a nickname of at least 3 characters.",
	TooLong:    "Please choose a nickname of at most 32 characters.",
	HasAt:      "A nickname cannot contain @. Please do not use your email address or real name.",
}

// StaffNameMessages explain the same rules to an admin naming a staff member.
var StaffNameMessages = NameMessages{
	Field:      "name",
	Unreadable: "The name contains characters that could not be read.",
	Characters: "Please choose a name of letters, digits, spaces and punctuation.",
	TooShort:   "Please choose a name of at least 3 characters.",
	TooLong:    "Please choose a name of at most 32 characters.",
	HasAt:      "A name cannot contain @. Please do not use an email address.",
}

// NormalizeNickname maps a nickname to the form used to compare nicknames:
// PRECIS Nickname (RFC 8266) with Unicode case folding, so that "Anna", "ANNA" and
// "Ａｎｎａ" are the same nickname.
func NormalizeNickname(s string) (string, error) { return normalizeName(s, NicknameMessages) }

// NormalizeStaffName is NormalizeNickname for the name of a staff member
// (which help-seekers see and which logs them in), explained as a name.
func NormalizeStaffName(s string) (string, error) { return normalizeName(s, StaffNameMessages) }

func normalizeName(s string, m NameMessages) (string, error) {
	if !utf8.ValidString(s) {
		return "", FieldError(m.Field, m.Unreadable)
	}
	n, err := precis.Nickname.String(s)
	if err != nil {
		return "", FieldError(m.Field, m.Characters)
	}
	n = norm.NFKC.String(caseFold.String(n))
	count := utf8.RuneCountInString(n)
	switch {
	case count < NicknameMinRunes:
		return "", FieldError(m.Field, m.TooShort)
	case count > NicknameMaxRunes:
		return "", FieldError(m.Field, m.TooLong)
	case strings.Contains(n, "@"):
		return "", FieldError(m.Field, m.HasAt)
	}
	return n, nil
}

// DisplayNickname is the nickname as shown: trimmed and width-normalised, but
// with the person's own capitalisation.
func DisplayNickname(s string) string {
	n, err := precis.Nickname.String(s)
	if err != nil {
		return strings.TrimSpace(s)
	}
	return n
}

//go:embed common-passwords.txt
var commonPasswordList string

var commonPasswords = func() map[string]struct{} {
	m := make(map[string]struct{}, 1000)
	for line := range strings.Lines(commonPasswordList) {
		if p := strings.TrimSpace(line); p != "" {
			m[strings.ToLower(p)] = struct{}{}
		}
	}
	return m
}()

// ValidatePassword applies the password rules: 8 to 128 characters, no rules
// about character classes, and none of the 1,000 most common passwords.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return FieldError("password", "The password contains characters that could not be read.")
	case n < PasswordMinRunes:
		return FieldError("password", "Please choose a password of at least 8 characters. A few words in a row are easy to remember.")
	case n > PasswordMaxRunes:
		return FieldError("password", "Please choose a password of at most 128 characters.")
	}
	if _, common := commonPasswords[strings.ToLower(pw)]; common {
		return FieldError("password", "This password is one of the most common ones and easy to guess. Please choose another.")
	}
	return nil
}

// Account is a help-seeker or a staff member, with personal fields decrypted.
type Account struct {
	ID              string
	OfficeID        int64
	Kind            Kind
	Role            Role // staff only
	Nickname        string
	DisplayName     string // staff only: the name help-seekers see
	Profile         Profile
	TermsVersion    int
	TermsAcceptedAt time.Time
	CreatedAt       time.Time
	Trainee         bool
	Disabled        bool
	HasSecondFactor bool
}

// IsStaff reports whether the account belongs to staff.
func (a *Account) IsStaff() bool { return a.Kind == KindStaff }

// Credentials is what the store returns to check a login: no personal fields.
type Credentials struct {
	AccountID    string
	Kind         Kind
	Role         Role
	OfficeID     int64
	PasswordHash string
	// Failures are the account's wrong passwords from every client, in the
	// current window (see PasswordThrottle).
	Failures       Failures
	Disabled       bool
	PasswordIsSet  bool
	SecondFactorOn bool
}

// Consent is one acceptance of an office's privacy terms.
type Consent struct {
	TermsVersion int
	AcceptedAt   time.Time
}

// Deletion reports what an account deletion removed and what anonymous numbers
// remain of it.
type Deletion struct {
	Threads  int
	Messages int
	// Facts is how many anonymous contact facts remain, now unlinked.
	Facts int
}

// Export is everything stored about a help-seeker, decrypted, for them to take
// away. Counsellors' private notes are not theirs and are left out.
type Export struct {
	Format     string          `json:"format"`
	ExportedAt time.Time       `json:"exported_at"`
	Nickname   string          `json:"nickname"`
	Profile    ExportProfile   `json:"profile"`
	CreatedAt  time.Time       `json:"account_created_at"`
	Consents   []ExportConsent `json:"consents"`
	Threads    []ExportThread  `json:"threads"`
	// Devices are the devices that receive notifications, by the address
	// their browser's push service gave them.
	Devices     []ExportDevice `json:"notification_devices,omitempty"`
	Explanation string         `json:"explanation"`
	Reach       ExportReach    `json:"reaching_out"`
	// Appointments are those the help-seeker booked, cancelled ones too.
	Appointments []ExportAppointment `json:"appointments"`
	// GroupChats are the group chats the help-seeker joined, each with the
	// pseudonym they had there and their own messages; other participants'
	// messages are theirs, not this person's, and are left out.
	GroupChats []ExportGroupChat `json:"group_chats"`
}

// ExportDevice is one device that receives notifications, in an export.
type ExportDevice struct {
	Endpoint string    `json:"push_endpoint"`
	Since    time.Time `json:"since"`
}

// ExportProfile is the optional details in an export.
type ExportProfile struct {
	Email   string `json:"email,omitempty"`
	AgeBand string `json:"age_band,omitempty"`
	Gender  string `json:"gender,omitempty"`
	Region  string `json:"region,omitempty"`
}

// ExportExplanation is the export's explanation, a message id: the web layer
// gives it in the help-seeker's language.
const ExportExplanation = "Everything Confidant stores about you. Counsellors' private notes are not included. Of group chats you took part in, only your own messages are included, under the number you had there. Anonymous statistics (theme, month, age band, gender, region) are not linked to you and cannot be exported."

// ExportConsent is one accepted terms version in an export.
type ExportConsent struct {
	TermsVersion int       `json:"terms_version"`
	AcceptedAt   time.Time `json:"accepted_at"`
	TermsText    string    `json:"terms_text"`
}

// ExportThread is one conversation in an export.
type ExportThread struct {
	Theme     string          `json:"theme"`
	Subject   string          `json:"subject,omitempty"`
	Status    string          `json:"status"`
	CreatedAt time.Time       `json:"created_at"`
	Messages  []ExportMessage `json:"messages"`
}

// ExportMessage is one message in an export.
type ExportMessage struct {
	From   string    `json:"from"`
	Author string    `json:"author,omitempty"`
	Body   string    `json:"body"`
	SentAt time.Time `json:"sent_at"`
}
