package redact_test

import (
	"strings"
	"testing"

	"confidant/counselling/redact"
)

func TestRedact(t *testing.T) {
	known := []string{"Blue Fox", "Maren"}
	places := []string{"Aarhus C"}
	for _, tc := range []struct {
		lang, in string
		gone     []string
		want     []string
	}{
		// English
		{"en", "Hi, I'm Blue Fox and I am 15 years old. On 3 March 2024 at 14:30 my friend Tom hit me.",
			[]string{"Blue Fox", "15", "3 March", "2024", "14:30", "Tom"}, []string{"[NAME]", "[AGE]", "[DATE]", "[TIME]"}},
		{"en", "Mail me at fox.blue@example.org or call +44 20 7946 0958, I live in Leeds, LS1 4AP. See www.example.org/page",
			[]string{"fox.blue@example.org", "7946", "Leeds", "LS1 4AP", "example.org/page"}, []string{"[EMAIL]", "[PHONE]", "[PLACE]", "[POSTCODE]", "[URL]"}},
		{"en", "Maren wrote back on Monday. I'm 17 and my sister Lucy is 12 years old.",
			[]string{"Maren", "Monday", "17", "Lucy", "12"}, []string{"[NAME]", "[DATE]", "[AGE]"}},
		// German
		{"de", "Ich bin 14 und wohne in München, 80331. Am 12.05.2024 um 18 Uhr hat mein Bruder Jonas mich geschlagen.",
			[]string{"14", "München", "80331", "12.05.2024", "18 Uhr", "Jonas"}, []string{"[AGE]", "[PLACE]", "[POSTCODE]", "[DATE]", "[TIME]", "[NAME]"}},
		{"de", "Ich heiße Lena, bin 16 Jahre alt und komme aus Köln. Schreib mir: lena@example.de oder 0171 2345678.",
			[]string{"Lena", "16 Jahre", "Köln", "lena@example.de", "0171"}, []string{"[NAME]", "[AGE]", "[PLACE]", "[EMAIL]", "[PHONE]"}},
		// Danish
		{"da", "Jeg hedder Sofie og jeg er 13 år. Jeg bor i Aarhus C, 8000, og den 5. maj kl. 9 skete det.",
			[]string{"Sofie", "13 år", "Aarhus C", "8000", "5. maj", "kl. 9"}, []string{"[NAME]", "[AGE]", "[PLACE]", "[POSTCODE]", "[DATE]", "[TIME]"}},
		{"da", "Min veninde Ida fra Odense ringede på 20 30 40 50 i søndags.",
			[]string{"Ida", "Odense", "20 30 40 50"}, []string{"[NAME]", "[PLACE]", "[PHONE]"}},
		// Dutch
		{"nl", "Ik ben 15 jaar en ik woon in Gent, 9000. Op 14 februari om 20:15 heeft mijn vriend Bram me bedreigd.",
			[]string{"15 jaar", "Gent", "9000", "14 februari", "20:15", "Bram"}, []string{"[AGE]", "[PLACE]", "[POSTCODE]", "[DATE]", "[TIME]", "[NAME]"}},
		{"nl", "Mijn naam is Fleur, ik kom uit Amsterdam (1012 AB). Bel 06-12345678 of kijk op https://example.nl/hulp.",
			[]string{"Amsterdam", "1012 AB", "12345678", "https://example.nl/hulp"}, []string{"[PLACE]", "[POSTCODE]", "[PHONE]", "[URL]"}},
	} {
		got := redact.Redact(tc.in, known, places)
		for _, g := range tc.gone {
			if strings.Contains(got, g) {
				t.Errorf("%s: %q survived in %q", tc.lang, g, got)
			}
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: no %s in %q", tc.lang, w, got)
			}
		}
	}
}

func TestRedactKeepsOrdinaryWords(t *testing.T) {
	in := "I feel sad most days and I do not know who to talk to."
	if got := redact.Redact(in, nil, nil); got != in {
		t.Fatalf("plain text changed: %q", got)
	}
}
