package i18n

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Numbers for people, written the way each language writes them (CLDR):
//
//	en  1,234.5   12.5%
//	fr  1 234,5   12,5 %   (narrow no-break space U+202F, as CLDR since version 34)
//	rw  1.234,5   12,5%    (CLDR rw, as golang.org/x/text has it)
//
// CSV, JSON and form values keep the machine form (strconv): only text read by
// people goes through these.

type numberSymbols struct {
	group, decimal, percent string // percent: what follows the number, space included
}

var symbols = map[string]numberSymbols{
	"en": {",", ".", "%"},
	"fr": {"\u202f", ",", "\u202f%"},
	"rw": {".", ",", "%"},
}

func symbolsFor(lang string) numberSymbols {
	if s, ok := symbols[lang]; ok {
		return s
	}
	return symbols[Default]
}

// FormatNumber writes x with exactly decimals digits after the decimal sign and
// the language's group separator: FormatNumber("fr", 1234.5, 1) = "1 234,5".
func FormatNumber(lang string, x float64, decimals int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	s := strconv.FormatFloat(x, 'f', decimals, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	if neg && strings.Trim(intPart+frac, "0") == "" {
		neg = false // -0.0 is 0.0
	}
	sym := symbolsFor(lang)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(sym.group)
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString(sym.decimal)
		b.WriteString(frac)
	}
	return b.String()
}

// FormatInt writes a whole number with the language's group separator.
func FormatInt(lang string, n int64) string { return FormatNumber(lang, float64(n), 0) }

// FormatPercent writes a proportion (0.125) as a percentage with decimals digits:
// "12.5%", "12,5 %", "12,5%".
func FormatPercent(lang string, proportion float64, decimals int) string {
	return FormatNumber(lang, 100*proportion, decimals) + symbolsFor(lang).percent
}

// Num is a number to be written in a language. It formats itself with fmt: %d as a
// whole number, %.Nf with N decimals, %v and %s as given (whole numbers without
// decimals), so a catalog text "Results: %d" takes a Num and groups its digits.
type Num struct {
	Lang  string
	Value float64
	Whole bool // an integer: %v writes no decimals
}

// Number wraps an integer or float (or a pointer to one) for writing in lang.
func Number(lang string, v any) Num {
	switch x := v.(type) {
	case int:
		return Num{lang, float64(x), true}
	case int32:
		return Num{lang, float64(x), true}
	case int64:
		return Num{lang, float64(x), true}
	case float64:
		return Num{lang, x, x == math.Trunc(x) && math.Abs(x) < 1e15}
	case float32:
		return Num{lang, float64(x), false}
	case *int:
		if x != nil {
			return Number(lang, *x)
		}
	case *int64:
		if x != nil {
			return Number(lang, *x)
		}
	case *float64:
		if x != nil {
			return Number(lang, *x)
		}
	}
	return Num{Lang: lang, Value: math.NaN()}
}

// Format implements fmt.Formatter.
func (n Num) Format(f fmt.State, verb rune) {
	if math.IsNaN(n.Value) {
		io.WriteString(f, "—")
		return
	}
	decimals := -1
	switch verb {
	case 'd':
		decimals = 0
	case 'f', 'F':
		decimals = 6
		if p, ok := f.Precision(); ok {
			decimals = p
		}
	default:
		if p, ok := f.Precision(); ok {
			decimals = p
		} else if n.Whole {
			decimals = 0
		}
	}
	if decimals < 0 {
		// As short as the value needs, at most 3 decimals, trailing zeros dropped.
		s := FormatNumber(n.Lang, n.Value, 3)
		dec := symbolsFor(n.Lang).decimal
		if strings.Contains(s, dec) {
			s = strings.TrimRight(strings.TrimRight(s, "0"), dec)
		}
		io.WriteString(f, s)
		return
	}
	io.WriteString(f, FormatNumber(n.Lang, n.Value, decimals))
}
