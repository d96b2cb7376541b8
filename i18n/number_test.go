package i18n

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

func TestFormatNumber(t *testing.T) {
	for _, c := range []struct {
		lang     string
		x        float64
		decimals int
		want     string
	}{
		{"en", 1234.5, 1, "1,234.5"},
		{"fr", 1234.5, 1, "1\u202f234,5"},
		{"rw", 1234.5, 1, "1.234,5"},
		{"en", 1234567, 0, "1,234,567"},
		{"fr", 999, 0, "999"},
		{"rw", -1234.56, 2, "-1.234,56"},
		{"en", -0.04, 1, "0.0"},
		{"en", 0.5, 0, "0"}, // strconv rounds half to even
		{"xx", 1234.5, 1, "1,234.5"},
	} {
		if got := FormatNumber(c.lang, c.x, c.decimals); got != c.want {
			t.Errorf("FormatNumber(%s, %g, %d) = %q, want %q", c.lang, c.x, c.decimals, got, c.want)
		}
	}
	for lang, want := range map[string]string{"en": "12.5%", "fr": "12,5\u202f%", "rw": "12,5%"} {
		if got := FormatPercent(lang, 0.125, 1); got != want {
			t.Errorf("FormatPercent(%s) = %q, want %q", lang, got, want)
		}
	}
	if got := FormatInt("fr", 12345); got != "12\u202f345" {
		t.Errorf("FormatInt(fr) = %q", got)
	}
}

// Our symbols agree with the CLDR data in golang.org/x/text, except that x/text's
// French group and percent space is the older no-break space U+00A0 where CLDR 34
// and later (and the brief) use the narrow one, U+202F.
func TestNumbersAgreeWithCLDR(t *testing.T) {
	for _, lang := range Languages {
		p := message.NewPrinter(language.MustParse(lang))
		for _, x := range []float64{1234.5, 1234567.8, 0.5, 12.25} {
			want := strings.ReplaceAll(p.Sprint(number.Decimal(x, number.MinFractionDigits(1), number.MaxFractionDigits(1))), "\u00a0", "\u202f")
			if got := FormatNumber(lang, x, 1); got != want {
				t.Errorf("%s %g: %q, CLDR %q", lang, x, got, want)
			}
		}
		want := strings.ReplaceAll(p.Sprint(number.Percent(0.125, number.MinFractionDigits(1), number.MaxFractionDigits(1))), "\u00a0", "\u202f")
		if got := FormatPercent(lang, 0.125, 1); got != want {
			t.Errorf("%s percent: %q, CLDR %q", lang, got, want)
		}
	}
}

func TestNumInCatalogText(t *testing.T) {
	for _, c := range []struct {
		lang, format string
		v            any
		want         string
	}{
		{"en", "%d", 12345, "12,345"},
		{"fr", "%d", int64(12345), "12\u202f345"},
		{"rw", "%v", 1234.5, "1.234,5"},
		{"fr", "%.1f", 0.25, "0,2"},
		{"en", "%v", 2.0, "2"},
		{"rw", "%s", 1234.125, "1.234,125"},
		{"en", "%v", (*float64)(nil), "—"},
	} {
		if got := fmt.Sprintf(c.format, Number(c.lang, c.v)); got != c.want {
			t.Errorf("%s %s %v: %q, want %q", c.lang, c.format, c.v, got, c.want)
		}
	}
	if got := T("fr", "list.count", Number("fr", 1500)); got != "Résultats : 1\u202f500" {
		t.Errorf("T with a Num: %q", got)
	}
}
