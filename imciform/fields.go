// Package imciform turns the IMCI form's posted values into the engine's input and
// the case-observation JSON. It is pure Go (no net/http) so the server (package web)
// and the browser's WebAssembly build (cmd/meshwasm) run the very same conversion:
// an observation captured offline is built and scored exactly as the server would.
//
// The IMCI form is described once, here, as data: the check page draws it with the
// "imci_form" partial and ToInput reads it back with the same table, so a field
// cannot be drawn without being read (the case-observation form reuses both).
//
// Naming scheme: every form field is named by its dotted path in the engine's input
// (spec/imci.md §3), e.g. "cough.respiratory_rate", "young_infant.diarrhoea.skin_pinch",
// so the engine's errors come back on the field that caused them. Two exceptions: the
// age is "age" with "age_unit" (days|months), sent as age_days or age_months; and
// "preventive.vaccines_received" repeats, one value per ticked vaccine.
package imciform

import (
	"encoding/json"
	"math"
	"net/url"
	"strconv"
	"strings"

	"mesh"
	"mesh/imci"
)

// Defaults are the form's starting values: no sign is assumed.
var Defaults = map[string]string{"age_unit": AgeUnitMonths, "temperature_site": "axillary"}

// Kind is how a field is drawn and converted.
type Kind int

const (
	// KindTri is a sign: "yes" → true, "no" → false, "" (not checked) → omitted.
	KindTri Kind = iota
	// KindInt and KindNumber are number inputs; the engine checks whole numbers and ranges.
	KindInt
	KindNumber
	// KindEnum is one of Options; "" is not checked.
	KindEnum
	// KindMulti is a set of ticked Options (vaccines).
	KindMulti
	// KindAge is the age value with its unit select.
	KindAge
)

// Field is one input of the form.
type Field struct {
	Path     string
	Kind     Kind
	Min, Max float64 // ranges of spec §3.3, shown as min/max and in the error message
	Step     string  // for number inputs: "1" or "any"
	Options  []string
}

// Age groups a section applies to.
const (
	GroupCommon      = "common"
	GroupChild       = "child"
	GroupYoungInfant = "young_infant"
)

// BlockMode says when a section's JSON object is sent.
type BlockMode int

const (
	// BlockNone: the fields are top-level values, not an object.
	BlockNone BlockMode = iota
	// BlockAlways: the object is always sent for its group (danger_signs, young_infant),
	// so a sign not checked comes back as MISSING_REQUIRED beside its field.
	BlockAlways
	// BlockGated: sent only when the Gate sign was answered; with "no", only the gate
	// is sent (the symptom was asked about and is absent).
	BlockGated
	// BlockIfAny: sent only when one of its fields was filled in.
	BlockIfAny
)

// Section is one box of the form: a fieldset with its legend.
type Section struct {
	ID     string // also the message key suffix imci.section.<ID>
	Group  string
	Block  string // JSON path of the object, "" for top-level fields
	Mode   BlockMode
	Gate   string // for BlockGated: the "present" sign whose yes shows the questions
	ShowIf string // a sign of an enclosing block that must be yes (bronchodilator trial)
	Fields []Field
}

func tri(path string) Field { return Field{Path: path, Kind: KindTri} }
func whole(path string, lo, hi float64) Field {
	return Field{Path: path, Kind: KindInt, Min: lo, Max: hi, Step: "1"}
}
func number(path string, lo, hi float64) Field {
	return Field{Path: path, Kind: KindNumber, Min: lo, Max: hi, Step: "any"}
}
func enum(path string, options ...string) Field {
	return Field{Path: path, Kind: KindEnum, Options: options}
}

// Sections is the whole form, in the chart booklet's order.
var Sections = []Section{
	{ID: "child", Group: GroupCommon, Fields: []Field{
		{Path: "age", Kind: KindAge, Min: 0, Max: 1826, Step: "any"},
		enum("sex", "female", "male"),
		number("weight_kg", 0.5, 40),
		number("temperature_c", 30, 45),
		enum("temperature_site", "axillary", "rectal"),
	}},
	{ID: "setting", Group: GroupCommon, Block: "setting", Mode: BlockAlways, Fields: []Field{
		enum("setting.malaria_risk", "high", "low", "none"),
	}},
	{ID: "danger_signs", Group: GroupChild, Block: "danger_signs", Mode: BlockAlways, Fields: []Field{
		tri("danger_signs.not_able_to_drink_or_breastfeed"), tri("danger_signs.vomits_everything"),
		tri("danger_signs.convulsions_this_illness"), tri("danger_signs.lethargic_or_unconscious"),
		tri("danger_signs.convulsing_now"),
	}},
	{ID: "cough", Group: GroupChild, Block: "cough", Mode: BlockGated, Gate: "cough.present", Fields: []Field{
		tri("cough.present"), whole("cough.duration_days", 0, 365), whole("cough.respiratory_rate", 0, 150),
		tri("cough.chest_indrawing"), tri("cough.stridor_when_calm"), tri("cough.wheeze"), tri("cough.recurrent_wheeze"),
		number("cough.spo2_percent", 30, 100),
	}},
	{ID: "bronchodilator_trial", Group: GroupChild, Block: "cough.bronchodilator_trial", Mode: BlockIfAny, ShowIf: "cough.present", Fields: []Field{
		tri("cough.bronchodilator_trial.done"), whole("cough.bronchodilator_trial.respiratory_rate_after", 0, 150),
		tri("cough.bronchodilator_trial.chest_indrawing_after"), tri("cough.bronchodilator_trial.wheeze_after"),
	}},
	{ID: "diarrhoea", Group: GroupChild, Block: "diarrhoea", Mode: BlockGated, Gate: "diarrhoea.present", Fields: []Field{
		tri("diarrhoea.present"), whole("diarrhoea.duration_days", 0, 365), tri("diarrhoea.blood_in_stool"),
		tri("diarrhoea.restless_irritable"), tri("diarrhoea.sunken_eyes"),
		enum("diarrhoea.drinking", "not_able_or_drinks_poorly", "drinks_eagerly_thirsty", "drinks_normally"),
		enum("diarrhoea.skin_pinch", "very_slowly", "slowly", "immediately"),
	}},
	{ID: "fever", Group: GroupChild, Block: "fever", Mode: BlockGated, Gate: "fever.reported", Fields: []Field{
		tri("fever.reported"), whole("fever.duration_days", 0, 365), tri("fever.present_every_day"), tri("fever.stiff_neck"),
		tri("fever.travel_to_malaria_area_last_15_days"),
		enum("fever.malaria_test", "positive", "negative", "not_available", "not_done"),
		tri("fever.runny_nose"), tri("fever.other_obvious_cause"), tri("fever.generalized_rash"), tri("fever.red_eyes"),
		tri("fever.measles_last_3_months"), enum("fever.mouth_ulcers", "none", "present", "deep_or_extensive"),
		tri("fever.pus_draining_from_eye"), tri("fever.clouding_of_cornea"),
	}},
	{ID: "ear", Group: GroupChild, Block: "ear", Mode: BlockGated, Gate: "ear.present", Fields: []Field{
		tri("ear.present"), tri("ear.ear_pain"), tri("ear.pus_seen_draining"), whole("ear.discharge_duration_days", 0, 365),
		tri("ear.tender_swelling_behind_ear"),
	}},
	{ID: "nutrition", Group: GroupChild, Block: "nutrition", Mode: BlockIfAny, Fields: []Field{
		tri("nutrition.oedema_both_feet"), number("nutrition.muac_mm", 50, 250), number("nutrition.wfh_z", -10, 10),
		enum("nutrition.appetite_test", "passed", "failed", "not_done"), tri("nutrition.feeding_problem"),
		tri("nutrition.breastfeeding_problem"), tri("nutrition.on_rutf"),
	}},
	{ID: "anaemia", Group: GroupChild, Block: "anaemia", Mode: BlockIfAny, Fields: []Field{
		enum("anaemia.palmar_pallor", "severe", "some", "none"),
	}},
	{ID: "young_infant", Group: GroupYoungInfant, Block: "young_infant", Mode: BlockAlways, Fields: []Field{
		tri("young_infant.not_feeding_well"), tri("young_infant.convulsions"),
		whole("young_infant.respiratory_rate", 0, 150), whole("young_infant.respiratory_rate_repeat", 0, 150),
		tri("young_infant.severe_chest_indrawing"), enum("young_infant.movement", "normal", "only_when_stimulated", "none"),
		tri("young_infant.umbilicus_red_or_draining_pus"), tri("young_infant.skin_pustules"),
		tri("young_infant.jaundice"), tri("young_infant.yellow_palms_and_soles"),
	}},
	{ID: "yi_diarrhoea", Group: GroupYoungInfant, Block: "young_infant.diarrhoea", Mode: BlockGated, Gate: "young_infant.diarrhoea.present", Fields: []Field{
		tri("young_infant.diarrhoea.present"), whole("young_infant.diarrhoea.duration_days", 0, 365),
		tri("young_infant.diarrhoea.blood_in_stool"), tri("young_infant.diarrhoea.restless_irritable"),
		tri("young_infant.diarrhoea.sunken_eyes"), enum("young_infant.diarrhoea.skin_pinch", "very_slowly", "slowly", "immediately"),
	}},
	{ID: "yi_feeding", Group: GroupYoungInfant, Block: "young_infant.feeding", Mode: BlockIfAny, Fields: []Field{
		tri("young_infant.feeding.breastfed"), whole("young_infant.feeding.breastfeeds_per_24h", 0, 48),
		tri("young_infant.feeding.receives_other_foods_or_drinks"), number("young_infant.feeding.waz", -10, 10),
		tri("young_infant.feeding.low_weight_for_age"), tri("young_infant.feeding.thrush"),
		tri("young_infant.feeding.well_attached"), tri("young_infant.feeding.suckling_effectively"),
	}},
	{ID: "hiv", Group: GroupCommon, Block: "hiv", Mode: BlockIfAny, Fields: []Field{
		enum("hiv.mother_status", "positive", "negative", "unknown"),
		enum("hiv.child_virological_test", "positive", "negative", "not_done"),
		enum("hiv.child_serological_test", "positive", "negative", "not_done"),
		tri("hiv.breastfed_within_6_weeks_before_test"),
	}},
	{ID: "preventive", Group: GroupCommon, Block: "preventive", Mode: BlockIfAny, Fields: []Field{
		number("preventive.months_since_last_vitamin_a", 0, 60), number("preventive.months_since_last_deworming", 0, 60),
		{Path: "preventive.vaccines_received", Kind: KindMulti, Options: []string{"BCG", "OPV0", "HEPB0", "OPV1", "OPV2", "OPV3",
			"IPV", "PENTA1", "PENTA2", "PENTA3", "PCV1", "PCV2", "PCV3", "ROTA1", "ROTA2", "ROTA3", "MEASLES1", "MEASLES2"}},
	}},
}

// FieldByPath finds a field of the table, for error messages and tests.
func FieldByPath(path string) (Field, bool) {
	for _, s := range Sections {
		for _, f := range s.Fields {
			if f.Path == path {
				return f, true
			}
		}
	}
	return Field{}, false
}

// Age units of the "age_unit" field.
const (
	AgeUnitDays   = "days"
	AgeUnitMonths = "months"
)

// ToInput builds the engine's input JSON (spec §3) from posted form values named
// by dotted input paths. Signs are tri-state ("yes" true, "no" false, "" omitted);
// numbers are passed on as JSON numbers for the engine to check (whole numbers,
// ranges); enumerations are passed on as text. Only the blocks of the child's age
// group are sent (both when the age is unknown, so every field is still checked).
//
// The JSON is always usable: a value that is not a number is left out and reported
// as WRONG_TYPE on its path, so the caller can classify the rest and show every
// problem at once.
func ToInput(v url.Values) (json.RawMessage, []mesh.FieldError) {
	c := converter{form: v, root: map[string]any{"schema_version": imci.SchemaVersion}}
	yi, known := c.age()
	for _, s := range Sections {
		if known && (s.Group == GroupChild && yi || s.Group == GroupYoungInfant && !yi) {
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
		unit = Defaults["age_unit"] // as the form shows it
	}
	if unit == AgeUnitMonths {
		c.root["age_months"] = n
		return f < 2, true
	}
	c.root["age_days"] = n
	return f <= 59, true
}

// number reads a decimal (a comma is accepted as the decimal mark, as French and
// Kinyarwanda keyboards type it) and returns it as a canonical JSON number.
func (c *converter) number(path, s string) (json.Number, bool) {
	n, ok := ParseNumber(s)
	if !ok {
		c.fail(imci.ErrWrongType, path, "must be a number")
	}
	return n, ok
}

// ParseNumber reads a decimal typed with a point or a comma as a canonical JSON
// number; ok is false for anything else (hex, underscores, NaN, infinities).
func ParseNumber(s string) (json.Number, bool) {
	f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || strings.ContainsAny(s, "xXpP_") {
		return "", false
	}
	return json.Number(strconv.FormatFloat(f, 'f', -1, 64)), true
}

// section adds one section's values, following its block mode.
func (c *converter) section(s Section) {
	if s.ShowIf != "" && c.value(s.ShowIf) != "yes" {
		return // the enclosing symptom is absent or not asked: its sub-questions do not apply
	}
	vals := map[string]any{}
	if s.Mode == BlockGated {
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
	if s.Mode == BlockIfAny && len(vals) == 0 {
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
func (c *converter) field(f Field) (any, bool) {
	if f.Kind == KindAge {
		return nil, false // read by age()
	}
	if f.Kind == KindMulti {
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
	case KindTri:
		switch s {
		case "yes":
			return true, true
		case "no":
			return false, true
		}
		c.fail(imci.ErrWrongType, f.Path, "must be yes, no or not checked")
		return nil, false
	case KindInt, KindNumber:
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

// FormField maps an engine error's field to the form field that shows it: the age
// paths all belong to the "age" input.
func FormField(field string) string {
	switch field {
	case "age_days", "age_months":
		return "age"
	}
	return field
}
