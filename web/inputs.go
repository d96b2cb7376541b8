package web

import (
	"mesh/i18n"
)

// Input is what the "input", "select" and "check" partials draw: a labelled control
// with its error beside it. Label, Hint and Error are already translated.
type Input struct {
	Name, Label, Type, Value, Error, Hint, Autocomplete string
	Options                                             []Option
	Checked                                             bool
}

// Option is one choice of a select.
type Option struct {
	Value, Label string
}

func init() {
	funcs["input"] = input
	funcs["choice"] = choice
	funcs["check"] = check
	funcs["hint"] = withHint
	funcs["auto"] = withAutocomplete
}

// input describes a text-like input (text, password, date, number, search).
func input(lang string, f Form, name, labelKey, typ, value string) Input {
	return Input{Name: name, Label: i18n.T(lang, labelKey), Type: typ, Value: value, Error: f.Err(name)}
}

// choice describes a select.
func choice(lang string, f Form, name, labelKey, value string, options []Option) Input {
	return Input{Name: name, Label: i18n.T(lang, labelKey), Value: value, Error: f.Err(name), Options: options}
}

// check describes a checkbox.
func check(lang string, f Form, name, labelKey string, checked bool) Input {
	return Input{Name: name, Label: i18n.T(lang, labelKey), Type: "checkbox", Checked: checked, Error: f.Err(name)}
}

// withHint adds a translated hint under the label.
func withHint(lang, key string, in Input) Input {
	in.Hint = i18n.T(lang, key)
	return in
}

// withAutocomplete sets the autocomplete attribute (e.g. username, current-password).
func withAutocomplete(value string, in Input) Input {
	in.Autocomplete = value
	return in
}

// enumOptions makes options for fixed values whose labels are message keys
// prefix+value; blank adds a first empty choice with that label key.
func enumOptions(lang, prefix string, values []string, blank string) []Option {
	var out []Option
	if blank != "" {
		out = append(out, Option{Value: "", Label: i18n.T(lang, blank)})
	}
	for _, v := range values {
		out = append(out, Option{Value: v, Label: i18n.T(lang, prefix+v)})
	}
	return out
}

// tr translates key in lang (i18n.T, named short for handler code).
func tr(lang, key string, args ...any) string { return i18n.T(lang, key, args...) }
