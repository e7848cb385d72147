// Package redact turns counselling text into training fragments: names,
// dates, times, ages, places, email addresses, phone numbers, URLs and postcodes
// are replaced by placeholders such as [NAME], [DATE], [AGE] and [PLACE]. It
// knows English, German, Danish and Dutch phrasing. It errs on the side of
// replacing too much: a fragment that loses a word is fine, one that keeps a
// name is not. A supervisor still reads every fragment before it is used.
package redact

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

const (
	Name     = "[NAME]"
	Date     = "[DATE]"
	Time     = "[TIME]"
	Age      = "[AGE]"
	Place    = "[PLACE]"
	Email    = "[EMAIL]"
	Phone    = "[PHONE]"
	URL      = "[URL]"
	Postcode = "[POSTCODE]"
)

// Placeholders are all the placeholders, which pages show in the reader's
// language.
var Placeholders = []string{Name, Date, Time, Age, Place, Email, Phone, URL, Postcode}

var months = `january|february|march|april|may|june|july|august|september|october|november|december|` +
	`jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|` +
	`januar|februar|märz|maerz|mai|juni|juli|oktober|dezember|` +
	`marts|maj|december|` +
	`januari|februari|maart|mei|augustus|oktober`

var weekdays = `monday|tuesday|wednesday|thursday|friday|saturday|sunday|` +
	`montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|` +
	`mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|` +
	`maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag`

// rule is one replacement; group, when set, is the submatch replaced, so that
// the words around it ("I am", "ich bin") stay.
type rule struct {
	re          *regexp.Regexp
	placeholder string
	group       int
}

func r(pattern, placeholder string, group int) rule {
	return rule{regexp.MustCompile(pattern), placeholder, group}
}

var (
	nameAfterCue      = r(`(?i:\b(?:called|named|name is|my name's|heiße|heisse|heißt|heisst|hedder|heet|genannt|mein name ist|ik heet|jeg hedder)\s+)(\p{Lu}[\p{L}'-]+)`, Name, 1)
	nameAfterRelation = r(`(?i:\b(?:my|mein|meine|meinem|meinen|meiner|min|mit|mine|mijn)\s+(?:`+relations+`)\s+)(\p{Lu}[\p{L}'-]+)`, Name, 1)
	nameAfterGreeting = r(`(?i:\b(?:dear|hi|hello|hey|liebe|lieber|hallo|kære|hej|beste|hoi|dag)\s+)(\p{Lu}[\p{L}'-]+)`, Name, 1)
)

var relations = `friend|best friend|brother|sister|boyfriend|girlfriend|teacher|coach|neighbour|neighbor|cousin|` +
	`father|mother|stepfather|stepmother|stepdad|stepmum|stepmom|dad|mum|mom|uncle|aunt|grandfather|grandmother|grandpa|grandma|` +
	`son|daughter|husband|wife|partner|ex|boss|colleague|` +
	`freund|freundin|bruder|schwester|lehrer|lehrerin|nachbar|nachbarin|vater|mutter|stiefvater|stiefmutter|papa|mama|` +
	`onkel|tante|opa|oma|sohn|tochter|mann|frau|chef|chefin|kollege|kollegin|` +
	`ven|veninde|bror|søster|kæreste|lærer|far|mor|stedfar|stedmor|farfar|morfar|farmor|mormor|søn|datter|mand|kone|kollega|` +
	`vriend|vriendin|broer|zus|leraar|lerares|buurman|buurvrouw|vader|moeder|stiefvader|stiefmoeder|oom|zoon|dochter|man|vrouw|baas|collega`

// rules run in order: the specific before the general, so that a date is not
// taken for a postcode, nor a phone number for a time.
var rules = []rule{
	r(`(?i)\b(?:https?://|www\.)[^\s<>"]+`, URL, 0),
	r(`(?i)[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+`, Email, 0),
	r(`(?:\+|\b00)\d[\d \-/().]{6,}\d`, Phone, 0),
	r(`\b\d{2,4}[ \-/]\d{2,4}[ \-/]?\d{2,4}(?:[ \-/]\d{2,4})?\b`, Phone, 0),
	r(`\b\d{8,12}\b`, Phone, 0),
	// Dates: 2024-05-17, 17.5.2024, 17/05, 17. Mai 2024, 17 mei, May 17th, 2024
	r(`\b\d{4}-\d{1,2}-\d{1,2}\b`, Date, 0),
	r(`\b\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?\b\.?`, Date, 0),
	r(`(?i)\b\d{1,2}(?:st|nd|rd|th|\.)?\s+(?:of\s+)?(?:`+months+`)\b\.?(?:,?\s+\d{4})?`, Date, 0),
	r(`(?i)\b(?:`+months+`)\s+\d{1,2}(?:st|nd|rd|th)?\b(?:,?\s+\d{4})?`, Date, 0),
	r(`(?i)\b(?:`+months+`)\b(?:\s+\d{4})?`, Date, 0),
	r(`(?i)\b(?:`+weekdays+`)\b`, Date, 0),
	r(`\b(?:19|20)\d{2}\b`, Date, 0),
	// Times: 14:30, 9.15 Uhr, 7 pm, kl. 8, om 8 uur
	r(`(?i)\b\d{1,2}[:.]\d{2}(?:\s*(?:am|pm|uhr|h|uur))?\b`, Time, 0),
	r(`(?i)\b\d{1,2}\s*(?:am|pm|uhr|uur|o'clock)\b`, Time, 0),
	r(`(?i)\bkl\.?\s*\d{1,2}\b`, Time, 0),
	// Ages, with the number's own words: "15 years old", "15 Jahre alt", "15 år", "15 jaar".
	r(`(?i)\b\d{1,3}(?:\s*|-)(?:years?|yrs?)(?:\s*|-)old\b`, Age, 0),
	r(`(?i)\b\d{1,3}\s+(?:jahre|jährig|jaehrig)(?:\s+alt)?\b`, Age, 0),
	r(`(?i)\b\d{1,3}\s*-?\s*(?:år|aar)(?:\s+gammel)?\b`, Age, 0),
	r(`(?i)\b\d{1,3}\s+jaar(?:\s+oud)?\b`, Age, 0),
	r(`(?i)\b(?:aged|age|i am|i'm|im|ich bin|bin|jeg er|ik ben|alter|alder|leeftijd)\s+(\d{1,3})\b`, Age, 1),
	// Postcodes: Dutch 1234 AB, British SW1A 1AA, then any 4 or 5 digits left.
	r(`\b\d{4}\s?[A-Z]{2}\b`, Postcode, 0),
	r(`\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b`, Postcode, 0),
	r(`\b\d{4,5}\b`, Postcode, 0),
	// Names after the words that introduce them.
	nameAfterCue,
	nameAfterRelation,
	nameAfterGreeting,
	// Places after the prepositions that introduce them.
	r(`(?:\b(?:in|from|at|near|to|aus|nach|bei|fra|til|ved|uit|naar|bij|te|van)\s+)((?:\p{Lu}[\p{L}'-]+)(?:[ -]\p{Lu}[\p{L}'-]+)*)`, Place, 1),
}

// Redact replaces identifying details in text. knownNames lists names to
// replace wherever they stand (nicknames, staff names) and knownPlaces places
// that belong to the person (their region).
func Redact(text string, knownNames, knownPlaces []string) string {
	return New([]string{text}, knownNames, knownPlaces).Redact(text)
}

// Redactor redacts the texts of one conversation alike: a name introduced in
// one message ("my brother Jonas") is replaced in every message, also where it
// stands alone.
type Redactor struct {
	names  []string
	places []string
}

// New prepares a redactor for texts, finding the names they introduce.
func New(texts, knownNames, knownPlaces []string) *Redactor {
	names := slices.Clone(knownNames)
	for _, text := range texts {
		for _, rl := range []rule{nameAfterCue, nameAfterRelation, nameAfterGreeting} {
			for _, m := range rl.re.FindAllStringSubmatch(text, -1) {
				names = append(names, m[1])
			}
		}
	}
	return &Redactor{names: names, places: knownPlaces}
}

// Redact replaces identifying details in text.
func (rd *Redactor) Redact(text string) string {
	// Addresses first, whole, so that a name inside an email address does
	// not leave the rest of the address behind.
	for _, rl := range rules[:contactRules] {
		text = apply(rl, text)
	}
	text = replaceKnown(text, rd.names, Name)
	text = replaceKnown(text, rd.places, Place)
	for _, rl := range rules[contactRules:] {
		text = apply(rl, text)
	}
	return text
}

// contactRules is how many rules at the start of rules find URLs, email
// addresses and phone numbers.
const contactRules = 5

func apply(rl rule, text string) string {
	if rl.group == 0 {
		return rl.re.ReplaceAllStringFunc(text, func(m string) string {
			if isPlaceholder(m) {
				return m
			}
			return rl.placeholder
		})
	}
	var b strings.Builder
	last := 0
	for _, m := range rl.re.FindAllStringSubmatchIndex(text, -1) {
		start, end := m[2*rl.group], m[2*rl.group+1]
		if start < 0 || isPlaceholder(text[start:end]) {
			continue
		}
		b.WriteString(text[last:start])
		b.WriteString(rl.placeholder)
		last = end
	}
	b.WriteString(text[last:])
	return b.String()
}

func isPlaceholder(s string) bool {
	return strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]")
}

// replaceKnown replaces whole-word, case-insensitive occurrences of each value,
// longest first.
func replaceKnown(text string, values []string, placeholder string) string {
	values = slices.Clone(values)
	slices.SortFunc(values, func(a, b string) int { return utf8.RuneCountInString(b) - utf8.RuneCountInString(a) })
	for _, v := range values {
		v = strings.TrimSpace(v)
		if utf8.RuneCountInString(v) < 2 {
			continue
		}
		re := regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}])` + regexp.QuoteMeta(v) + `($|[^\p{L}\p{N}])`)
		for {
			next := re.ReplaceAllString(text, "${1}"+placeholder+"${2}")
			if next == text {
				break
			}
			text = next
		}
	}
	return text
}
