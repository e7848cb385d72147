package templates

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"

	"confidant/counselling"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Besides a catalogue per language, locales/ holds the catalogues of forms
// of a language: de-formal.json addresses the reader with "Sie" (an office's
// choice) and <lang>-easy.json says what help-seeker pages and mails say in
// easy language (in German following the rules of Leichte Sprache). A form's
// catalogue is complete for what it covers, which the translation test
// checks: the formal one holds every message, the easy ones every message a
// help-seeker page or mail shows.

// FormalCatalogue and EasyCatalogue name the catalogue files of the forms.
func FormalCatalogue(lang string) string { return lang + "-formal" }

// EasyCatalogue names the easy-language catalogue of lang.
func EasyCatalogue(lang string) string { return lang + "-easy" }

// variants holds the forms' catalogues by name: each message a text, or
// plural forms by CLDR category.
var variants = func() map[string]map[string]any {
	out := map[string]map[string]any{}
	names := []string{FormalCatalogue("de")}
	for _, l := range Languages {
		names = append(names, EasyCatalogue(l.Value))
	}
	for _, name := range names {
		b, err := localeFiles.ReadFile("locales/" + name + ".json")
		if err != nil {
			continue // a form without a catalogue falls back to the language's own
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			panic("templates: " + name + ": " + err.Error())
		}
		out[name] = m
	}
	return out
}()

// VariantMessages lists the message ids of a form's catalogue, for tests.
func VariantMessages(name string) []string {
	var ids []string
	for id := range variants[name] {
		ids = append(ids, id)
	}
	return ids
}

// variantText is the message in the form r of lang, when r asks for a form
// whose catalogue holds it.
func variantText(lang string, r counselling.Register, id string, data map[string]any, count any) (string, bool) {
	var name string
	switch {
	case r.Easy:
		name = EasyCatalogue(lang)
	case r.Formal && lang == "de":
		name = FormalCatalogue(lang)
	default:
		return "", false
	}
	v, ok := variants[name][id]
	if !ok {
		// Only a message of the catalogues is missed: names of themes an
		// office added, or of regions, are shown as they are.
		if f := variantMissHook.Load(); f != nil && known["de"][id] {
			(*f)(name, id)
		}
		return "", false
	}
	var text string
	switch v := v.(type) {
	case string:
		text = v
	case map[string]any:
		form := "other"
		if n, ok := count.(int); ok && plural.Cardinal.MatchPlural(language.Make(lang), n, 0, 0, 0, 0) == plural.One {
			form = "one"
		}
		text, _ = v[form].(string)
	}
	for k, val := range data {
		text = strings.ReplaceAll(text, "{{."+k+"}}", fmt.Sprint(val))
	}
	return text, true
}

// variantMissHook, when set, hears of every message asked for in a form
// whose catalogue lacks it (the text falls back to the language's own).
var variantMissHook atomic.Pointer[func(catalogue, id string)]

// RecordVariantMisses makes a lookup in a form's catalogue that lacks the
// message call f with the catalogue's name and the message id, until the
// returned function is called. It is for tests, which draw every page a form
// covers and fail on any miss.
func RecordVariantMisses(f func(catalogue, id string)) (stop func()) {
	variantMissHook.Store(&f)
	return func() { variantMissHook.Store(nil) }
}

type registerKey struct{}

// WithRegister puts the form of the language to render in into ctx.
func WithRegister(ctx context.Context, r counselling.Register) context.Context {
	return context.WithValue(ctx, registerKey{}, r)
}

// RegisterOf is the form of the language of ctx: the language's own by
// default.
func RegisterOf(ctx context.Context) counselling.Register {
	r, _ := ctx.Value(registerKey{}).(counselling.Register)
	return r
}

type urlEasyKey struct{}

// WithURLEasy marks that easy language was chosen in the URL (by a visitor
// without an account, who has no cookie to keep it in) and must stay there.
func WithURLEasy(ctx context.Context) context.Context {
	return context.WithValue(ctx, urlEasyKey{}, true)
}

// withQuery adds name=value to a path's query.
func withQuery(path, name, value string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + name + "=" + value
}

// EasyURL is where the link to the easy-language version of a page (or back
// to the standard one) leads.
func EasyURL(ctx context.Context, path string, easy bool) string {
	v := "0"
	if easy {
		v = "1"
	}
	if ctx.Value(urlLangKey{}) != nil {
		path = withQuery(path, "lang", LanguageOf(ctx))
	}
	return withQuery(path, "easy", v)
}

// LanguageURL is where the link to a page in another language leads; a
// visitor's choice of easy language travels with it.
func LanguageURL(ctx context.Context, path, lang string) string {
	path = withQuery(path, "lang", lang)
	if ctx.Value(urlEasyKey{}) != nil {
		path = withQuery(path, "easy", "1")
	}
	return path
}
