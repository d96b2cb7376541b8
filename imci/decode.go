package imci

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"mesh"
)

// Validation error codes (spec §11).
const (
	ErrMalformedJSON      = "MALFORMED_JSON"
	ErrMissingRequired    = "MISSING_REQUIRED"
	ErrUnsupportedVersion = "UNSUPPORTED_SCHEMA_VERSION"
	ErrConflictingFields  = "CONFLICTING_FIELDS"
	ErrOutOfRange         = "OUT_OF_RANGE"
	ErrWrongType          = "WRONG_TYPE"
	ErrUnknownEnumValue   = "UNKNOWN_ENUM_VALUE"
	ErrUnknownField       = "UNKNOWN_FIELD"
	ErrFieldNotApplicable = "FIELD_NOT_APPLICABLE"
)

// SchemaVersion is the only input schema version this engine reads.
const SchemaVersion = "1.0"

// Decode parses one input object strictly and reports every error found. It does not
// stop at the first error (encoding/json would), because a mentor fixing a form wants
// the whole list at once.
func Decode(data []byte) (Input, []mesh.FieldError) {
	v, err := parseJSON(data)
	if err != nil {
		return Input{}, []mesh.FieldError{malformed(err)}
	}
	return decodeValue(v, "")
}

// parseJSON reads exactly one JSON value, numbers kept exact, and rejects trailing data.
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

func malformed(err error) mesh.FieldError {
	return mesh.FieldError{Code: ErrMalformedJSON, Field: "$", Message: "body is not valid JSON: " + err.Error()}
}

// decodeValue validates one already-parsed input object; prefix ("[3]") is put before
// every field path.
func decodeValue(v any, prefix string) (Input, []mesh.FieldError) {
	r := &reader{prefix: prefix}
	m, ok := v.(map[string]any)
	if !ok {
		field := prefix
		if field == "" {
			field = "$"
		}
		return Input{}, []mesh.FieldError{{Code: ErrWrongType, Field: field, Message: field + " must be a JSON object"}}
	}
	in := r.input(m)
	r.crossCheck(&in, m)
	r.sortErrors()
	if len(r.errs) > 0 {
		return Input{}, r.errs
	}
	in.validated = true
	return in, nil
}

// reader walks the generic JSON value against the schema, filling Input and
// collecting errors.
type reader struct {
	prefix string
	errs   []mesh.FieldError
}

func (r *reader) path(p string) string {
	if r.prefix == "" {
		return p
	}
	return r.prefix + "." + p
}

func (r *reader) add(code, field, format string, args ...any) {
	f := r.path(field)
	for _, e := range r.errs {
		if e.Field == f {
			return // one error per field: the first is the most specific
		}
	}
	// The rule is kept with the field as its first argument, so the message can be
	// said in another language (mesh.RuleError).
	r.errs = append(r.errs, mesh.RuleError(code, f, "%s "+format, append([]any{f}, args...)...))
}

// sortErrors orders errors by field so the output is deterministic whatever the key order.
func (r *reader) sortErrors() {
	sort.SliceStable(r.errs, func(i, j int) bool { return r.errs[i].Field < r.errs[j].Field })
}

// obj reads one JSON object; every getter marks its key as known.
type obj struct {
	r     *reader
	path  string
	m     map[string]any
	known []string
}

func (r *reader) object(path string, m map[string]any) *obj {
	return &obj{r: r, path: path, m: m}
}

func (o *obj) key(k string) string {
	if k == "" {
		k = `""` // an empty key still needs a visible path
	}
	if o.path == "" {
		return k
	}
	return o.path + "." + k
}

// done reports every key the schema does not know.
func (o *obj) done() {
	var unknown []string
	for k := range o.m {
		if !slices.Contains(o.known, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		o.r.add(ErrUnknownField, o.key(k), "is not a field of the IMCI input schema")
	}
}

// Flags for a getter: req = must be present and non-null; null = null allowed.
const (
	optional = 0
	req      = 1
	nullOK   = 2
)

// get returns the raw value of k, or ok=false when it is absent or an allowed null
// (having reported missing or forbidden nulls).
func (o *obj) get(k string, flags int) (any, bool) {
	o.known = append(o.known, k)
	v, present := o.m[k]
	switch {
	case !present:
		if flags&req != 0 {
			o.r.add(ErrMissingRequired, o.key(k), "is required")
		}
		return nil, false
	case v == nil && flags&req != 0:
		o.r.add(ErrMissingRequired, o.key(k), "is required and must not be null")
		return nil, false
	case v == nil && flags&nullOK == 0:
		o.r.add(ErrWrongType, o.key(k), "must not be null")
		return nil, false
	case v == nil:
		return nil, false
	}
	return v, true
}

func (o *obj) boolean(k string, flags int) *bool {
	v, ok := o.get(k, flags)
	if !ok {
		return nil
	}
	b, isBool := v.(bool)
	if !isBool {
		o.r.add(ErrWrongType, o.key(k), "must be true or false (a JSON boolean)")
		return nil
	}
	return &b
}

func (o *obj) sign(k string) *bool { return o.boolean(k, nullOK) }

// number reads a JSON number in [lo, hi] (hi exclusive when hiOpen).
func (o *obj) number(k string, flags int, lo, hi float64, hiOpen bool) *float64 {
	v, ok := o.get(k, flags)
	if !ok {
		return nil
	}
	n, isNum := v.(json.Number)
	if !isNum {
		o.r.add(ErrWrongType, o.key(k), "must be a number")
		return nil
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || f < lo || f > hi || (hiOpen && f >= hi) {
		if hiOpen {
			o.r.add(ErrOutOfRange, o.key(k), "must be between %s and below %s", fmtNum(lo), fmtNum(hi))
		} else {
			o.r.add(ErrOutOfRange, o.key(k), "must be between %s and %s", fmtNum(lo), fmtNum(hi))
		}
		return nil
	}
	return &f
}

// integer reads a JSON number with no fractional part in [lo, hi].
func (o *obj) integer(k string, flags int, lo, hi int) *int {
	v, ok := o.get(k, flags)
	if !ok {
		return nil
	}
	n, isNum := v.(json.Number)
	if !isNum {
		o.r.add(ErrWrongType, o.key(k), "must be an integer")
		return nil
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err == nil && f != math.Trunc(f) {
		o.r.add(ErrWrongType, o.key(k), "must be an integer, not %s", string(n))
		return nil
	}
	if err != nil || f < float64(lo) || f > float64(hi) {
		o.r.add(ErrOutOfRange, o.key(k), "must be an integer between %d and %d", lo, hi)
		return nil
	}
	i := int(f)
	return &i
}

// enum reads a string from a closed vocabulary; "" is returned for absent or null.
func (o *obj) enum(k string, flags int, allowed []string) string {
	v, ok := o.get(k, flags)
	if !ok {
		return ""
	}
	s, isStr := v.(string)
	if !isStr {
		o.r.add(ErrWrongType, o.key(k), "must be a string, one of: %s", strings.Join(allowed, ", "))
		return ""
	}
	if !slices.Contains(allowed, s) {
		o.r.add(ErrUnknownEnumValue, o.key(k), "must be one of: %s (got %q)", strings.Join(allowed, ", "), s)
		return ""
	}
	return s
}

// child reads a nested object; ok is false when absent, null-allowed or wrong.
func (o *obj) child(k string, flags int) (*obj, bool) {
	v, ok := o.get(k, flags)
	if !ok {
		return nil, false
	}
	m, isObj := v.(map[string]any)
	if !isObj {
		o.r.add(ErrWrongType, o.key(k), "must be a JSON object")
		return nil, false
	}
	return o.r.object(o.key(k), m), true
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// input reads the top-level object (spec §3.2).
func (r *reader) input(m map[string]any) Input {
	o := r.object("", m)
	var in Input
	if v, ok := o.get("schema_version", req); ok {
		if s, isStr := v.(string); isStr && s == SchemaVersion {
			in.SchemaVersion = s
		} else {
			r.add(ErrUnsupportedVersion, "schema_version", "must be %q", SchemaVersion)
		}
	}
	if v, ok := o.get("case_id", nullOK); ok {
		if s, isStr := v.(string); !isStr {
			r.add(ErrWrongType, "case_id", "must be a string")
		} else if utf8.RuneCountInString(s) > 64 {
			r.add(ErrOutOfRange, "case_id", "must be at most 64 characters")
		} else {
			in.CaseID = &s
		}
	}
	in.AgeDays = o.integer("age_days", nullOK, 0, 1826)
	in.AgeMonths = o.number("age_months", nullOK, 0, 60, true)
	in.Sex = o.enum("sex", nullOK, enumSex)
	in.WeightKg = o.number("weight_kg", nullOK, 0.5, 40, false)
	in.TemperatureC = o.number("temperature_c", nullOK, 30, 45, false)
	in.TemperatureSite = o.enum("temperature_site", nullOK, enumTempSite)
	if s, ok := o.child("setting", req); ok {
		in.Setting = readSetting(s)
	}
	if c, ok := o.child("danger_signs", nullOK); ok {
		in.DangerSigns = readDangerSigns(c)
	}
	if c, ok := o.child("cough", nullOK); ok {
		in.Cough = readCough(c)
	}
	if c, ok := o.child("diarrhoea", nullOK); ok {
		in.Diarrhoea = readDiarrhoea(c, true)
	}
	if c, ok := o.child("fever", nullOK); ok {
		in.Fever = readFever(c)
	}
	if c, ok := o.child("ear", nullOK); ok {
		in.Ear = readEar(c)
	}
	if c, ok := o.child("nutrition", nullOK); ok {
		in.Nutrition = readNutrition(c)
	}
	if c, ok := o.child("anaemia", nullOK); ok {
		in.Anaemia = &Anaemia{PalmarPallor: c.enum("palmar_pallor", nullOK, enumPallor)}
		c.done()
	}
	if c, ok := o.child("hiv", nullOK); ok {
		in.HIV = readHIV(c)
	}
	if c, ok := o.child("preventive", nullOK); ok {
		in.Preventive = readPreventive(c)
	}
	if c, ok := o.child("young_infant", nullOK); ok {
		in.YoungInfant = readYoungInfant(c)
	}
	o.done()
	return in
}

func readSetting(o *obj) Setting {
	s := Setting{
		MalariaRisk:             o.enum("malaria_risk", req, enumMalariaRisk),
		HIVPrevalence:           o.enum("hiv_prevalence", optional, enumHIVPrevalence),
		CholeraInArea:           o.boolean("cholera_in_area", optional),
		YoungInfantEdition:      o.enum("young_infant_edition", optional, enumEdition),
		Amoxicillin3DaysLowHIV:  o.boolean("amoxicillin_3_days_low_hiv", optional),
		DewormingDrug:           o.enum("deworming_drug", optional, enumDeworming),
		PrereferralAntimalarial: o.enum("prereferral_antimalarial", optional, enumAntimalarial),
	}
	o.done()
	return s
}

func readDangerSigns(o *obj) *DangerSigns {
	d := &DangerSigns{
		NotAbleToDrinkOrBreastfeed: o.boolean("not_able_to_drink_or_breastfeed", req),
		VomitsEverything:           o.boolean("vomits_everything", req),
		ConvulsionsThisIllness:     o.boolean("convulsions_this_illness", req),
		LethargicOrUnconscious:     o.boolean("lethargic_or_unconscious", req),
		ConvulsingNow:              o.boolean("convulsing_now", req),
	}
	o.done()
	return d
}

func readCough(o *obj) *Cough {
	c := &Cough{
		Present:         o.boolean("present", req),
		DurationDays:    o.integer("duration_days", nullOK, 0, 365),
		RespiratoryRate: o.integer("respiratory_rate", nullOK, 0, 150),
		ChestIndrawing:  o.sign("chest_indrawing"),
		StridorWhenCalm: o.sign("stridor_when_calm"),
		Wheeze:          o.sign("wheeze"),
		RecurrentWheeze: o.sign("recurrent_wheeze"),
		SpO2Percent:     o.number("spo2_percent", nullOK, 30, 100, false),
	}
	if t, ok := o.child("bronchodilator_trial", nullOK); ok {
		c.BronchodilatorTrial = &BronchodilatorTrial{
			Done:                 t.boolean("done", req),
			RespiratoryRateAfter: t.integer("respiratory_rate_after", nullOK, 0, 150),
			ChestIndrawingAfter:  t.sign("chest_indrawing_after"),
			WheezeAfter:          t.sign("wheeze_after"),
		}
		t.done()
	}
	o.done()
	return c
}

// readDiarrhoea reads the child block, or the young infant's (no drinking) when !child.
func readDiarrhoea(o *obj, child bool) *Diarrhoea {
	d := &Diarrhoea{
		Present:           o.boolean("present", req),
		DurationDays:      o.integer("duration_days", nullOK, 0, 365),
		BloodInStool:      o.sign("blood_in_stool"),
		RestlessIrritable: o.sign("restless_irritable"),
		SunkenEyes:        o.sign("sunken_eyes"),
		SkinPinch:         o.enum("skin_pinch", nullOK, enumSkinPinch),
	}
	if child {
		d.Drinking = o.enum("drinking", nullOK, enumDrinking)
	}
	o.done()
	return d
}

func readFever(o *obj) *Fever {
	f := &Fever{
		Reported:                      o.boolean("reported", req),
		DurationDays:                  o.integer("duration_days", nullOK, 0, 365),
		PresentEveryDay:               o.sign("present_every_day"),
		StiffNeck:                     o.sign("stiff_neck"),
		TravelToMalariaAreaLast15Days: o.sign("travel_to_malaria_area_last_15_days"),
		MalariaTest:                   o.enum("malaria_test", nullOK, enumMalariaTest),
		RunnyNose:                     o.sign("runny_nose"),
		OtherObviousCause:             o.sign("other_obvious_cause"),
		GeneralizedRash:               o.sign("generalized_rash"),
		RedEyes:                       o.sign("red_eyes"),
		MeaslesLast3Months:            o.sign("measles_last_3_months"),
		MouthUlcers:                   o.enum("mouth_ulcers", nullOK, enumMouthUlcers),
		PusDrainingFromEye:            o.sign("pus_draining_from_eye"),
		CloudingOfCornea:              o.sign("clouding_of_cornea"),
	}
	o.done()
	return f
}

func readEar(o *obj) *Ear {
	e := &Ear{
		Present:                 o.boolean("present", req),
		EarPain:                 o.sign("ear_pain"),
		PusSeenDraining:         o.sign("pus_seen_draining"),
		DischargeDurationDays:   o.integer("discharge_duration_days", nullOK, 0, 365),
		TenderSwellingBehindEar: o.sign("tender_swelling_behind_ear"),
	}
	o.done()
	return e
}

func readNutrition(o *obj) *Nutrition {
	n := &Nutrition{
		OedemaBothFeet:       o.sign("oedema_both_feet"),
		MUACmm:               o.number("muac_mm", nullOK, 50, 250, false),
		WFHz:                 o.number("wfh_z", nullOK, -10, 10, false),
		AppetiteTest:         o.enum("appetite_test", nullOK, enumAppetite),
		FeedingProblem:       o.sign("feeding_problem"),
		BreastfeedingProblem: o.sign("breastfeeding_problem"),
		OnRUTF:               o.sign("on_rutf"),
	}
	o.done()
	return n
}

func readHIV(o *obj) *HIV {
	h := &HIV{
		MotherStatus:                    o.enum("mother_status", req, enumMother),
		ChildVirologicalTest:            o.enum("child_virological_test", req, enumChildTest),
		ChildSerologicalTest:            o.enum("child_serological_test", req, enumChildTest),
		BreastfedWithin6WeeksBeforeTest: o.sign("breastfed_within_6_weeks_before_test"),
	}
	o.done()
	return h
}

func readPreventive(o *obj) *Preventive {
	p := &Preventive{
		MonthsSinceLastVitaminA:  o.number("months_since_last_vitamin_a", nullOK, 0, 60, false),
		MonthsSinceLastDeworming: o.number("months_since_last_deworming", nullOK, 0, 60, false),
	}
	if v, ok := o.get("vaccines_received", optional); ok {
		p.VaccinesReceived = readVaccines(o, v)
	}
	o.done()
	return p
}

// readVaccines reads a unique array of vaccine codes; item paths end in [i].
func readVaccines(o *obj, v any) []string {
	field := o.key("vaccines_received")
	list, isList := v.([]any)
	if !isList {
		o.r.add(ErrWrongType, field, "must be an array of vaccine codes")
		return nil
	}
	out := make([]string, 0, len(list))
	for i, item := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		s, isStr := item.(string)
		switch {
		case !isStr:
			o.r.add(ErrWrongType, f, "must be a vaccine code string")
		case !slices.Contains(enumVaccines, s):
			o.r.add(ErrUnknownEnumValue, f, "must be one of: %s (got %q)", strings.Join(enumVaccines, ", "), s)
		case slices.Contains(out, s):
			o.r.add(ErrConflictingFields, f, "repeats %s; each vaccine is listed once", s)
		default:
			out = append(out, s)
		}
	}
	return out
}

func readYoungInfant(o *obj) *YoungInfant {
	y := &YoungInfant{
		NotFeedingWell:            o.boolean("not_feeding_well", req),
		Convulsions:               o.boolean("convulsions", req),
		RespiratoryRate:           o.integer("respiratory_rate", req, 0, 150),
		RespiratoryRateRepeat:     o.integer("respiratory_rate_repeat", nullOK, 0, 150),
		SevereChestIndrawing:      o.boolean("severe_chest_indrawing", req),
		Movement:                  o.enum("movement", req, enumMovement),
		UmbilicusRedOrDrainingPus: o.boolean("umbilicus_red_or_draining_pus", req),
		SkinPustules:              o.boolean("skin_pustules", req),
		Jaundice:                  o.sign("jaundice"),
		YellowPalmsAndSoles:       o.sign("yellow_palms_and_soles"),
	}
	if c, ok := o.child("diarrhoea", nullOK); ok {
		y.Diarrhoea = readDiarrhoea(c, false)
	}
	if c, ok := o.child("feeding", nullOK); ok {
		y.Feeding = &YIFeeding{
			Breastfed:                  c.boolean("breastfed", req),
			BreastfeedsPer24h:          c.integer("breastfeeds_per_24h", nullOK, 0, 48),
			ReceivesOtherFoodsOrDrinks: c.sign("receives_other_foods_or_drinks"),
			WAZ:                        c.number("waz", nullOK, -10, 10, false),
			LowWeightForAge:            c.sign("low_weight_for_age"),
			Thrush:                     c.sign("thrush"),
			WellAttached:               c.sign("well_attached"),
			SucklingEffectively:        c.sign("suckling_effectively"),
		}
		c.done()
	}
	o.done()
	return y
}
