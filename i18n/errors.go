package i18n

import (
	"regexp"
	"strings"

	"mesh"
)

// Error messages for people in their language. The machine parts of an error (its
// code and field) never change; only the sentence is translated:
//
//   - a field error with a rule (mesh.RuleError) is said with the catalog's
//     RuleKey(rule), filled with the same arguments;
//   - else a field error takes err.<field>.<CODE> (the form wording, keyed by the
//     field's last part), then api.err.<CODE> naming the field;
//   - an error with no field takes api.error.<code>.
//
// English keeps the domain's own sentence, which is the source of every rule.

var (
	verbs   = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)
	nonWord = regexp.MustCompile(`[^a-z0-9]+`)
)

// RuleKey is the catalog key of a validation rule's text: its words, each format
// verb an x, without the leading field ("%s must be between %s and %s" →
// rule.must_be_between_x_and_x).
func RuleKey(rule string) string {
	s := verbs.ReplaceAllString(strings.ToLower(strings.TrimPrefix(rule, "%s ")), " x ")
	return "rule." + strings.Trim(nonWord.ReplaceAllString(s, "_"), "_")
}

// FieldMessage is the message of fe in lang.
func FieldMessage(lang string, fe mesh.FieldError) string {
	if lang == Default && fe.Message != "" {
		return fe.Message
	}
	if fe.Rule != "" {
		if key := RuleKey(fe.Rule); Has(Default, key) {
			return T(lang, key, fe.Args...)
		}
	}
	if leaf := fieldLeaf(fe.Field); leaf != "" {
		if key := "err." + leaf + "." + fe.Code; Has(Default, key) {
			return T(lang, key)
		}
	}
	if fe.Field == "" {
		return ErrorMessage(lang, fe.Code, fe.Message)
	}
	if key := "api.err." + strings.ToUpper(fe.Code); Has(Default, key) {
		return T(lang, key, fe.Field)
	}
	return T(lang, "api.err.INVALID", fe.Field)
}

// ErrorMessage is the message in lang of an error with no field: the catalog's
// api.error.<code>, else message (English) as it is.
func ErrorMessage(lang, code, message string) string {
	if lang == Default && message != "" {
		return message
	}
	if key := "api.error." + strings.ToLower(code); Has(Default, key) {
		return T(lang, key)
	}
	if message == "" {
		return T(lang, "api.error.internal")
	}
	return message
}

// fieldLeaf is the last part of a dotted field path without an index:
// "[3].measurements.length_cm" → length_cm, "$" → "".
func fieldLeaf(field string) string {
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		field = field[i+1:]
	}
	if i := strings.IndexByte(field, '['); i >= 0 {
		field = field[:i]
	}
	if field == "$" {
		return ""
	}
	return field
}

// Localize returns fields with each message in lang (a new slice; codes and fields
// unchanged).
func Localize(lang string, fields []mesh.FieldError) []mesh.FieldError {
	out := make([]mesh.FieldError, len(fields))
	for i, fe := range fields {
		out[i] = fe
		out[i].Message = FieldMessage(lang, fe)
	}
	return out
}
