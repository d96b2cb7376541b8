package observation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"mesh"
	"mesh/imci"
)

// Error codes of FieldError.Code: the engine's vocabulary (imci.md §11) plus
// INVALID_FORMAT for ids and times, as the visit package spells it.
const (
	ErrInvalidFormat = "INVALID_FORMAT"
)

// Limits on free text and numbers a mentor can type.
const (
	maxTextRunes     = 10000
	maxProtocolRunes = 64
	maxUnitRunes     = 64
)

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Decode parses one observation body strictly and reports every error found, each
// with a dotted path: unknown fields, wrong types, missing required fields, unknown
// task, classification or treatment codes, numbers out of range. The assessment is
// checked by imci.Decode and its paths are prefixed with "assessment.".
func Decode(body []byte) (Observation, []mesh.FieldError) {
	v, err := parseJSON(body)
	if err != nil {
		return Observation{}, []mesh.FieldError{{Code: imci.ErrMalformedJSON, Field: "$", Message: "body is not valid JSON: " + err.Error()}}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return Observation{}, []mesh.FieldError{{Code: imci.ErrWrongType, Field: "$", Message: "the body must be a JSON object"}}
	}
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(body, &raw) // cannot fail: body is one valid JSON object
	r := &reader{rawAssessment: raw["assessment"]}
	o := r.observation(&obj{r: r, m: m})
	sort.SliceStable(r.errs, func(i, j int) bool { return r.errs[i].Field < r.errs[j].Field })
	if len(r.errs) > 0 {
		return Observation{}, r.errs
	}
	o.decoded = r.decoded
	return o, nil
}

// parseJSON reads exactly one JSON value with exact numbers and no trailing data.
func parseJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return v, nil
}

// reader collects field errors while walking the parsed body; rawAssessment is the
// assessment's bytes exactly as sent.
type reader struct {
	errs          []mesh.FieldError
	rawAssessment json.RawMessage
	decoded       *decodedAssessment
}

func (r *reader) add(code, field, format string, args ...any) {
	for _, e := range r.errs {
		if e.Field == field {
			return // one error per field: the first is the most specific
		}
	}
	r.errs = append(r.errs, mesh.RuleError(code, field, "%s "+format, append([]any{field}, args...)...))
}

// obj is one JSON object being read; getters mark their keys as known.
type obj struct {
	r     *reader
	path  string
	m     map[string]any
	known []string
}

func (o *obj) key(k string) string {
	if o.path == "" {
		return k
	}
	return o.path + "." + k
}

// done reports every key no getter asked for.
func (o *obj) done() {
	var unknown []string
	for k := range o.m {
		if !slices.Contains(o.known, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		o.r.add(imci.ErrUnknownField, o.key(k), "is not a field of a case observation")
	}
}

// get returns k's value; ok is false when absent or null (reported when required).
func (o *obj) get(k string, required bool) (any, bool) {
	o.known = append(o.known, k)
	v, present := o.m[k]
	switch {
	case !present && required:
		o.r.add(imci.ErrMissingRequired, o.key(k), "is required")
	case v == nil && required:
		o.r.add(imci.ErrMissingRequired, o.key(k), "is required and must not be null")
	case v != nil:
		return v, true
	}
	return nil, false
}

func (o *obj) boolean(k string, required bool) bool {
	v, ok := o.get(k, required)
	if !ok {
		return false
	}
	b, isBool := v.(bool)
	if !isBool {
		o.r.add(imci.ErrWrongType, o.key(k), "must be true or false (a JSON boolean)")
	}
	return b
}

func (o *obj) str(k string, required bool, maxRunes int) string {
	v, ok := o.get(k, required)
	if !ok {
		return ""
	}
	s, isStr := v.(string)
	switch {
	case !isStr:
		o.r.add(imci.ErrWrongType, o.key(k), "must be a string")
	case utf8.RuneCountInString(s) > maxRunes:
		o.r.add(imci.ErrOutOfRange, o.key(k), "must be at most %d characters", maxRunes)
	case required && strings.TrimSpace(s) == "":
		o.r.add(imci.ErrMissingRequired, o.key(k), "must not be empty")
	default:
		return s
	}
	return ""
}

// number reads a finite JSON number in [lo, hi]; nil when absent, null or wrong.
func (o *obj) number(k string, required bool, lo, hi float64) *float64 {
	v, ok := o.get(k, required)
	if !ok {
		return nil
	}
	n, isNum := v.(json.Number)
	if !isNum {
		o.r.add(imci.ErrWrongType, o.key(k), "must be a number")
		return nil
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || f < lo || f > hi {
		o.r.add(imci.ErrOutOfRange, o.key(k), "must be between %s and %s", fmtNum(lo), fmtNum(hi))
		return nil
	}
	return &f
}

// integer reads a whole JSON number in [lo, hi].
func (o *obj) integer(k string, required bool, lo, hi int64) *int64 {
	f := o.number(k, required, math.Inf(-1), math.Inf(1))
	switch {
	case f == nil:
		return nil
	case *f != math.Trunc(*f):
		o.r.add(imci.ErrWrongType, o.key(k), "must be a whole number")
		return nil
	case *f < float64(lo) || *f > float64(hi):
		o.r.add(imci.ErrOutOfRange, o.key(k), "must be a whole number between %d and %d", lo, hi)
		return nil
	}
	i := int64(*f)
	return &i
}

func (o *obj) intPtr(k string, lo, hi int64) *int {
	i := o.integer(k, false, lo, hi)
	if i == nil {
		return nil
	}
	n := int(*i)
	return &n
}

// child reads a nested object.
func (o *obj) child(k string, required bool) (*obj, bool) {
	v, ok := o.get(k, required)
	if !ok {
		return nil, false
	}
	m, isObj := v.(map[string]any)
	if !isObj {
		o.r.add(imci.ErrWrongType, o.key(k), "must be a JSON object")
		return nil, false
	}
	return &obj{r: o.r, path: o.key(k), m: m}, true
}

// list reads a JSON array.
func (o *obj) list(k string, required bool) ([]any, bool) {
	v, ok := o.get(k, required)
	if !ok {
		return nil, false
	}
	l, isList := v.([]any)
	if !isList {
		o.r.add(imci.ErrWrongType, o.key(k), "must be a JSON array")
	}
	return l, isList
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// observation reads the top-level object.
func (r *reader) observation(o *obj) Observation {
	var ob Observation
	if id := o.str("id", false, 36); id != "" {
		ob.ID = r.uuid(o.key("id"), id)
	}
	if id := o.str("visit_id", true, 36); id != "" {
		ob.VisitID = r.uuid("visit_id", id)
	}
	if id := o.integer("health_worker_id", true, 1, 1<<53); id != nil {
		ob.HealthWorkerID = *id
	}
	if s := o.str("observed_at", true, 64); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			r.add(ErrInvalidFormat, "observed_at", "must be a time like 2026-03-14T09:30:00+02:00 (RFC 3339)")
		}
		ob.ObservedAt = t
	}
	ob.Protocol = o.str("protocol", true, maxProtocolRunes)
	ob.RecordingFormUsed = o.boolean("recording_form_used", true)
	ob.Assessment = r.assessment(o)
	if m, ok := o.child("measurements", false); ok {
		ob.Measurements = readMeasurements(m)
	}
	if w, ok := o.child("worker", true); ok {
		ob.Worker = readWorker(w)
	}
	ob.Notes = o.str("notes", false, maxTextRunes)
	ob.NextSteps = o.str("next_steps", false, maxTextRunes)
	o.done()
	return ob
}

func (r *reader) uuid(field, s string) string {
	if !uuidRE.MatchString(s) {
		r.add(ErrInvalidFormat, field, "must be a UUID, e.g. 0190c1a2-7b3c-7d4e-8f90-123456789abc")
		return ""
	}
	return strings.ToLower(s)
}

// assessment validates the IMCI input with the engine's own decoder and keeps the
// raw bytes as sent.
func (r *reader) assessment(o *obj) json.RawMessage {
	if _, ok := o.get("assessment", true); !ok {
		return nil
	}
	raw := slices.Clone(r.rawAssessment)
	in, errs := imci.Decode(raw)
	if len(errs) > 0 {
		for _, e := range errs {
			r.errs = append(r.errs, prefixed(e))
		}
		return nil
	}
	r.decoded = &decodedAssessment{raw: raw, in: in}
	return raw
}

// prefixed moves an engine error under "assessment.".
func prefixed(e mesh.FieldError) mesh.FieldError {
	field := "assessment"
	if e.Field != "$" && e.Field != "" {
		field += "." + e.Field
	}
	msg := e.Message
	if strings.HasPrefix(msg, e.Field+" ") {
		msg = field + strings.TrimPrefix(msg, e.Field)
	} else {
		msg = field + ": " + msg
	}
	return mesh.FieldError{Code: e.Code, Field: field, Message: msg}
}

func readMeasurements(o *obj) *Measurements {
	m := &Measurements{}
	if l := o.number("length_cm", true, 30, 130); l != nil {
		m.LengthCm = *l
	}
	m.Measured = o.str("measured", true, 16)
	if m.Measured != "" && m.Measured != "lying" && m.Measured != "standing" {
		o.r.add(imci.ErrUnknownEnumValue, o.key("measured"), "must be one of: lying, standing (got %q)", m.Measured)
	}
	o.done()
	return m
}

func readWorker(o *obj) WorkerActions {
	w := WorkerActions{Tasks: map[string]bool{}, Classifications: []string{}, Treatments: []WorkerTreatment{}}
	if t, ok := o.child("tasks", true); ok {
		w.Tasks = readTasks(t)
	}
	if l, ok := o.list("classifications", true); ok {
		w.Classifications = readClassifications(o, l)
	}
	if l, ok := o.list("treatments", true); ok {
		w.Treatments = readTreatments(o, l)
	}
	w.Referred = o.boolean("referred", true)
	w.FollowUpDays = o.intPtr("follow_up_days", 0, 90)
	if c, ok := o.child("counselling", true); ok {
		w.Counselling = readCounselling(c)
	}
	o.done()
	return w
}

// readTasks reads {code: bool}; an unknown code is an error, not silently dropped.
func readTasks(o *obj) map[string]bool {
	out := map[string]bool{}
	keys := make([]string, 0, len(o.m))
	for k := range o.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		o.known = append(o.known, k)
		if !IsTask(k) {
			o.r.add(imci.ErrUnknownEnumValue, o.key(k), "is not an assessment task code (observation.md §2)")
			continue
		}
		b, isBool := o.m[k].(bool)
		if !isBool {
			o.r.add(imci.ErrWrongType, o.key(k), "must be true or false (a JSON boolean)")
			continue
		}
		out[k] = b
	}
	return out
}

func readClassifications(o *obj, l []any) []string {
	field := o.key("classifications")
	out := make([]string, 0, len(l))
	for i, item := range l {
		f := fmt.Sprintf("%s[%d]", field, i)
		s, isStr := item.(string)
		_, _, known := imci.ClassificationInfo(s)
		switch {
		case !isStr:
			o.r.add(imci.ErrWrongType, f, "must be a classification code string")
		case !known:
			o.r.add(imci.ErrUnknownEnumValue, f, "is not a classification code of the engine (got %q)", s)
		case slices.Contains(out, s):
			o.r.add(imci.ErrConflictingFields, f, "repeats %s; list each classification once", s)
		default:
			out = append(out, s)
		}
	}
	return out
}

func readTreatments(o *obj, l []any) []WorkerTreatment {
	field := o.key("treatments")
	out := make([]WorkerTreatment, 0, len(l))
	var seen []string
	for i, item := range l {
		f := fmt.Sprintf("%s[%d]", field, i)
		m, isObj := item.(map[string]any)
		if !isObj {
			o.r.add(imci.ErrWrongType, f, "must be a JSON object")
			continue
		}
		t := readTreatment(&obj{r: o.r, path: f, m: m})
		if t.Code != "" && slices.Contains(seen, t.Code) {
			o.r.add(imci.ErrConflictingFields, f+".code", "repeats %s; give each treatment once", t.Code)
			continue
		}
		seen = append(seen, t.Code)
		out = append(out, t)
	}
	return out
}

func readTreatment(o *obj) WorkerTreatment {
	var t WorkerTreatment
	if c := o.str("code", true, 64); c != "" {
		if slices.Contains(imci.TreatmentCodes(), c) {
			t.Code = c
		} else {
			o.r.add(imci.ErrUnknownEnumValue, o.key("code"), "is not a treatment code of the engine (got %q)", c)
		}
	}
	t.UnitsPerDose = o.number("units_per_dose", false, 0, 100)
	t.Unit = o.str("unit", false, maxUnitRunes)
	t.FrequencyPerDay = o.intPtr("frequency_per_day", 1, 24)
	t.DurationDays = o.intPtr("duration_days", 0, 365)
	t.DoseMg = o.number("dose_mg", false, 0, 10000)
	t.DoseMl = o.number("dose_ml", false, 0, 5000)
	o.done()
	return t
}

func readCounselling(o *obj) Counselling {
	c := Counselling{
		AdvisedWhenToReturnImmediately: o.boolean("advised_when_to_return_immediately", true),
		TaughtHowToGiveOralDrugs:       o.boolean("taught_how_to_give_oral_drugs", true),
		FirstDoseGivenAtFacility:       o.boolean("first_dose_given_at_facility", true),
		FeedingCounselled:              o.boolean("feeding_counselled", true),
		FluidsAndFeedingAdvised:        o.boolean("fluids_and_feeding_advised", true),
	}
	o.done()
	return c
}
