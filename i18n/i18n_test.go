package i18n

import (
	"strings"
	"testing"
	"time"
)

// TestEveryKeyInEveryLanguage keeps the catalogs complete: a key added in one
// language must be added in all.
func TestEveryKeyInEveryLanguage(t *testing.T) {
	for lang, keys := range Missing() {
		t.Errorf("%s lacks %d keys: %s", lang, len(keys), strings.Join(keys, ", "))
	}
}

// TestFormatVerbsAgree checks a translation takes the same arguments as English, so
// T never prints %!d(MISSING).
func TestFormatVerbsAgree(t *testing.T) {
	for _, key := range Keys() {
		want := strings.Count(catalogs[Default][key].Text, "%")
		for _, lang := range Languages {
			if got := strings.Count(catalogs[lang][key].Text, "%"); got != want {
				t.Errorf("%s %s: %d format verbs, English has %d", lang, key, got, want)
			}
		}
	}
}

func TestReviewedFlags(t *testing.T) {
	for _, st := range Check() {
		switch st.Lang {
		case "en", "fr":
			if len(st.Unreviewed) > 0 {
				t.Errorf("%s has unreviewed keys %v", st.Lang, st.Unreviewed)
			}
		case "rw":
			// No fluent speaker has reviewed the Kinyarwanda draft yet.
			if len(st.Unreviewed) != len(Keys()) {
				t.Errorf("rw: %d unreviewed of %d", len(st.Unreviewed), len(Keys()))
			}
		}
	}
}

func TestMatch(t *testing.T) {
	for header, want := range map[string]string{
		"":                        "en",
		"fr":                      "fr",
		"fr-CA,fr;q=0.9,en;q=0.8": "fr",
		"rw-RW,rw;q=0.9":          "rw",
		"en-GB,en;q=0.9,fr;q=0.8": "en",
		"de-DE":                   "en",
		"sw;q=0.9,fr;q=0.5":       "fr",
		"not a header;;;":         "en",
	} {
		if got := Match(header); got != want {
			t.Errorf("Match(%q) = %s, want %s", header, got, want)
		}
	}
}

func TestFormatDate(t *testing.T) {
	d := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for lang, want := range map[string]string{"en": "2 March 2026", "fr": "2 mars 2026", "rw": "2 Werurwe 2026"} {
		if got := FormatDate(lang, d); got != want {
			t.Errorf("FormatDate(%s) = %q, want %q", lang, got, want)
		}
	}
	if FormatDate("en", time.Time{}) != "" {
		t.Error("zero date not empty")
	}
}

func TestTFallsBack(t *testing.T) {
	if got := T("xx", "nav.home"); got != "Home" {
		t.Errorf("unknown language: %q", got)
	}
	if got := T("fr", "no.such.key"); got != "no.such.key" {
		t.Errorf("unknown key: %q", got)
	}
	if got := T("fr", "place.every_days", 42); got != "Tous les 42 jours" {
		t.Errorf("args: %q", got)
	}
}

// A rule's English catalog text is the rule itself, so RuleKey finds it from the
// code's format string; a translation must keep the rule's arguments.
func TestRuleKeysMatchTheirEnglish(t *testing.T) {
	n := 0
	for _, k := range Keys() {
		if !strings.HasPrefix(k, "rule.") {
			continue
		}
		n++
		if got := RuleKey(T(Default, k)); got != k {
			t.Errorf("%s: English %q has key %s", k, T(Default, k), got)
		}
	}
	if n < 40 {
		t.Errorf("only %d rule keys", n)
	}
}
