package templates_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"confidant/templates"
)

// glossaryTables reads the two tables of locales/GLOSSARY.md that the test
// checks: the glossary's words in the messages that show them, and the words
// not to use.
func glossaryTables(t *testing.T) (words [][]string, banned [][]string) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("locales", "GLOSSARY.md"))
	if err != nil {
		t.Fatal(err)
	}
	section := ""
	for _, line := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(line, "### ") {
			section = line
			continue
		}
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| ---") {
			continue
		}
		var cells []string
		for _, c := range strings.Split(strings.Trim(line, "|"), " | ") {
			cells = append(cells, strings.TrimSpace(c))
		}
		switch {
		case strings.Contains(section, "in the messages") && cells[0] != "message":
			words = append(words, cells)
		case strings.Contains(section, "not to use") && cells[0] != "language":
			banned = append(banned, cells)
		}
	}
	if len(words) < 15 || len(banned) < 10 {
		t.Fatalf("GLOSSARY.md: only %d words and %d banned words found: the tables are not read", len(words), len(banned))
	}
	return words, banned
}

var glossaryLanguages = map[string]string{"Deutsch": "de", "Dansk": "da", "Nederlands": "nl"}

// catalogueTexts are every text of a language's catalogue file by message
// id, plural forms joined.
func catalogueTexts(t *testing.T, lang string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("locales", lang+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for id, v := range m {
		switch v := v.(type) {
		case string:
			out[id] = v
		case map[string]any:
			var forms []string
			for _, f := range v {
				forms = append(forms, f.(string))
			}
			out[id] = strings.Join(forms, " | ")
		}
	}
	return out
}

// wordPattern matches a glossary word: a whole word, or with a trailing *
// every word that begins so. A word written with a capital, a German noun,
// matches only so written; any other word whatever its case.
func wordPattern(word string) *regexp.Regexp {
	tail := `(?:[^\pL]|$)`
	if strings.HasSuffix(word, "*") {
		word, tail = strings.TrimSuffix(word, "*"), ""
	}
	flags := "(?i)"
	if r := []rune(word)[0]; unicode.IsUpper(r) {
		flags = ""
	}
	return regexp.MustCompile(flags + `(?:^|[^\pL])` + regexp.QuoteMeta(word) + tail)
}

// TestTheCataloguesUseTheGlossary fails when a catalogue names a thing with
// another word than the glossary's (as German once called a counsellor
// "Beratung", a department, and Danish a trainee "studerende", a student),
// or uses a word the glossary rules out anywhere.
func TestTheCataloguesUseTheGlossary(t *testing.T) {
	words, banned := glossaryTables(t)
	header := []string{"message", "Deutsch", "Dansk", "Nederlands"}
	texts := map[string]map[string]string{}
	for _, lang := range glossaryLanguages {
		texts[lang] = catalogueTexts(t, lang)
	}
	for _, row := range words {
		if len(row) != len(header) {
			t.Fatalf("GLOSSARY.md: row %q has %d cells, want %d", row, len(row), len(header))
		}
		for i, language := range header[1:] {
			lang := glossaryLanguages[language]
			text, ok := texts[lang][row[0]]
			if !ok {
				t.Errorf("%s: the glossary's message %q is in no catalogue", lang, row[0])
				continue
			}
			if !strings.Contains(strings.ToLower(text), strings.ToLower(row[i+1])) {
				t.Errorf("%s: %q reads %q, without the glossary's word %q", lang, row[0], text, row[i+1])
			}
		}
	}
	for _, row := range banned {
		lang, ok := glossaryLanguages[row[0]]
		if !ok || len(row) != 3 {
			t.Fatalf("GLOSSARY.md: bad row %q", row)
		}
		re := wordPattern(row[1])
		for id, text := range texts[lang] {
			if re.MatchString(text) {
				t.Errorf("%s: %q reads %q, which uses %q (%s)", lang, id, text, row[1], row[2])
			}
		}
	}
}

// TestGermanSaysAMomentAgoInGerman: "vor Augenblicken" is not German, "vor
// wenigen Augenblicken" is, and the same word follows "seit".
func TestGermanSaysAMomentAgoInGerman(t *testing.T) {
	ctx := templates.WithLanguage(context.Background(), "de")
	now := time.Date(2026, time.March, 14, 9, 30, 0, 0, time.UTC)
	ago := templates.SinceIn(ctx, now, now.Add(-20*time.Second))
	if got := templates.Tf(ctx, "last activity {{.Ago}} ago", "Ago", ago); got != "zuletzt aktiv vor wenigen Augenblicken" {
		t.Errorf("German: %q", got)
	}
	if got := templates.Tf(ctx, "waiting {{.Ago}}", "Ago", ago); got != "wartet seit wenigen Augenblicken" {
		t.Errorf("German: %q", got)
	}
}

// A training fragment's placeholders are read in the reader's language.
func TestFragmentPlaceholdersAreTranslated(t *testing.T) {
	ctx := templates.WithLanguage(context.Background(), "de")
	if got := templates.Redacted(ctx, "[NAME] wohnt in [PLACE], seit [DATE]."); got != "[NAME] wohnt in [ORT], seit [DATUM]." {
		t.Errorf("German: %q", got)
	}
}
