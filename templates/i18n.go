package templates

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"confidant/counselling"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Pages and mails speak English, German, Danish and Dutch. A message's id
// is its English text, so English needs a file only for plural forms and a
// missing translation falls back to English; locales/*.json hold the other
// three, and a test fails when any of them lacks a message the code uses.

//go:embed locales/*.json
var localeFiles embed.FS

// Languages are the languages offered, English first.
var Languages = []Option{{Value: "en", Label: "English"}, {Value: "de", Label: "Deutsch"}, {Value: "da", Label: "Dansk"}, {Value: "nl", Label: "Nederlands"}}

var bundle = func() *i18n.Bundle {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, l := range Languages {
		if _, err := b.LoadMessageFileFS(localeFiles, "locales/"+l.Value+".json"); err != nil {
			panic("templates: " + err.Error())
		}
	}
	return b
}()

var localizers = func() map[string]*i18n.Localizer {
	m := map[string]*i18n.Localizer{}
	for _, l := range Languages {
		m[l.Value] = i18n.NewLocalizer(bundle, l.Value)
	}
	return m
}()

var matcher = language.NewMatcher([]language.Tag{language.English, language.German, language.Danish, language.Dutch})

// Supported reports whether lang is one of the offered languages.
func Supported(lang string) bool {
	_, ok := localizers[lang]
	return ok
}

// Negotiate picks the language for an Accept-Language header.
func Negotiate(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return "en"
	}
	_, index, confidence := matcher.Match(tags...)
	if confidence == language.No {
		return "en"
	}
	return Languages[index].Value
}

type langKey struct{}

// WithLanguage puts the language to render in into ctx.
func WithLanguage(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, langKey{}, lang)
}

// LanguageOf is the language of ctx, English by default.
func LanguageOf(ctx context.Context) string {
	if l, ok := ctx.Value(langKey{}).(string); ok && Supported(l) {
		return l
	}
	return "en"
}

// raw holds the plain (non-plural) messages of each language, read from the
// same files as the bundle: rendering them needs only their placeholders
// filled, which is much cheaper than go-i18n's template per call.
var known = map[string]map[string]bool{}

var raw = func() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, l := range Languages {
		b, err := localeFiles.ReadFile("locales/" + l.Value + ".json")
		if err != nil {
			panic("templates: " + err.Error())
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			panic("templates: " + err.Error())
		}
		out[l.Value] = map[string]string{}
		known[l.Value] = map[string]bool{}
		for id, v := range m {
			known[l.Value][id] = true
			if s, ok := v.(string); ok {
				out[l.Value][id] = s
			}
		}
	}
	return out
}()

// plurals caches plural forms by language, id and count.
var plurals sync.Map

// Translate is the message id in lang, with data filled into its {{.Name}}
// placeholders; count, when not nil, picks the plural form through go-i18n's
// plural rules for the language.
func Translate(lang, id string, data map[string]any, count any) string {
	return TranslateIn(lang, counselling.Register{}, id, data, count)
}

// TranslateIn is Translate in a form of the language: the easy-language or
// the formal catalogue where r asks for it and holds the message, else the
// language's own.
func TranslateIn(lang string, r counselling.Register, id string, data map[string]any, count any) string {
	text, ok := variantText(lang, r, id, data, count)
	if !ok {
		text = translate(lang, id, data, count)
	}
	if text != "" && marking.Load() {
		return MarkOpen + text + MarkClose
	}
	return text
}

func translate(lang, id string, data map[string]any, count any) string {
	if id == "" {
		return ""
	}
	if _, ok := localizers[lang]; !ok {
		lang = "en"
	}
	if lang != "en" && !known[lang][id] {
		if f := missHook.Load(); f != nil {
			(*f)(lang, id)
		}
	}
	if count != nil {
		key := fmt.Sprint(lang, "\x00", id, "\x00", count)
		if s, ok := plurals.Load(key); ok {
			return s.(string)
		}
		s, err := localizers[lang].Localize(&i18n.LocalizeConfig{
			DefaultMessage: &i18n.Message{ID: id, One: id, Other: id},
			TemplateData:   data,
			PluralCount:    count,
		})
		if err != nil && s == "" {
			s = id
		}
		plurals.Store(key, s)
		return s
	}
	text, ok := raw[lang][id]
	if !ok {
		text = id
	}
	if data == nil || !strings.Contains(text, "{{") {
		return text
	}
	for k, v := range data {
		text = strings.ReplaceAll(text, "{{."+k+"}}", fmt.Sprint(v))
	}
	return text
}

// missHook, when set, hears of every message looked up in a language whose
// catalogue lacks it: Translate falls back to the English id silently, so
// only a test listening here notices a key that is computed at run time.
var missHook atomic.Pointer[func(lang, id string)]

// RecordMisses makes Translate call f with every language and message id it
// finds in no catalogue, until the returned function is called. It is for
// tests, which render pages in each language and fail on any miss.
func RecordMisses(f func(lang, id string)) (stop func()) {
	missHook.Store(&f)
	return func() { missHook.Store(nil) }
}

// MarkOpen and MarkClose enclose every translated text while MarkTranslations
// is on: two code points of Unicode's private use area, which no message and
// no typed text holds.
const (
	MarkOpen  = "\uE000"
	MarkClose = "\uE001"
)

var marking atomic.Bool

// MarkTranslations makes Translate enclose every text it returns in MarkOpen
// and MarkClose, until the returned function is called. It is for tests,
// which render pages and fail on visible text outside the marks: text written
// into a template or code, which no catalogue translates.
func MarkTranslations() (stop func()) {
	marking.Store(true)
	return func() { marking.Store(false) }
}

// T translates a message into the language of ctx.
func T(ctx context.Context, id string) string {
	return TranslateIn(LanguageOf(ctx), RegisterOf(ctx), id, nil, nil)
}

// Tf translates a message with placeholders given as name, value pairs.
func Tf(ctx context.Context, id string, pairs ...any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(pairs); i += 2 {
		data[fmt.Sprint(pairs[i])] = pairs[i+1]
	}
	return TranslateIn(LanguageOf(ctx), RegisterOf(ctx), id, data, nil)
}

// Tn translates a message with plural forms for n, which fills {{.Count}}.
func Tn(ctx context.Context, id string, n int) string {
	return TranslateIn(LanguageOf(ctx), RegisterOf(ctx), id, map[string]any{"Count": n}, n)
}

// Href adds the chosen language, and easy language, to a link when they
// travel in the URL (for visitors who are not logged in and chose them
// themselves).
func Href(ctx context.Context, path string) string {
	if ctx.Value(urlLangKey{}) != nil {
		path = withQuery(path, "lang", LanguageOf(ctx))
	}
	if ctx.Value(urlEasyKey{}) != nil {
		path = withQuery(path, "easy", "1")
	}
	return withURLOffice(ctx, path)
}

type urlLangKey struct{}

// WithURLLanguage marks that the language came from the URL and must stay in it.
func WithURLLanguage(ctx context.Context) context.Context {
	return context.WithValue(ctx, urlLangKey{}, true)
}

// LanguageLabel is the name of a language in that language.
func LanguageLabel(lang string) string {
	for _, l := range Languages {
		if l.Value == lang {
			return l.Label
		}
	}
	return lang
}

// languageNames lists languages by their names in the reader's language.
func languageNames(ctx context.Context, langs []string) string {
	names := make([]string, len(langs))
	for i, l := range langs {
		names[i] = LanguageName(ctx, l)
	}
	return strings.Join(names, ", ")
}
