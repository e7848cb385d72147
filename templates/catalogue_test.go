package templates_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"confidant/templates"

	"golang.org/x/net/html"
)

// sameInEnglish lists, per language, the messages whose translation really is
// the English text: names, loanwords and numbers that the language uses as
// they are. Any other translation equal to its English id is a miss.
var sameInEnglish = map[string][]string{
	"de": {"[NAME]", "[URL]", "Admin", "Nickname", "Apr", "Aug", "Code", "Depression", "Feb", "Jan", "Jul", "Jun", "Name", "Nov", "Region", "Sep", "Version {{.Version}}, {{.Date}}", "Chat"},
	"da": {"[URL]", "Administration", "Depression", "Supervisor", "supervisor", "Under 15", "Version {{.Version}}, {{.Date}}", "chat", "video", "version {{.Version}}, {{.Language}}", "Chat", "Send", "Start chat"},
	"nl": {"[URL]", "[POSTCODE]", "Code", "Details", "Inbox", "Supervisor", "supervisor", "open", "Open", "chat", "video", "Chat"},
}

var (
	placeholder = regexp.MustCompile(`\{\{\.\w+\}\}`)
	words       = regexp.MustCompile(`\pL`)
)

// TestNoTranslationIsTheEnglishText fails on a message copied into a
// catalogue untranslated (as "Notifications" once was in Dutch), unless it
// is on the list of words that are the same in both languages.
func TestNoTranslationIsTheEnglishText(t *testing.T) {
	ids := catalogue(t)
	for _, lang := range []string{"de", "da", "nl"} {
		allowed := map[string]bool{}
		for _, id := range sameInEnglish[lang] {
			allowed[id] = true
		}
		for _, id := range ids {
			if !words.MatchString(placeholder.ReplaceAllString(id, "")) {
				continue // placeholders and punctuation only
			}
			var count any
			if strings.Contains(id, "{{.Count}}") {
				count = 2
			}
			data := map[string]any{"Count": 2}
			if templates.Translate(lang, id, data, count) == templates.Translate("en", id, data, count) && !allowed[id] {
				t.Errorf("%s: %q is not translated (or add it to sameInEnglish if %s really says it so)", lang, id, lang)
			}
		}
	}
}

var (
	templStart  = regexp.MustCompile(`^templ \w+\(.*\) \{$`)
	controlLine = regexp.MustCompile(`^\s*(?:if |} else|else |for |switch |case |default:|\}$|@|//)`)
	inlineCall  = regexp.MustCompile(`@\w+\([^)]*\)`)
	textAttrs   = []string{"aria-label", "title", "placeholder", "alt"}
)

// stripExpressions replaces templ's { … } expressions, which are Go and are
// checked by the other scans, with an empty string.
func stripExpressions(line string) string {
	var b strings.Builder
	depth, inString := 0, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case depth > 0 && c == '"':
			inString = true
		case c == '{':
			if depth == 0 {
				b.WriteString(`""`)
			}
			depth++
		case c == '}' && depth > 0:
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// TestTemplatesHoldNoUntranslatedText fails on text written straight into
// the markup of a template (as the staff menu's "Notifications" once was),
// which reaches every reader in English whatever their language.
func TestTemplatesHoldNoUntranslatedText(t *testing.T) {
	files, _ := filepath.Glob("*.templ")
	if len(files) < 5 {
		t.Fatalf("only %d templates found", len(files))
	}
	letters := regexp.MustCompile(`\pL{2,}`)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var markup strings.Builder
		in := false
		for _, line := range strings.Split(string(src), "\n") {
			switch {
			case templStart.MatchString(line):
				in = true
				continue
			case line == "}":
				in = false
			}
			if !in || controlLine.MatchString(line) {
				continue
			}
			markup.WriteString(inlineCall.ReplaceAllString(stripExpressions(line), "") + "\n")
		}
		z := html.NewTokenizer(strings.NewReader(markup.String()))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			tok := z.Token()
			switch tt {
			case html.TextToken:
				// The brand's name is the same in every language.
				if text := strings.TrimSpace(tok.Data); letters.MatchString(strings.ReplaceAll(text, "Confidant", "")) {
					t.Errorf("%s: untranslated text %q", f, text)
				}
			case html.StartTagToken, html.SelfClosingTagToken:
				for _, a := range tok.Attr {
					for _, name := range textAttrs {
						if a.Key == name && letters.MatchString(a.Val) {
							t.Errorf("%s: untranslated %s=%q", f, a.Key, a.Val)
						}
					}
				}
			}
		}
	}
}

// messageCalls are the functions and methods that take a user message as
// their argument at the given position.
var messageCalls = map[string]int{"Errorf": 1, "FieldError": 1, "Add": 1}

// TestMessagesAreNeverBuiltAtRunTime fails where a user message is
// assembled or rewritten while the office runs (as a staff name's error once
// was, by replacing "nickname" with "name" in the English text): such a text
// is in no catalogue, so every reader gets it in English. A message is a
// literal catalogue id, or one passed on unchanged.
func TestMessagesAreNeverBuiltAtRunTime(t *testing.T) {
	fset := token.NewFileSet()
	checked := 0
	for _, dir := range []string{"counselling", "counselling/auth", "counselling/web", "counselling/passwd", "store"} {
		files, _ := filepath.Glob(filepath.Join("..", dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				var name string
				switch fn := call.Fun.(type) {
				case *ast.Ident:
					name = fn.Name
				case *ast.SelectorExpr:
					if x, ok := fn.X.(*ast.Ident); ok && (x.Name == "fmt" || x.Name == "errors") {
						return true
					}
					name = fn.Sel.Name
				}
				pos, ok := messageCalls[name]
				if !ok || len(call.Args) <= pos {
					return true
				}
				if name == "Add" && !isStringLit(call.Args[0]) {
					return true // not Problems.Add(field, message)
				}
				checked++
				if name == "Errorf" && len(call.Args) != 2 {
					t.Errorf("%s: a message formatted with arguments", fset.Position(call.Pos()))
				}
				if built(call.Args[pos]) {
					t.Errorf("%s: a message built at run time", fset.Position(call.Pos()))
				}
				return true
			})
		}
	}
	if checked < 50 {
		t.Fatalf("only %d message calls found: the scan is broken", checked)
	}
}

func isStringLit(e ast.Expr) bool {
	lit, ok := e.(*ast.BasicLit)
	if ok && lit.Kind == token.STRING {
		_, err := strconv.Unquote(lit.Value)
		return err == nil
	}
	return false
}

// built reports whether e computes a new text: a concatenation or a call to
// anything but ErrorMessage, which hands on a message unchanged.
func built(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BinaryExpr:
		return true
	case *ast.CallExpr:
		var name string
		switch fn := e.Fun.(type) {
		case *ast.Ident:
			name = fn.Name
		case *ast.SelectorExpr:
			name = fn.Sel.Name
		}
		return name != "ErrorMessage"
	case *ast.ParenExpr:
		return built(e.X)
	}
	return false
}

var (
	templSignature = regexp.MustCompile(`^templ (\w+)\((.*)\) \{$`)
	paramGroup     = regexp.MustCompile(`((?:\w+, )*\w+) (\S+)`)
)

// textParams are the string parameters of components that are not texts to
// read but data shown as it is (a thread's id, an emergency number, a
// nickname, a language code).
var textParams = map[string]bool{
	"Fragment.threadID": true, "Emergency.number": true, "messageItem.seekerName": true,
	"Landing.registerURL": true, "TermsNote.textLang": true, "Terms.text": true, "Terms.textLang": true,
	"fieldError.name": true, "TextKept.text": true,
}

// TestComponentsTranslateTheirTextParameters fails where a component prints a
// string parameter as it is (as the inbox once printed "No flagged
// conversations." handed to it by its caller): whatever text a caller passes
// would reach every reader in English. A component prints a text parameter
// through T, or its caller passes one already translated.
func TestComponentsTranslateTheirTextParameters(t *testing.T) {
	files, _ := filepath.Glob("*.templ")
	checked := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var name string
		var params []string
		for _, line := range strings.Split(string(src), "\n") {
			if m := templSignature.FindStringSubmatch(line); m != nil {
				name, params = m[1], nil
				for _, g := range paramGroup.FindAllStringSubmatch(m[2], -1) {
					if g[2] != "string" {
						continue
					}
					for _, p := range strings.Split(g[1], ", ") {
						if !textParams[name+"."+p] {
							params = append(params, p)
						}
					}
				}
				checked += len(params)
				continue
			}
			if line == "}" {
				name, params = "", nil
			}
			for _, p := range params {
				if regexp.MustCompile(`(?:^|[^=])\{ *` + p + ` *\}`).MatchString(line) {
					t.Errorf("%s: %s prints its parameter %q untranslated: %s", f, name, p, strings.TrimSpace(line))
				}
			}
		}
	}
	if checked < 5 {
		t.Fatalf("only %d text parameters found: the scan is broken", checked)
	}
}
