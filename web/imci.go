package web

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"mesh"
	"mesh/account"
	"mesh/i18n"
	"mesh/imci"
	"mesh/imciform"
	"mesh/place"
)

// The IMCI check page: a teaching tool that runs the rule engine on signs typed into
// a form and shows what the chart booklet would say. It stores nothing, so every
// logged-in role may use it.

func init() {
	funcs["treatmentList"] = func(lang string, items []IMCITreatment) IMCITreatmentList {
		return IMCITreatmentList{Lang: lang, Items: items}
	}
}

// IMCITreatmentList is what the "imci_treatments" template draws.
type IMCITreatmentList struct {
	Lang  string
	Items []IMCITreatment
}

// IMCICheckPage is the IMCI check form and, after a post, its result.
type IMCICheckPage struct {
	Page
	Form   IMCIForm
	Result *IMCIResult // nil before a successful post
	// Draft tells imci-form.js what to do with the draft kept in the browser:
	// "restore" (a fresh form), "keep" (the server re-shows what was typed) or
	// "clear" (classified successfully).
	Draft string
}

// IMCIForm is what the "imci_form" partial draws: every section with its fields,
// labels and errors already translated.
type IMCIForm struct {
	Lang     string
	Sections []IMCISection
	Errors   Form
}

// IMCISection is one box of the form (a fieldset).
type IMCISection struct {
	ID, Legend, Hint string
	Group            string // common, child or young_infant: imci-form.js hides the other age group
	ShowIf           string // a sign that must be yes for the section to apply
	Fields           []IMCIField
}

// IMCIField is one input as drawn: Kind is tri, number, select, multi or age.
type IMCIField struct {
	Name, Label, Hint, Error, Kind, Value string
	Min, Max, Step                        string
	GatedBy                               string // the "present" sign that shows this question
	Options                               []Option
	Checked                               map[string]bool // ticked values of a multi field
	Unit                                  Input           // the age unit select
}

// imciDefaults are the form's starting values: no sign is assumed (shared with the
// converter, which reads a missing age unit as the form shows it).
var imciDefaults = imciform.Defaults

// newIMCIForm builds the form view from the values typed (v) and their problems.
func newIMCIForm(lang string, v url.Values, errs Form) IMCIForm {
	get := func(name string) string {
		if s := strings.TrimSpace(v.Get(name)); s != "" {
			return s
		}
		return imciDefaults[name]
	}
	out := IMCIForm{Lang: lang, Errors: errs}
	for _, s := range imciSections {
		sec := IMCISection{ID: s.ID, Legend: tr(lang, "imci.section."+s.ID), Group: s.Group, ShowIf: s.ShowIf}
		if k := "imci.section_hint." + s.ID; i18n.Has(i18n.Default, k) {
			sec.Hint = tr(lang, k)
		}
		for _, f := range s.Fields {
			fv := IMCIField{Name: f.Path, Label: tr(lang, "imci.sign."+f.Path), Error: errs.Err(f.Path), Value: get(f.Path)}
			if k := "imci.hint." + f.Path; i18n.Has(i18n.Default, k) {
				fv.Hint = tr(lang, k)
			}
			if s.Gate != "" && f.Path != s.Gate {
				fv.GatedBy = s.Gate
			}
			switch f.Kind {
			case kindTri:
				fv.Kind = "tri"
				fv.Options = []Option{{"yes", tr(lang, "imci.yes")}, {"no", tr(lang, "imci.no")}, {"", tr(lang, "imci.not_checked")}}
			case kindInt, kindNumber, kindAge:
				fv.Kind = "number"
				fv.Min, fv.Max, fv.Step = fmtNum(f.Min), fmtNum(f.Max), f.Step
				if f.Kind == kindAge {
					fv.Kind, fv.Max = "age", ""
					fv.Unit = choice(lang, errs, "age_unit", "imci.sign.age_unit", get("age_unit"),
						enumOptions(lang, "imci.age_unit.", []string{ageUnitMonths, ageUnitDays}, ""))
				}
			case kindEnum:
				fv.Kind = "select"
				blank := "imci.not_checked"
				if f.Path == "setting.malaria_risk" {
					blank = "form.choose"
				}
				fv.Options = []Option{{"", tr(lang, blank)}}
				if f.Path == "temperature_site" {
					fv.Options = nil // axillary unless said otherwise
				}
				for _, o := range f.Options {
					fv.Options = append(fv.Options, Option{o, optionLabel(lang, f.Path, o)})
				}
			case kindMulti:
				fv.Kind = "multi"
				fv.Checked = map[string]bool{}
				for _, o := range v[f.Path] {
					fv.Checked[o] = true
				}
				for _, o := range f.Options {
					fv.Options = append(fv.Options, Option{o, optionLabel(lang, f.Path, o)})
				}
			}
			sec.Fields = append(sec.Fields, fv)
		}
		out.Sections = append(out.Sections, sec)
	}
	return out
}

// optionLabel names an enumeration value: imci.opt.<path>.<value> where a field needs
// its own words (e.g. "none" for movement), else imci.opt.<value>.
func optionLabel(lang, path, value string) string {
	if k := "imci.opt." + path + "." + value; i18n.Has(i18n.Default, k) {
		return tr(lang, k)
	}
	if k := "imci.opt." + value; i18n.Has(i18n.Default, k) {
		return tr(lang, k)
	}
	return value // vaccine codes are written the same in every language
}

// fmtNum writes a number without trailing zeros (2, 0.5, 37.5).
func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func (s *Server) imciCheckForm(w http.ResponseWriter, r *http.Request) {
	if caller(r) == nil {
		s.fail(w, r, mesh.Errorf(mesh.EUNAUTHORIZED, "log in first"))
		return
	}
	v := url.Values{}
	if risk := s.defaultMalariaRisk(r); risk != "" {
		v.Set("setting.malaria_risk", risk)
	}
	p := &IMCICheckPage{Page: s.page(w, r, "imci.title"), Draft: "restore"}
	p.Form = newIMCIForm(p.Lang, v, Form{})
	s.render(w, r, http.StatusOK, "imci_check", p)
}

func (s *Server) imciCheck(w http.ResponseWriter, r *http.Request) {
	if caller(r) == nil {
		s.fail(w, r, mesh.Errorf(mesh.EUNAUTHORIZED, "log in first"))
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	p := &IMCICheckPage{Page: s.page(w, r, "imci.title"), Draft: "keep"}
	res, errs := classifyForm(r.PostForm)
	if len(errs) > 0 {
		p.Form = newIMCIForm(p.Lang, r.PostForm, imciFormErrors(p.Lang, r.PostForm, errs))
		s.render(w, r, http.StatusBadRequest, "imci_check", p)
		return
	}
	p.Form = newIMCIForm(p.Lang, r.PostForm, Form{})
	p.Result = newIMCIResult(p.Lang, res)
	p.Draft = "clear"
	s.render(w, r, http.StatusOK, "imci_check", p)
}

// classifyForm converts posted IMCI form values and runs the engine, returning every
// problem of the converter and the engine together (one per field, the converter's
// first since it saw what was typed).
func classifyForm(v url.Values) (imci.Result, []mesh.FieldError) {
	body, errs := formToInput(v)
	in, engineErrs := imci.Decode(body)
	seen := map[string]bool{}
	for _, e := range errs {
		seen[formField(e.Field)] = true
	}
	for _, e := range engineErrs {
		if !seen[formField(e.Field)] {
			seen[formField(e.Field)] = true
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		return imci.Result{}, errs
	}
	res, err := imci.Classify(in)
	if err != nil { // cannot happen: Decode validated the input
		return imci.Result{}, mesh.ErrorFields(err)
	}
	return res, nil
}

// imciFormErrors places each error beside its field, in the reader's language; an
// error on no field of the form (a whole block) becomes the general message.
func imciFormErrors(lang string, v url.Values, errs []mesh.FieldError) Form {
	var f Form
	for _, e := range errs {
		field := formField(e.Field)
		if _, ok := imciFieldByPath(field); ok {
			f.Errors = mapSet(f.Errors, field, imciErrorText(lang, v, field, e.Code))
		} else if f.General == "" {
			f.General = imciErrorText(lang, v, field, e.Code)
		}
	}
	if f.General == "" {
		f.General = tr(lang, "error.fix_below")
	}
	return f
}

func mapSet(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	if _, dup := m[k]; !dup {
		m[k] = v
	}
	return m
}

// imciErrorText explains one error: imci.err.<field>.<CODE> when the field needs its
// own words, a range message built from the field table, else imci.err.<CODE>.
func imciErrorText(lang string, v url.Values, field, code string) string {
	if k := "imci.err." + field + "." + code; i18n.Has(i18n.Default, k) {
		return tr(lang, k)
	}
	f, known := imciFieldByPath(field)
	switch {
	case field == "age" && code == imci.ErrOutOfRange && v.Get("age_unit") == ageUnitDays:
		return tr(lang, "imci.err.age_days")
	case field == "age" && code == imci.ErrOutOfRange:
		return tr(lang, "imci.err.age_months")
	case known && code == imci.ErrOutOfRange && (f.Kind == kindInt || f.Kind == kindNumber):
		return tr(lang, "imci.err.range", fmtNum(f.Min), fmtNum(f.Max))
	case known && code == imci.ErrWrongType && f.Kind == kindInt:
		return tr(lang, "imci.err.whole")
	case known && code == imci.ErrWrongType && f.Kind == kindNumber:
		return tr(lang, "imci.err.number")
	case known && code == imci.ErrMissingRequired && f.Kind == kindTri:
		return tr(lang, "imci.err.answer")
	}
	if k := "imci.err." + code; i18n.Has(i18n.Default, k) {
		return tr(lang, k)
	}
	return tr(lang, "err.invalid")
}

// defaultMalariaRisk is the malaria risk of the caller's own health facility: an
// in-charge's facility, or the facilities a mentor works in today when they agree.
// "" when there is none to go by (the form then asks).
func (s *Server) defaultMalariaRisk(r *http.Request) string {
	u := caller(r).User
	var list []*place.OrgUnit
	switch u.Role {
	case account.FacilityIC:
		if u.ScopeID != nil {
			if f, err := s.Store.FindOrgUnitByID(r.Context(), *u.ScopeID); err == nil {
				list = append(list, f)
			}
		}
	case account.Mentor:
		list, _ = s.facilitiesInScope(r)
	}
	risk := ""
	for _, f := range list {
		if risk != "" && f.MalariaRisk != risk {
			return ""
		}
		risk = f.MalariaRisk
	}
	return risk
}

// IMCIResult is the engine's answer with every code already put into words.
type IMCIResult struct {
	AgeGroup        string
	Urgent          bool
	Referral        string // "" when none
	ReferralReasons []string
	Boxes           []IMCIBox
	Treatments      []IMCITreatment
	Deferred        []IMCITreatment
	FollowUpDays    int // 0 when none
	FollowUp        []string
	Preventive      []string
	FeedingCheck    bool
	Incomplete      []string
	Warnings        []string
}

// IMCIBox is the classifications of one box of the chart.
type IMCIBox struct {
	Label   string
	Classes []IMCIClass
}

// IMCIClass is one classification with its colour (lower case, for the badge's class)
// and the colour's name, so colour is never the only cue.
type IMCIClass struct {
	Code, Label, Colour, ColourLabel string
}

// IMCITreatment is one treatment with its dose written out.
type IMCITreatment struct {
	Label, Timing, For, Dose, Band string
}

// boxOrder is the chart booklet's order of the boxes.
var boxOrder = []string{imci.BoxDangerSigns, imci.BoxBacterialInfection, imci.BoxJaundice, imci.BoxCough,
	imci.BoxDiarrhoea, imci.BoxFever, imci.BoxMeasles, imci.BoxEar, imci.BoxYIFeeding, imci.BoxNutrition,
	imci.BoxAnaemia, imci.BoxHIV}

// newIMCIResult puts a result into words.
func newIMCIResult(lang string, res imci.Result) *IMCIResult {
	out := &IMCIResult{AgeGroup: tr(lang, "imci.age_group."+res.AgeGroup), Urgent: res.UrgentReferral,
		FeedingCheck: res.FeedingAssessmentRequired}
	if res.Referral != "" && res.Referral != "NONE" {
		out.Referral = tr(lang, "imci.referral."+res.Referral)
	}
	for _, c := range res.ReferralReasons {
		out.ReferralReasons = append(out.ReferralReasons, className(lang, c))
	}
	rank := map[string]int{}
	for i, b := range boxOrder {
		rank[b] = i + 1
	}
	classes := append([]imci.Classification(nil), res.Classifications...)
	sort.SliceStable(classes, func(i, j int) bool {
		if rank[classes[i].Box] != rank[classes[j].Box] {
			return rank[classes[i].Box] < rank[classes[j].Box]
		}
		return imci.ColourRank(classes[i].Colour) > imci.ColourRank(classes[j].Colour)
	})
	for _, c := range classes {
		if n := len(out.Boxes); n == 0 || out.Boxes[n-1].Label != tr(lang, "imci.box."+c.Box) {
			out.Boxes = append(out.Boxes, IMCIBox{Label: tr(lang, "imci.box."+c.Box)})
		}
		b := &out.Boxes[len(out.Boxes)-1]
		b.Classes = append(b.Classes, IMCIClass{Code: c.Code, Label: className(lang, c.Code),
			Colour: strings.ToLower(c.Colour), ColourLabel: tr(lang, "imci.colour."+c.Colour)})
	}
	for _, t := range res.Treatments {
		out.Treatments = append(out.Treatments, treatmentView(lang, t))
	}
	for _, t := range res.DeferredTreatments {
		out.Deferred = append(out.Deferred, treatmentView(lang, t))
	}
	if res.FollowUpDays.OK {
		out.FollowUpDays = res.FollowUpDays.V
	}
	for _, f := range res.FollowUp {
		out.FollowUp = append(out.FollowUp, tr(lang, "imci.follow_up.line", f.Days, className(lang, f.For),
			tr(lang, "imci.condition."+f.Condition)))
	}
	if res.Preventive.VitaminADue {
		out.Preventive = append(out.Preventive, tr(lang, "imci.preventive.vitamin_a"))
	}
	if res.Preventive.DewormingDue {
		out.Preventive = append(out.Preventive, tr(lang, "imci.preventive.deworming"))
	}
	if len(res.Preventive.VaccinesDue) > 0 {
		out.Preventive = append(out.Preventive, tr(lang, "imci.preventive.vaccines", strings.Join(res.Preventive.VaccinesDue, ", ")))
	}
	for _, inc := range res.Incomplete {
		var missing []string
		for _, m := range inc.Missing {
			missing = append(missing, signName(lang, m))
		}
		out.Incomplete = append(out.Incomplete, tr(lang, "imci.incomplete.line", tr(lang, "imci.box."+inc.Box),
			strings.Join(missing, "; ")))
	}
	for _, w := range res.Warnings {
		out.Warnings = append(out.Warnings, codeText(lang, "imci.warning.", w))
	}
	return out
}

// className names a classification code (or LOW_OXYGEN_SATURATION among referral
// reasons); an unknown code is shown as it is rather than hidden.
func className(lang, code string) string {
	if code == "LOW_OXYGEN_SATURATION" {
		return tr(lang, "imci.warning.LOW_OXYGEN_SATURATION")
	}
	return codeText(lang, "imci.class.", code)
}

// signName names an input path the engine found missing: the form's label, or for a
// whole block the block's name.
func signName(lang, path string) string {
	if k := "imci.sign." + path; i18n.Has(i18n.Default, k) {
		return tr(lang, k)
	}
	if k := "imci.block." + path; i18n.Has(i18n.Default, k) {
		return tr(lang, k)
	}
	return path
}

func codeText(lang, prefix, code string) string {
	if i18n.Has(i18n.Default, prefix+code) {
		return tr(lang, prefix+code)
	}
	return code
}

// treatmentView writes a treatment's dose from its numbers, so it reads in the
// user's language (the engine's dose_text is English).
func treatmentView(lang string, t imci.Treatment) IMCITreatment {
	v := IMCITreatment{Label: codeText(lang, "imci.treat.", t.Code), Timing: codeText(lang, "imci.timing.", t.Timing)}
	var forNames []string
	for _, c := range t.For {
		forNames = append(forNames, className(lang, c))
	}
	v.For = strings.Join(forNames, ", ")
	var parts []string
	unit := ""
	if t.Unit.OK {
		unit = codeText(lang, "imci.unit.", t.Unit.V)
	}
	switch {
	case t.UnitsPerDose.OK:
		parts = append(parts, strings.TrimSpace(fmtNum(t.UnitsPerDose.V)+" "+unit))
	case unit != "" && t.Unit.V != "ml" && t.Unit.V != "mg":
		// A bare ml or mg unit is said by the dose itself below.
		parts = append(parts, unit)
	}
	if t.DoseMg.OK {
		parts = append(parts, tr(lang, "imci.dose.mg", fmtNum(t.DoseMg.V)))
	}
	switch {
	case t.DoseMl.OK:
		parts = append(parts, tr(lang, "imci.dose.ml", fmtNum(t.DoseMl.V)))
	case t.DoseMlMin.OK && t.DoseMlMax.OK && t.DoseMlMin.V != t.DoseMlMax.V:
		parts = append(parts, tr(lang, "imci.dose.ml_range", fmtNum(t.DoseMlMin.V), fmtNum(t.DoseMlMax.V)))
	}
	if t.DoseIU.OK {
		parts = append(parts, tr(lang, "imci.dose.iu", fmtNum(t.DoseIU.V)))
	}
	if t.VolumeMl.OK {
		parts = append(parts, tr(lang, "imci.dose.volume", fmtNum(t.VolumeMl.V)))
	}
	switch {
	case t.FrequencyPerDay.OK && t.FrequencyPerDay.V == 1:
		parts = append(parts, tr(lang, "imci.dose.once_a_day"))
	case t.FrequencyPerDay.OK:
		parts = append(parts, tr(lang, "imci.dose.times_a_day", t.FrequencyPerDay.V))
	}
	if t.DurationDays.OK {
		parts = append(parts, tr(lang, "imci.dose.days", t.DurationDays.V))
	}
	if t.DosesTotal.OK {
		parts = append(parts, tr(lang, "imci.dose.doses_total", t.DosesTotal.V))
	}
	v.Dose = strings.Join(parts, " · ")
	if t.Band.OK {
		band := t.Band.V
		if b, ok := strings.CutSuffix(band, " months"); ok {
			band = b + " " + tr(lang, "imci.months")
		}
		v.Band = tr(lang, "imci.band."+t.BandBasis.V, band)
	}
	return v
}
