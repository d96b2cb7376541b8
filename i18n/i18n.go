// Package i18n holds MESH's message catalogs (English, French, Kinyarwanda) and the
// small helpers around them: picking a language from a request's preferences and
// formatting dates. Catalogs are embedded JSON files, one per language, so translators
// edit plain text and never Go code.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// Default is the language used when nothing else is known, and the fallback for a
// key missing in another language.
const Default = "en"

// Languages are the supported languages, the default first.
var Languages = []string{"en", "fr", "rw"}

// Entry is one translated string. Reviewed is false for text no fluent speaker has
// checked yet (all Kinyarwanda for now), so `mesh i18n check` can list it.
type Entry struct {
	Text     string
	Reviewed bool
}

// UnmarshalJSON accepts either a plain string (a reviewed entry) or an object
// {"text": …, "reviewed": bool}, so the en and fr files stay plain key→text maps.
func (e *Entry) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*e = Entry{Text: s, Reviewed: true}
		return nil
	}
	var o struct {
		Text     string `json:"text"`
		Reviewed bool   `json:"reviewed"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	*e = Entry{Text: o.Text, Reviewed: o.Reviewed}
	return nil
}

// Catalog maps a message key to its entry in one language.
type Catalog map[string]Entry

//go:embed catalog/*.json
var files embed.FS

// catalogs is loaded once at start; a broken catalog file is a build-time mistake, so
// loading panics (the catalog test catches it before any release).
var catalogs = mustLoad()

func mustLoad() map[string]Catalog {
	out := map[string]Catalog{}
	for _, lang := range Languages {
		// A language is its main file plus any "<lang>.<part>.json" files, so parts of
		// the app can keep their strings apart; a key defined twice is a mistake.
		names, _ := fs.Glob(files, "catalog/"+lang+".*json")
		c := Catalog{}
		for _, name := range names {
			b, err := files.ReadFile(name)
			if err != nil {
				panic("i18n: " + err.Error())
			}
			var part Catalog
			if err := json.Unmarshal(b, &part); err != nil {
				panic(fmt.Sprintf("i18n: %s: %v", name, err))
			}
			for k, e := range part {
				if _, dup := c[k]; dup {
					panic(fmt.Sprintf("i18n: %s: key %q is defined twice", name, k))
				}
				c[k] = e
			}
		}
		if len(c) == 0 {
			panic("i18n: no catalog for " + lang)
		}
		out[lang] = c
	}
	return out
}

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// T returns the message key in lang, formatted with args (fmt verbs), falling back to
// English and then to the key itself so a page never shows an empty label.
func T(lang, key string, args ...any) string {
	e, ok := catalogs[lang][key]
	if !ok || e.Text == "" {
		e, ok = catalogs[Default][key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 {
		return e.Text
	}
	return fmt.Sprintf(e.Text, args...)
}

// Has reports whether key has a non-empty text in lang.
func Has(lang, key string) bool {
	e, ok := catalogs[lang][key]
	return ok && e.Text != ""
}

// Keys returns every key of any language, sorted.
func Keys() []string {
	set := map[string]bool{}
	for _, c := range catalogs {
		for k := range c {
			set[k] = true
		}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Status lists, for one language, the keys it lacks and the keys not yet reviewed.
type Status struct {
	Lang       string
	Missing    []string
	Unreviewed []string
}

// Check returns the status of every language, in the order of Languages.
func Check() []Status {
	keys := Keys()
	var out []Status
	for _, lang := range Languages {
		st := Status{Lang: lang}
		for _, k := range keys {
			e, ok := catalogs[lang][k]
			switch {
			case !ok || e.Text == "":
				st.Missing = append(st.Missing, k)
			case !e.Reviewed:
				st.Unreviewed = append(st.Unreviewed, k)
			}
		}
		out = append(out, st)
	}
	return out
}

// Missing returns the missing keys per language (languages with none are left out).
func Missing() map[string][]string {
	out := map[string][]string{}
	for _, st := range Check() {
		if len(st.Missing) > 0 {
			out[st.Lang] = st.Missing
		}
	}
	return out
}

var matcher = language.NewMatcher([]language.Tag{language.English, language.French, language.Make("rw")})

// Match picks the best supported language for an Accept-Language header, or Default
// when the header names none of ours.
func Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Languages[idx]
}

// Name is a language's own name, for the language switcher.
func Name(lang string) string {
	return T(lang, "lang.self")
}

// FormatDate writes a calendar day the way lang writes it ("2 March 2026",
// "2 mars 2026", "2 Werurwe 2026"); the zero time is "".
func FormatDate(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	month := T(lang, fmt.Sprintf("month.%d", int(t.Month())))
	return T(lang, "date.format", t.Day(), month, t.Year())
}

// FormatDateTime writes a moment as the date and a 24-hour time in loc.
func FormatDateTime(lang string, t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if loc != nil {
		t = t.In(loc)
	}
	return FormatDate(lang, t) + " " + t.Format("15:04")
}

// Normalize lower-cases a language code and keeps it only when supported.
func Normalize(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if Supported(lang) {
		return lang
	}
	return ""
}
