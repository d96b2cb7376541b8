package web

import (
	"encoding/json"
	"math"
	"net/url"
	"strconv"
	"strings"

	"mesh"
	"mesh/imci"
)

// The IMCI form is described once, here, as data: the check page draws it with the
// "imci_form" partial and formToInput reads it back with the same table, so a field
// cannot be drawn without being read (the case-observation form reuses both).
//
// Naming scheme: every form field is named by its dotted path in the engine's input
// (spec/imci.md §3), e.g. "cough.respiratory_rate", "young_infant.diarrhoea.skin_pinch",
// so the engine's errors come back on the field that caused them. Two exceptions: the
// age is "age" with "age_unit" (days|months), sent as age_days or age_months; and
// "preventive.vaccines_received" repeats, one value per ticked vaccine.

// fieldKind is how a field is drawn and converted.
type fieldKind int

const (
	// kindTri is a sign: "yes" → true, "no" → false, "" (not checked) → omitted.
	kindTri fieldKind = iota
	// kindInt and kindNumber are number inputs; the engine checks whole numbers and ranges.
	kindInt
	kindNumber
	// kindEnum is one of Options; "" is not checked.
	kindEnum
	// kindMulti is a set of ticked Options (vaccines).
	kindMulti
	// kindAge is the age value with its unit select.
	kindAge
)

// imciField is one input of the form.
type imciField struct {
	Path     string
	Kind     fieldKind
	Min, Max float64 // ranges of spec §3.3, shown as min/max and in the error message
	Step     string  // for number inputs: "1" or "any"
	Options  []string
}

// Age groups a section applies to.
const (
	groupCommon      = "common"
	groupChild       = "child"
	groupYoungInfant = "young_infant"
)

// blockMode says when a section's JSON object is sent.
type blockMode int

const (
	// blockNone: the fields are top-level values, not an object.
	blockNone blockMode = iota
	// blockAlways: the object is always sent for its group (danger_signs, young_infant),
	// so a sign not checked comes back as MISSING_REQUIRED beside its field.
	blockAlways
	// blockGated: sent only when the Gate sign was answered; with "no", only the gate
	// is sent (the symptom was asked about and is absent).
	blockGated
	// blockIfAny: sent only when one of its fields was filled in.
	blockIfAny
)

// imciSection is one box of the form: a fieldset with its legend.
type imciSection struct {
	ID     string // also the message key suffix imci.section.<ID>
	Group  string
	Block  string // JSON path of the object, "" for top-level fields
	Mode   blockMode
	Gate   string // for blockGated: the "present" sign whose yes shows the questions
	ShowIf string // a sign of an enclosing block that must be yes (bronchodilator trial)
	Fields []imciField
}

func tri(path string) imciField { return imciField{Path: path, Kind: kindTri} }
func whole(path string, lo, hi float64) imciField {
	return imciField{Path: path, Kind: kindInt, Min: lo, Max: hi, Step: "1"}
}
func number(path string, lo, hi float64) imciField {
	return imciField{Path: path, Kind: kindNumber, Min: lo, Max: hi, Step: "any"}
}
func enum(path string, options ...string) imciField {
	return imciField{Path: path, Kind: kindEnum, Options: options}
}

// imciSections is the whole form, in the chart booklet's order.
var imciSections = []imciSection{
	{ID: "child", Group: groupCommon, Fields: []imciField{
		{Path: "age", Kind: kindAge, Min: 0, Max: 1826, Step: "any"},
		enum("sex", "female", "male"),
		number("weight_kg", 0.5, 40),
		number("temperature_c", 30, 45),
		enum("temperature_site", "axillary", "rectal"),
	}},
	{ID: "setting", Group: groupCommon, Block: "setting", Mode: blockAlways, Fields: []imciField{
		enum("setting.malaria_risk", "high", "low", "none"),
	}},
	{ID: "danger_signs", Group: groupChild, Block: "danger_signs", Mode: blockAlways, Fields: []imciField{
		tri("danger_signs.not_able_to_drink_or_breastfeed"), tri("danger_signs.vomits_everything"),
		tri("danger_signs.convulsions_this_illness"), tri("danger_signs.lethargic_or_unconscious"),
		tri("danger_signs.convulsing_now"),
	}},
	{ID: "cough", Group: groupChild, Block: "cough", Mode: blockGated, Gate: "cough.present", Fields: []imciField{
		tri("cough.present"), whole("cough.duration_days", 0, 365), whole("cough.respiratory_rate", 0, 150),
		tri("cough.chest_indrawing"), tri("cough.stridor_when_calm"), tri("cough.wheeze"), tri("cough.recurrent_wheeze"),
		number("cough.spo2_percent", 30, 100),
	}},
	{ID: "bronchodilator_trial", Group: groupChild, Block: "cough.bronchodilator_trial", Mode: blockIfAny, ShowIf: "cough.present", Fields: []imciField{
		tri("cough.bronchodilator_trial.done"), whole("cough.bronchodilator_trial.respiratory_rate_after", 0, 150),
		tri("cough.bronchodilator_trial.chest_indrawing_after"), tri("cough.bronchodilator_trial.wheeze_after"),
	}},
	{ID: "diarrhoea", Group: groupChild, Block: "diarrhoea", Mode: blockGated, Gate: "diarrhoea.present", Fields: []imciField{
		tri("diarrhoea.present"), whole("diarrhoea.duration_days", 0, 365), tri("diarrhoea.blood_in_stool"),
		tri("diarrhoea.restless_irritable"), tri("diarrhoea.sunken_eyes"),
		enum("diarrhoea.drinking", "not_able_or_drinks_poorly", "drinks_eagerly_thirsty", "drinks_normally"),
		enum("diarrhoea.skin_pinch", "very_slowly", "slowly", "immediately"),
	}},
	{ID: "fever", Group: groupChild, Block: "fever", Mode: blockGated, Gate: "fever.reported", Fields: []imciField{
		tri("fever.reported"), whole("fever.duration_days", 0, 365), tri("fever.present_every_day"), tri("fever.stiff_neck"),
		tri("fever.travel_to_malaria_area_last_15_days"),
		enum("fever.malaria_test", "positive", "negative", "not_available", "not_done"),
		tri("fever.runny_nose"), tri("fever.other_obvious_cause"), tri("fever.generalized_rash"), tri("fever.red_eyes"),
		tri("fever.measles_last_3_months"), enum("fever.mouth_ulcers", "none", "present", "deep_or_extensive"),
		tri("fever.pus_draining_from_eye"), tri("fever.clouding_of_cornea"),
	}},
	{ID: "ear", Group: groupChild, Block: "ear", Mode: blockGated, Gate: "ear.present", Fields: []imciField{
		tri("ear.present"), tri("ear.ear_pain"), tri("ear.pus_seen_draining"), whole("ear.discharge_duration_days", 0, 365),
		tri("ear.tender_swelling_behind_ear"),
	}},
	{ID: "nutrition", Group: groupChild, Block: "nutrition", Mode: blockIfAny, Fields: []imciField{
		tri("nutrition.oedema_both_feet"), number("nutrition.muac_mm", 50, 250), number("nutrition.wfh_z", -10, 10),
		enum("nutrition.appetite_test", "passed", "failed", "not_done"), tri("nutrition.feeding_problem"),
		tri("nutrition.breastfeeding_problem"), tri("nutrition.on_rutf"),
	}},
	{ID: "anaemia", Group: groupChild, Block: "anaemia", Mode: blockIfAny, Fields: []imciField{
		enum("anaemia.palmar_pallor", "severe", "some", "none"),
	}},
	{ID: "young_infant", Group: groupYoungInfant, Block: "young_infant", Mode: blockAlways, Fields: []imciField{
		tri("young_infant.not_feeding_well"), tri("young_infant.convulsions"),
		whole("young_infant.respiratory_rate", 0, 150), whole("young_infant.respiratory_rate_repeat", 0, 150),
		tri("young_infant.severe_chest_indrawing"), enum("young_infant.movement", "normal", "only_when_stimulated", "none"),
		tri("young_infant.umbilicus_red_or_draining_pus"), tri("young_infant.skin_pustules"),
		tri("young_infant.jaundice"), tri("young_infant.yellow_palms_and_soles"),
	}},
	{ID: "yi_diarrhoea", Group: groupYoungInfant, Block: "young_infant.diarrhoea", Mode: blockGated, Gate: "young_infant.diarrhoea.present", Fields: []imciField{
		tri("young_infant.diarrhoea.present"), whole("young_infant.diarrhoea.duration_days", 0, 365),
		tri("young_infant.diarrhoea.blood_in_stool"), tri("young_infant.diarrhoea.restless_irritable"),
		tri("young_infant.diarrhoea.sunken_eyes"), enum("young_infant.diarrhoea.skin_pinch", "very_slowly", "slowly", "immediately"),
	}},
	{ID: "yi_feeding", Group: groupYoungInfant, Block: "young_infant.feeding", Mode: blockIfAny, Fields: []imciField{
		tri("young_infant.feeding.breastfed"), whole("young_infant.feeding.breastfeeds_per_24h", 0, 48),
		tri("young_infant.feeding.receives_other_foods_or_drinks"), number("young_infant.feeding.waz", -10, 10),
		tri("young_infant.feeding.low_weight_for_age"), tri("young_infant.feeding.thrush"),
		tri("young_infant.feeding.well_attached"), tri("young_infant.feeding.suckling_effectively"),
	}},
	{ID: "hiv", Group: groupCommon, Block: "hiv", Mode: blockIfAny, Fields: []imciField{
		enum("hiv.mother_status", "positive", "negative", "unknown"),
		enum("hiv.child_virological_test", "positive", "negative", "not_done"),
		enum("hiv.child_serological_test", "positive", "negative", "not_done"),
		tri("hiv.breastfed_within_6_weeks_before_test"),
	}},
	{ID: "preventive", Group: groupCommon, Block: "preventive", Mode: blockIfAny, Fields: []imciField{
		number("preventive.months_since_last_vitamin_a", 0, 60), number("preventive.months_since_last_deworming", 0, 60),
		{Path: "preventive.vaccines_received", Kind: kindMulti, Options: []string{"BCG", "OPV0", "HEPB0", "OPV1", "OPV2", "OPV3",
			"IPV", "PENTA1", "PENTA2", "PENTA3", "PCV1", "PCV2", "PCV3", "ROTA1", "ROTA2", "ROTA3", "MEASLES1", "MEASLES2"}},
	}},
}

// imciFieldByPath finds a field of the table, for error messages and tests.
func imciFieldByPath(path string) (imciField, bool) {
	for _, s := range imciSections {
		for _, f := range s.Fields {
			if f.Path == path {
				return f, true
			}
		}
	}
	return imciField{}, false
}

// Age units of the "age_unit" field.
const (
	ageUnitDays   = "days"
	ageUnitMonths = "months"
)

// formToInput builds the engine's input JSON (spec §3) from posted form values named
// by dotted input paths. Signs are tri-state ("yes" true, "no" false, "" omitted);
// numbers are passed on as JSON numbers for the engine to check (whole numbers,
// ranges); enumerations are passed on as text. Only the blocks of the child's age
// group are sent (both when the age is unknown, so every field is still checked).
//
// The JSON is always usable: a value that is not a number is left out and reported
// as WRONG_TYPE on its path, so the caller can classify the rest and show every
// problem at once.
func formToInput(v url.Values) (json.RawMessage, []mesh.FieldError) {
	c := converter{form: v, root: map[string]any{"schema_version": imci.SchemaVersion}}
	yi, known := c.age()
	for _, s := range imciSections {
		if known && (s.Group == groupChild && yi || s.Group == groupYoungInfant && !yi) {
			continue
		}
		c.section(s)
	}
	b, err := json.Marshal(c.root)
	if err != nil { // cannot happen: only maps, strings, bools and checked numbers
		return nil, append(c.errs, mesh.FieldError{Code: imci.ErrMalformedJSON, Field: "$", Message: err.Error()})
	}
	return b, c.errs
}

// converter holds one conversion in progress.
type converter struct {
	form url.Values
	root map[string]any
	errs []mesh.FieldError
}

func (c *converter) value(path string) string { return strings.TrimSpace(c.form.Get(path)) }

func (c *converter) fail(code, field, msg string) {
	c.errs = append(c.errs, mesh.FieldError{Code: code, Field: field, Message: field + " " + msg})
}

// age sets age_days or age_months and reports whether the child is a young infant
// (spec §2: under 60 days, or under 2 months); known is false when the age is unusable.
func (c *converter) age() (yi, known bool) {
	s := c.value("age")
	if s == "" {
		return false, false // the engine reports the missing age
	}
	n, ok := c.number("age", s)
	if !ok {
		return false, false
	}
	f, _ := strconv.ParseFloat(string(n), 64)
	unit := c.value("age_unit")
	if unit == "" {
		unit = imciDefaults["age_unit"] // as the form shows it
	}
	if unit == ageUnitMonths {
		c.root["age_months"] = n
		return f < 2, true
	}
	c.root["age_days"] = n
	return f <= 59, true
}

// number reads a decimal (a comma is accepted as the decimal mark, as French and
// Kinyarwanda keyboards type it) and returns it as a canonical JSON number.
func (c *converter) number(path, s string) (json.Number, bool) {
	f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || strings.ContainsAny(s, "xXpP_") {
		c.fail(imci.ErrWrongType, path, "must be a number")
		return "", false
	}
	return json.Number(strconv.FormatFloat(f, 'f', -1, 64)), true
}

// section adds one section's values, following its block mode.
func (c *converter) section(s imciSection) {
	if s.ShowIf != "" && c.value(s.ShowIf) != "yes" {
		return // the enclosing symptom is absent or not asked: its sub-questions do not apply
	}
	vals := map[string]any{}
	if s.Mode == blockGated {
		gate, _ := c.field(tri(s.Gate))
		switch gate {
		case nil:
			return // the symptom was not asked about: the engine reports the box incomplete
		case false:
			// Asked about and absent: its questions do not apply, whatever they hold.
			c.object(s.Block)
			c.set(s.Gate, false)
			return
		}
	}
	for _, f := range s.Fields {
		if v, ok := c.field(f); ok {
			vals[f.Path] = v
		}
	}
	if s.Mode == blockIfAny && len(vals) == 0 {
		return
	}
	if s.Block != "" {
		c.object(s.Block)
	}
	for path, v := range vals {
		c.set(path, v)
	}
}

// field converts one field; ok is false when it is empty or unreadable.
func (c *converter) field(f imciField) (any, bool) {
	if f.Kind == kindAge {
		return nil, false // read by age()
	}
	if f.Kind == kindMulti {
		var list []string
		for _, s := range c.form[f.Path] {
			if s = strings.TrimSpace(s); s != "" {
				list = append(list, s)
			}
		}
		return list, len(list) > 0
	}
	s := c.value(f.Path)
	if s == "" {
		return nil, false
	}
	switch f.Kind {
	case kindTri:
		switch s {
		case "yes":
			return true, true
		case "no":
			return false, true
		}
		c.fail(imci.ErrWrongType, f.Path, "must be yes, no or not checked")
		return nil, false
	case kindInt, kindNumber:
		n, ok := c.number(f.Path, s)
		return n, ok
	}
	return s, true
}

// object makes sure the object at a dotted path exists.
func (c *converter) object(path string) map[string]any {
	m := c.root
	for _, part := range strings.Split(path, ".") {
		next, ok := m[part].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[part] = next
		}
		m = next
	}
	return m
}

// set puts a value at a dotted path, creating the objects on the way.
func (c *converter) set(path string, v any) {
	i := strings.LastIndexByte(path, '.')
	if i < 0 {
		c.root[path] = v
		return
	}
	c.object(path[:i])[path[i+1:]] = v
}

// formField maps an engine error's field to the form field that shows it: the age
// paths all belong to the "age" input.
func formField(field string) string {
	switch field {
	case "age_days", "age_months":
		return "age"
	}
	return field
}
