package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"mesh/i18n"
	"mesh/imci"
)

// childForm is a child of 18 months, 11 kg, with every danger sign looked for and absent.
func childForm() url.Values {
	return url.Values{
		"age": {"18"}, "age_unit": {"months"}, "sex": {"female"}, "weight_kg": {"11"}, "temperature_c": {"37"},
		"temperature_site": {"axillary"}, "setting.malaria_risk": {"low"},
		"danger_signs.not_able_to_drink_or_breastfeed": {"no"}, "danger_signs.vomits_everything": {"no"},
		"danger_signs.convulsions_this_illness": {"no"}, "danger_signs.lethargic_or_unconscious": {"no"},
		"danger_signs.convulsing_now": {"no"},
	}
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

func TestIMCICheckPneumonia(t *testing.T) {
	e := newTestEnv(t)
	r := e.get("/imci/check", "mentor.kayonza")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `name="cough.respiratory_rate"`) ||
		!strings.Contains(r.Body, `<script defer src="/static/imci-form.js?v=`) || strings.Contains(r.Body, `style="`) {
		t.Fatalf("form: %d", r.Status)
	}
	form := with(childForm(), "cough.present", "yes", "cough.duration_days", "3", "cough.respiratory_rate", "48",
		"cough.chest_indrawing", "no", "cough.stridor_when_calm", "no", "cough.wheeze", "no")
	r = e.post("/imci/check", "mentor.kayonza", form)
	if r.Status != http.StatusOK {
		t.Fatalf("classify: %d\n%s", r.Status, r.Body)
	}
	for _, want := range []string{
		`<span class="badge yellow">Yellow</span> <strong>Pneumonia</strong>`,
		"Oral amoxicillin", "2 tablet(s) of 250 mg · 500 mg · 2 times a day · for 5 days",
		"Dose band by weight: 10-&lt;14 kg", "Come back in 3 days.",
		// The boxes not asked about are reported, not guessed.
		"Not enough information to classify Fever: missing the fever questions (not asked).",
		`data-draft="clear"`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("result lacks %q", want)
		}
	}
	if strings.Contains(r.Body, "imci.") {
		t.Error("a message key is shown untranslated")
	}
}

func TestIMCICheckYoungInfant(t *testing.T) {
	e := newTestEnv(t)
	form := url.Values{"age": {"20"}, "age_unit": {"days"}, "temperature_c": {"36.8"}, "setting.malaria_risk": {"low"},
		"young_infant.not_feeding_well": {"no"}, "young_infant.convulsions": {"no"}, "young_infant.respiratory_rate": {"48"},
		"young_infant.severe_chest_indrawing": {"no"}, "young_infant.movement": {"normal"},
		"young_infant.umbilicus_red_or_draining_pus": {"no"}, "young_infant.skin_pustules": {"no"},
		"young_infant.jaundice": {"no"},
		// Child boxes filled in by mistake are not sent for a young infant.
		"cough.present": {"yes"}, "danger_signs.convulsing_now": {"no"}}
	r := e.post("/imci/check", "incharge.rwinkwavu", form)
	if r.Status != http.StatusOK {
		t.Fatalf("young infant: %d\n%s", r.Status, r.Body)
	}
	result := r.Body[strings.Index(r.Body, `id="result"`):]
	for _, want := range []string{"Young infant under 2 months", "Very severe disease and local bacterial infection",
		"<strong>Severe disease or local infection unlikely</strong>", "<h4>Jaundice</h4>", "<strong>No jaundice</strong>"} {
		if !strings.Contains(result, want) {
			t.Errorf("young infant result lacks %q", want)
		}
	}
	if strings.Contains(result, "Cough or difficult breathing") {
		t.Error("a child box in a young infant's result")
	}
}

func TestIMCICheckErrorsBesideFields(t *testing.T) {
	e := newTestEnv(t)
	form := with(childForm(), "cough.present", "yes", "cough.respiratory_rate", "200", "weight_kg", "onze")
	r := e.post("/imci/check", "mentor.kayonza", form, "Cookie: "+LangCookie+"=fr")
	if r.Status != http.StatusBadRequest {
		t.Fatalf("out of range: %d", r.Status)
	}
	for _, want := range []string{
		`<p class="error" id="e-cough.respiratory_rate">Saisissez un nombre de 0 à 150.</p>`,
		`<p class="error" id="e-weight_kg">Saisissez un nombre.</p>`,
		`value="200"`, `data-draft="keep"`, "Veuillez corriger",
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("error page lacks %q", want)
		}
	}
	if strings.Contains(r.Body, `id="result"`) {
		t.Error("a result shown for invalid input")
	}
	// A required sign not checked is asked for beside it.
	r = e.post("/imci/check", "mentor.kayonza", with(childForm(), "danger_signs.convulsing_now", ""))
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="e-danger_signs.convulsing_now">Answer yes or no.`) {
		t.Errorf("missing danger sign: %d", r.Status)
	}
	// A missing age is shown on the age field.
	r = e.post("/imci/check", "mentor.kayonza", with(childForm(), "age", ""))
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="e-age">Enter the age.`) {
		t.Errorf("missing age: %d", r.Status)
	}
}

func TestIMCICheckIncomplete(t *testing.T) {
	e := newTestEnv(t)
	// Cough present but chest indrawing not checked: the engine cannot rule out pneumonia.
	form := with(childForm(), "cough.present", "yes", "cough.respiratory_rate", "30", "cough.stridor_when_calm", "no")
	r := e.post("/imci/check", "mentor.kayonza", form)
	if r.Status != http.StatusOK {
		t.Fatalf("incomplete: %d", r.Status)
	}
	if !strings.Contains(r.Body, "Not enough information to classify Cough or difficult breathing: missing Chest indrawing.") {
		t.Error("no incomplete message for the cough box")
	}
	if strings.Contains(r.Body, "<strong>Cough or cold</strong>") {
		t.Error("a green row chosen with a sign not checked")
	}
}

func TestIMCICheckAccess(t *testing.T) {
	e := newTestEnv(t)
	r := e.get("/imci/check", "")
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/login?next=%2Fimci%2Fcheck" {
		t.Fatalf("anonymous: %d %s", r.Status, r.Header.Get("Location"))
	}
	if r := e.post("/imci/check", "", childForm()); r.Status != http.StatusSeeOther {
		t.Fatalf("anonymous post: %d", r.Status)
	}
	for _, u := range []string{"admin", "manager", "supervisor.kayonza", "mentor.kayonza", "incharge.rwinkwavu"} {
		home := e.get("/", u)
		if !strings.Contains(home.Body, `href="/imci/check"`) || !strings.Contains(home.Body, `href="/growth"`) {
			t.Errorf("%s: no link to the IMCI check or growth chart", u)
		}
	}
	// An in-charge's facility sets the malaria risk.
	r = e.get("/imci/check", "incharge.rwinkwavu")
	risk := e.placeNamed("Rwinkwavu Health Centre").MalariaRisk
	if !strings.Contains(r.Body, `<option value="`+risk+`" selected>`) {
		t.Errorf("malaria risk %q not preselected", risk)
	}
}

func TestFormToInput(t *testing.T) {
	cases := []struct {
		name string
		form url.Values
		want string // JSON, compared as values
		errs []string
	}{
		{"tri-state signs and numbers",
			url.Values{"age": {"14"}, "age_unit": {"months"}, "weight_kg": {"9,5"}, "setting.malaria_risk": {"high"},
				"danger_signs.vomits_everything": {"yes"}, "danger_signs.convulsing_now": {"no"}, "danger_signs.lethargic_or_unconscious": {""},
				"cough.present": {"yes"}, "cough.respiratory_rate": {" 52 "}, "cough.wheeze": {""}, "cough.chest_indrawing": {"no"}},
			`{"schema_version":"1.0","age_months":14,"weight_kg":9.5,"setting":{"malaria_risk":"high"},
			  "danger_signs":{"vomits_everything":true,"convulsing_now":false},
			  "cough":{"present":true,"respiratory_rate":52,"chest_indrawing":false}}`, nil},
		{"absent symptom sends only its gate",
			url.Values{"age": {"400"}, "age_unit": {"days"}, "diarrhoea.present": {"no"}, "diarrhoea.duration_days": {"x"},
				"anaemia.palmar_pallor": {"some"}, "fever.reported": {""}, "fever.stiff_neck": {"yes"}},
			`{"schema_version":"1.0","age_days":400,"setting":{},"danger_signs":{},"diarrhoea":{"present":false},
			  "anaemia":{"palmar_pallor":"some"}}`, nil},
		{"young infant blocks only",
			url.Values{"age": {"30"}, "age_unit": {"days"}, "young_infant.movement": {"none"}, "young_infant.respiratory_rate": {"62"},
				"young_infant.diarrhoea.present": {"yes"}, "young_infant.diarrhoea.skin_pinch": {"slowly"},
				"young_infant.feeding.breastfed": {"yes"}, "danger_signs.convulsing_now": {"no"}, "cough.present": {"yes"},
				"preventive.vaccines_received": {"BCG", "OPV0"}},
			`{"schema_version":"1.0","age_days":30,"setting":{},
			  "young_infant":{"movement":"none","respiratory_rate":62,"diarrhoea":{"present":true,"skin_pinch":"slowly"},"feeding":{"breastfed":true}},
			  "preventive":{"vaccines_received":["BCG","OPV0"]}}`, nil},
		{"bronchodilator trial only with cough",
			url.Values{"age": {"3"}, "age_unit": {"months"}, "cough.present": {"no"}, "cough.bronchodilator_trial.done": {"yes"}},
			`{"schema_version":"1.0","age_months":3,"setting":{},"danger_signs":{},"cough":{"present":false}}`, nil},
		{"enumerations are passed on for the engine to check",
			url.Values{"age": {"3"}, "age_unit": {"months"}, "anaemia.palmar_pallor": {"purple"}},
			`{"schema_version":"1.0","age_months":3,"setting":{},"danger_signs":{},"anaemia":{"palmar_pallor":"purple"}}`, nil},
		{"bad numbers and signs are WRONG_TYPE on their path",
			url.Values{"age": {"3"}, "age_unit": {"months"}, "cough.present": {"yes"}, "cough.respiratory_rate": {"fast"},
				"cough.spo2_percent": {"NaN"}, "cough.wheeze": {"maybe"}, "temperature_c": {"0x10"}},
			`{"schema_version":"1.0","age_months":3,"setting":{},"danger_signs":{},"cough":{"present":true}}`,
			[]string{"WRONG_TYPE temperature_c", "WRONG_TYPE cough.respiratory_rate", "WRONG_TYPE cough.wheeze", "WRONG_TYPE cough.spo2_percent"}},
		{"unreadable age sends both groups",
			url.Values{"age": {"two"}, "young_infant.convulsions": {"no"}},
			`{"schema_version":"1.0","setting":{},"danger_signs":{},"young_infant":{"convulsions":false}}`,
			[]string{"WRONG_TYPE age"}},
	}
	for _, c := range cases {
		body, errs := formToInput(c.form)
		var got, want any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if err := json.Unmarshal([]byte(c.want), &want); err != nil {
			t.Fatalf("%s: bad want: %v", c.name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", c.name, body, c.want)
		}
		var gotErrs []string
		for _, e := range errs {
			gotErrs = append(gotErrs, e.Code+" "+e.Field)
		}
		if !sameSet(gotErrs, c.errs) {
			t.Errorf("%s: errors %v, want %v", c.name, gotErrs, c.errs)
		}
	}
	// The engine reads the converter's numbers: a fraction in a whole-number field is
	// its WRONG_TYPE, on the same dotted path.
	body, _ := formToInput(with(childForm(), "cough.present", "yes", "cough.respiratory_rate", "45.5"))
	if _, errs := imci.Decode(body); len(errs) != 1 || errs[0].Code != imci.ErrWrongType || errs[0].Field != "cough.respiratory_rate" {
		t.Errorf("engine errors %v", errs)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		seen[s]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

// TestIMCICatalogKeys keeps the catalog in step with the engine and the form: every
// classification, treatment and box has words, and so has every field and option.
func TestIMCICatalogKeys(t *testing.T) {
	var keys []string
	for _, c := range imci.ClassificationCodes() {
		keys = append(keys, "imci.class."+c)
	}
	for _, c := range imci.TreatmentCodes() {
		keys = append(keys, "imci.treat."+c)
	}
	for _, b := range boxOrder {
		keys = append(keys, "imci.box."+b)
	}
	for _, c := range []string{imci.Pink, imci.Yellow, imci.Green} {
		keys = append(keys, "imci.colour."+c)
	}
	for _, c := range []string{imci.TimingPreReferral, imci.TimingInClinic, imci.TimingHome, imci.TimingFrom4Weeks} {
		keys = append(keys, "imci.timing."+c)
	}
	for _, c := range []string{imci.Always, imci.IfNotImproving, imci.IfFeverPersists, imci.IfFeeding} {
		keys = append(keys, "imci.condition."+c)
	}
	for _, s := range imciSections {
		keys = append(keys, "imci.section."+s.ID)
		for _, f := range s.Fields {
			keys = append(keys, "imci.sign."+f.Path)
			for _, o := range f.Options {
				if f.Kind == kindEnum && optionLabel("en", f.Path, o) == o {
					t.Errorf("option %s of %s has no label", o, f.Path)
				}
			}
		}
	}
	for _, k := range keys {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, k) {
				t.Errorf("%s lacks %s", lang, k)
			}
		}
	}
	// Every box named in the catalogue of classifications is in the result's order.
	for _, c := range imci.ClassificationCodes() {
		box, _, _ := imci.ClassificationInfo(c)
		found := false
		for _, b := range boxOrder {
			found = found || b == box
		}
		if !found {
			t.Errorf("box %s of %s not in boxOrder", box, c)
		}
	}
}
