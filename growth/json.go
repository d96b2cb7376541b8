package growth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"mesh"
)

// Validation error codes, shared with the IMCI contract (shared/spec/imci.md §11).
const (
	CodeMalformedJSON    = "MALFORMED_JSON"
	CodeMissingRequired  = "MISSING_REQUIRED"
	CodeWrongType        = "WRONG_TYPE"
	CodeOutOfRange       = "OUT_OF_RANGE"
	CodeUnknownEnumValue = "UNKNOWN_ENUM_VALUE"
	CodeUnknownField     = "UNKNOWN_FIELD"
)

// Plausibility limits of the input. They reject typing errors, not unusual children:
// anything inside them gets a z-score (or null) exactly as anthro would give.
var (
	weightRange = [2]float64{0.1, 100} // kg
	lengthRange = [2]float64{20, 200}  // cm
	muacRange   = [2]float64{50, 250}  // mm, as in the IMCI input
)

// fields of one input element; the value says whether it is required.
var knownFields = map[string]bool{
	"sex": true, "age_days": true, "weight_kg": false, "length_cm": false,
	"measured": false, "oedema": false, "muac_mm": false,
}

// ZScoresJSON answers `mesh growth zscores`: body is a JSON array of
// {sex, age_days, weight_kg?, length_cm?, measured?, oedema?, muac_mm?} and out the
// array of {wfa_z, lhfa_z, wfh_z, muac_z}. On bad input out is nil and errs lists every
// problem found, each field prefixed by the element index ("[3].weight_kg").
func ZScoresJSON(body []byte) (out []byte, errs []mesh.FieldError) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil || dec.More() || trailing(dec) {
		return nil, []mesh.FieldError{{Code: CodeMalformedJSON, Field: "$", Message: "body is not valid JSON"}}
	}
	items, ok := doc.([]any)
	if !ok {
		return nil, []mesh.FieldError{{Code: CodeWrongType, Field: "$", Message: "body must be a JSON array of measurements"}}
	}
	ms := make([]Measurement, len(items))
	for i, it := range items {
		v := validator{prefix: fmt.Sprintf("[%d]", i)}
		ms[i] = v.measurement(it)
		errs = append(errs, v.errs...)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	zs := make([]ZScores, len(ms))
	for i, m := range ms {
		zs[i] = Compute(m)
	}
	out, err := json.Marshal(zs)
	if err != nil { // cannot happen: ZScores holds only finite numbers
		return nil, []mesh.FieldError{{Code: CodeMalformedJSON, Field: "$", Message: err.Error()}}
	}
	return out, nil
}

// trailing reports whether anything but white space follows the first JSON value.
func trailing(dec *json.Decoder) bool {
	_, err := dec.Token()
	return err == nil
}

// validator collects the errors of one array element.
type validator struct {
	prefix string
	errs   []mesh.FieldError
}

func (v *validator) add(code, field, format string, args ...any) {
	path := v.prefix
	if field != "" {
		path += "." + field
	}
	v.errs = append(v.errs, mesh.RuleError(code, path, format, args...))
}

// measurement checks one element and converts it; the result is only used when no
// error was added.
func (v *validator) measurement(it any) Measurement {
	obj, ok := it.(map[string]any)
	if !ok {
		v.add(CodeWrongType, "", "each measurement must be a JSON object")
		return Measurement{}
	}
	v.unknownFields(obj)
	var m Measurement
	m.Sex = v.enum(obj, "sex", true, Male, Female)
	if age, ok := v.number(obj, "age_days", true); ok {
		m.AgeDays = v.ageDays(age)
	}
	m.WeightKg = v.ranged(obj, "weight_kg", weightRange)
	m.LengthCm = v.ranged(obj, "length_cm", lengthRange)
	m.MuacMm = v.ranged(obj, "muac_mm", muacRange)
	m.Measured = v.enum(obj, "measured", m.LengthCm != nil, Lying, Standing)
	m.Oedema = v.boolean(obj, "oedema")
	return m
}

// unknownFields reports keys outside the contract, in a stable order.
func (v *validator) unknownFields(obj map[string]any) {
	var bad []string
	for k := range obj {
		if _, ok := knownFields[k]; !ok {
			bad = append(bad, k)
		}
	}
	sort.Strings(bad)
	for _, k := range bad {
		v.add(CodeUnknownField, k, "unknown field %q", k)
	}
}

// enum reads a string field that must be one of allowed; null counts as absent.
func (v *validator) enum(obj map[string]any, key string, required bool, allowed ...string) string {
	raw, present := obj[key]
	if !present || raw == nil {
		if required {
			v.add(CodeMissingRequired, key, "%s is required", key)
		}
		return ""
	}
	s, ok := raw.(string)
	if !ok {
		v.add(CodeWrongType, key, "%s must be a string", key)
		return ""
	}
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	v.add(CodeUnknownEnumValue, key, "%s must be one of %q", key, allowed)
	return ""
}

// number reads a numeric field; null counts as absent.
func (v *validator) number(obj map[string]any, key string, required bool) (float64, bool) {
	raw, present := obj[key]
	if !present || raw == nil {
		if required {
			v.add(CodeMissingRequired, key, "%s is required", key)
		}
		return 0, false
	}
	n, ok := raw.(json.Number)
	if !ok {
		v.add(CodeWrongType, key, "%s must be a number", key)
		return 0, false
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) {
		v.add(CodeOutOfRange, key, "%s is too large", key)
		return 0, false
	}
	return f, true
}

// ageDays checks a whole number of days within the standards (0–1826).
func (v *validator) ageDays(age float64) int {
	switch {
	case age != math.Trunc(age):
		v.add(CodeWrongType, "age_days", "age_days must be a whole number of days")
	case age < 0 || age > MaxAgeDays:
		v.add(CodeOutOfRange, "age_days", "age_days must be 0–%d (the WHO standards end before 60 months)", MaxAgeDays)
	default:
		return int(age)
	}
	return 0
}

// ranged reads an optional number that must lie within r.
func (v *validator) ranged(obj map[string]any, key string, r [2]float64) *float64 {
	f, ok := v.number(obj, key, false)
	if !ok {
		return nil
	}
	if f < r[0] || f > r[1] {
		v.add(CodeOutOfRange, key, "%s must be %g–%g", key, r[0], r[1])
		return nil
	}
	return &f
}

// boolean reads an optional JSON boolean; null or absent is false.
func (v *validator) boolean(obj map[string]any, key string) bool {
	raw, present := obj[key]
	if !present || raw == nil {
		return false
	}
	b, ok := raw.(bool)
	if !ok {
		v.add(CodeWrongType, key, "%s must be true or false", key)
	}
	return b
}
