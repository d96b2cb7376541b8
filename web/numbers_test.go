package web

import (
	"html/template"
	"strings"
	"testing"
)

// Numbers read by people follow the page language; the digits are the same.
func TestNumbersPerLanguage(t *testing.T) {
	tpl := template.Must(template.New("n").Funcs(funcs).Parse(
		`{{num .Lang .N}} | {{T .Lang "list.count" (num .Lang .N)}} | {{pct .Lang .P 1}} | {{num .Lang .X}}`))
	for lang, want := range map[string]string{
		"en": "12,345 | Results: 12,345 | 61.7% | 1,234.5",
		"fr": "12\u202f345 | Résultats : 12\u202f345 | 61,7\u202f% | 1\u202f234,5",
		"rw": "12.345 | " + strings.ReplaceAll(tr("rw", "list.count", 1), "1", "12.345") + " | 61,7% | 1.234,5",
	} {
		var b strings.Builder
		if err := tpl.Execute(&b, map[string]any{"Lang": lang, "N": 12345, "P": 0.617, "X": 1234.5}); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	p := 0.617
	for lang, want := range map[string]string{"en": "1,234/2,000 (61.7%)", "fr": "1\u202f234/2\u202f000 (61,7\u202f%)", "rw": "1.234/2.000 (61,7%)"} {
		if got := nOfN(lang, 1234, 2000, &p); got != want {
			t.Errorf("nOfN(%s) = %q, want %q", lang, got, want)
		}
	}
}
