package counselling

import (
	"strings"
	"time"
)

// Office is one counselling office: its own staff, themes, texts and rules.
type Office struct {
	ID   int64
	Slug string
	Name string
	// AnswerTime is a free text older offices kept; help-seekers are told
	// Promise instead.
	AnswerTime   string
	TermsVersion int
	TermsText    string
	Retention    RetentionRules
	// EmergencyNumber is the number the pages give people in danger.
	EmergencyNumber string
	// Hours are the office's opening hours and TimeZone the zone they are
	// meant in, for the public pages.
	Hours    [7]DayHours
	TimeZone string
	// Promise is the office's answer-time promise, which pages and mails
	// tell help-seekers (Promise.Phrase).
	Promise Promise
}

// Theme is a subject people write about, used to route enquiries and to count
// them in the anonymous statistics.
type Theme struct {
	ID       int64
	OfficeID int64
	Slug     string
	Name     string
	Retired  bool
}

// DefaultOfficeSlug is the slug of the office a fresh installation has.
const DefaultOfficeSlug = "main"

// DefaultAnswerTime is the answer-time promise of a fresh office.
const DefaultAnswerTime = "within 2 working days"

// DefaultTermsText is the privacy terms text of a fresh office, version 1.
const DefaultTermsText = `We keep what you write encrypted and show it only to the counsellor who answers you.
You need no real name. An email address is optional and used only to tell you that an answer is waiting; counsellors never see it.
We store no IP address. The only cookie keeps you logged in and is removed when you log out.
You can download everything we hold about you, and delete your account at any time; afterwards only anonymous numbers remain.`

// DefaultTerms are the privacy terms of a fresh office, version 1, in every
// language the pages speak, so that each reader is shown, and accepts, a
// stored text in their own language.
var DefaultTerms = map[string]string{
	"en": DefaultTermsText,
	"de": `Was du schreibst, speichern wir verschlüsselt und zeigen es nur der Beraterin oder dem Berater, die oder der dir antwortet.
Du brauchst keinen echten Namen. Eine E-Mail-Adresse ist freiwillig und dient nur dazu, dir zu sagen, dass eine Antwort wartet; Berater*innen sehen sie nie.
Wir speichern keine IP-Adresse. Das einzige Cookie hält dich angemeldet und wird beim Abmelden entfernt.
Du kannst alles herunterladen, was wir über dich gespeichert haben, und dein Konto jederzeit löschen; danach bleiben nur anonyme Zahlen.`,
	"da": `Vi gemmer det, du skriver, krypteret og viser det kun til den rådgiver, der svarer dig.
Du behøver ikke et rigtigt navn. En e-mailadresse er frivillig og bruges kun til at fortælle dig, at et svar venter; rådgivere ser den aldrig.
Vi gemmer ingen IP-adresse. Den eneste cookie holder dig logget ind og fjernes, når du logger ud.
Du kan downloade alt, hvad vi har om dig, og slette din konto når som helst; bagefter er der kun anonyme tal tilbage.`,
	"nl": `Wat je schrijft bewaren we versleuteld en we laten het alleen zien aan de hulpverlener die je antwoordt.
Je hebt geen echte naam nodig. Een e-mailadres is vrijwillig en wordt alleen gebruikt om je te laten weten dat er een antwoord klaarstaat; hulpverleners zien het nooit.
We bewaren geen IP-adres. De enige cookie houdt je aangemeld en verdwijnt als je je afmeldt.
Je kunt alles downloaden wat we over je bewaren en je account op elk moment verwijderen; daarna blijven alleen anonieme getallen over.`,
}

// DefaultTermsLang is the language DefaultTermsText is written in.
const DefaultTermsLang = "en"

// DefaultThemes are the themes of a fresh office, in the order they are offered.
var DefaultThemes = []Theme{
	{Slug: "loneliness", Name: "Loneliness"},
	{Slug: "family", Name: "Family"},
	{Slug: "relationships", Name: "Relationships"},
	{Slug: "violence", Name: "Violence"},
	{Slug: "self-harm", Name: "Self-harm"},
	{Slug: "suicidal-thoughts", Name: "Suicidal thoughts"},
	{Slug: "anxiety", Name: "Anxiety"},
	{Slug: "depression", Name: "Depression"},
	{Slug: "school-work", Name: "School and work"},
	{Slug: "sexuality", Name: "Sexuality"},
	{Slug: "addiction", Name: "Addiction"},
	{Slug: "other", Name: "Something else"},
}

// ValidSlug reports whether s can name an office in a URL: 2 to 40 lowercase
// ASCII letters, digits and inner dashes.
func ValidSlug(s string) bool {
	if len(s) < 2 || len(s) > 40 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// OfficeSettings are what an office's admins change.
type OfficeSettings struct {
	Name      string
	Retention RetentionRules
	// EmergencyNumber is the number the pages give people in danger.
	EmergencyNumber string
}

// Validate checks office settings.
func (s *OfficeSettings) Validate() error {
	p := Problems{}
	s.Name = strings.TrimSpace(s.Name)
	// An office that gives no number shows the one that works everywhere.
	if s.EmergencyNumber = strings.TrimSpace(s.EmergencyNumber); s.EmergencyNumber == "" {
		s.EmergencyNumber = DefaultEmergencyNumber
	}
	checkText(p, "name", s.Name, 100, true)
	if err := ValidateEmergencyNumber(s.EmergencyNumber); err != nil {
		p.Add("emergency_number", ErrorMessage(err))
	}
	for field, msg := range ErrorFields(s.Retention.Validate()) {
		p.Add(field, msg)
	}
	return p.Err()
}

// ValidateEntryName checks the name of an entry of one of the lists an office
// keeps (a theme, a region): some readable text of at most 60 characters.
func ValidateEntryName(name string) error {
	p := Problems{}
	checkText(p, "name", strings.TrimSpace(name), 60, true)
	return p.Err()
}

// Slugify makes a URL-safe slug of a name: lowercase ASCII letters and digits
// joined by dashes; letters outside ASCII are dropped.
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	s := b.String()
	if len(s) > 40 {
		s = strings.TrimRight(s[:40], "-")
	}
	return s
}

// AuditEntry is one recorded admin action.
type AuditEntry struct {
	At time.Time
	// Actor names the staff member who acted; ActorLabel, a message id, says
	// who acted when no staff member did.
	Actor      string
	ActorLabel string
	Action     string
	Target     string
	// Said is the entry's detail as a message; Detail holds the English text
	// of entries recorded before details were kept as messages.
	Said   AuditDetail
	Detail string
}
