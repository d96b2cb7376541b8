package imci

import (
	"encoding/json"
	"strings"
	"testing"

	"mesh"
)

func errorSet(errs []mesh.FieldError) map[string]string {
	out := map[string]string{}
	for _, e := range errs {
		out[e.Field] = e.Code
	}
	return out
}

func TestValidationErrors(t *testing.T) {
	cases := []struct {
		name string
		body string // raw JSON, or "" to use in
		in   map[string]any
		want map[string]string // field -> code; every listed error must be present
		only bool              // the listed errors are all the errors
	}{
		{name: "malformed", body: `{"schema_version": "1.0",`, want: map[string]string{"$": ErrMalformedJSON}, only: true},
		{name: "trailing garbage", body: `{"schema_version":"1.0"} x`, want: map[string]string{"$": ErrMalformedJSON}, only: true},
		{name: "not an object", body: `42`, want: map[string]string{"$": ErrWrongType}, only: true},
		{name: "schema version missing", in: baseChild(30.0, del("schema_version")), want: map[string]string{"schema_version": ErrMissingRequired}, only: true},
		{name: "schema version 2.0", in: baseChild(30.0, set("schema_version", "2.0")), want: map[string]string{"schema_version": ErrUnsupportedVersion}, only: true},
		{name: "no age", in: baseChild(30.0, del("age_months")), want: map[string]string{"age": ErrMissingRequired}, only: true},
		{name: "both ages", in: baseChild(30.0, set("age_days", 900)), want: map[string]string{"age": ErrConflictingFields}, only: true},
		{name: "age 60 months", in: baseChild(60.0), want: map[string]string{"age_months": ErrOutOfRange}},
		{name: "age_days 1827", in: baseChild(1827), want: map[string]string{"age_days": ErrOutOfRange}},
		{name: "negative age", in: baseChild(-1), want: map[string]string{"age_days": ErrOutOfRange}},
		{name: "age_days 45.5", in: baseChild(30.0, del("age_months"), set("age_days", 45.5)), want: map[string]string{"age_days": ErrWrongType}},
		{name: "rr 500", in: baseChild(30.0, coughBlock(500)), want: map[string]string{"cough.respiratory_rate": ErrOutOfRange}, only: true},
		{name: "rr 45.5", in: baseChild(30.0, coughBlock(0), set("cough.respiratory_rate", 45.5)), want: map[string]string{"cough.respiratory_rate": ErrWrongType}, only: true},
		{name: "rr as string", in: baseChild(30.0, coughBlock(0), set("cough.respiratory_rate", "45")), want: map[string]string{"cough.respiratory_rate": ErrWrongType}, only: true},
		{name: "temperature 55", in: baseChild(30.0, set("temperature_c", 55.0)), want: map[string]string{"temperature_c": ErrOutOfRange}, only: true},
		{name: "muac -5", in: baseChild(30.0, set("nutrition.muac_mm", -5.0)), want: map[string]string{"nutrition.muac_mm": ErrOutOfRange}, only: true},
		{name: "yes for a boolean", in: baseChild(30.0, set("cough.present", "yes")), want: map[string]string{"cough.present": ErrWrongType}, only: true},
		{name: "1 for a boolean", in: baseChild(30.0, set("danger_signs.convulsing_now", 1)), want: map[string]string{"danger_signs.convulsing_now": ErrWrongType}, only: true},
		{name: "unknown enum", in: baseChild(30.0, set("setting.malaria_risk", "medium")), want: map[string]string{"setting.malaria_risk": ErrUnknownEnumValue}, only: true},
		{name: "unknown field", in: baseChild(30.0, set("cough.respiratory_rte", 40)), want: map[string]string{"cough.respiratory_rte": ErrUnknownField}, only: true},
		{name: "unknown top-level field", in: baseChild(30.0, set("colour", "red")), want: map[string]string{"colour": ErrUnknownField}, only: true},
		{name: "unknown field in trial", in: baseChild(30.0, coughBlock(40), set("cough.bronchodilator_trial", map[string]any{"done": false, "wheez_after": true})), want: map[string]string{"cough.bronchodilator_trial.wheez_after": ErrUnknownField}, only: true},
		{name: "trial wheeze_after wrong type", in: baseChild(30.0, coughBlock(40), set("cough.bronchodilator_trial", map[string]any{"done": false, "wheeze_after": "no"})), want: map[string]string{"cough.bronchodilator_trial.wheeze_after": ErrWrongType}, only: true},
		{name: "trial done without recount", in: baseChild(30.0, coughBlock(40), set("cough.bronchodilator_trial", map[string]any{"done": true})), want: map[string]string{"cough.bronchodilator_trial.respiratory_rate_after": ErrMissingRequired, "cough.bronchodilator_trial.chest_indrawing_after": ErrMissingRequired}, only: true},
		{name: "child without danger signs", in: baseChild(30.0, del("danger_signs")), want: map[string]string{"danger_signs": ErrMissingRequired}, only: true},
		{name: "null danger sign", in: baseChild(30.0, set("danger_signs.vomits_everything", nil)), want: map[string]string{"danger_signs.vomits_everything": ErrMissingRequired}, only: true},
		{name: "missing malaria risk", in: baseChild(30.0, set("setting", map[string]any{})), want: map[string]string{"setting.malaria_risk": ErrMissingRequired}, only: true},
		{name: "block without present", in: baseChild(30.0, set("ear", map[string]any{"ear_pain": true})), want: map[string]string{"ear.present": ErrMissingRequired}, only: true},
		{name: "fever without reported", in: baseChild(30.0, set("fever", map[string]any{})), want: map[string]string{"fever.reported": ErrMissingRequired}, only: true},
		{name: "young_infant for a child", in: baseChild(30.0, set("young_infant", baseYI(10)["young_infant"])), want: map[string]string{"young_infant": ErrFieldNotApplicable}, only: true},
		{name: "danger_signs for a young infant", in: baseYI(10, set("danger_signs", baseChild(30.0)["danger_signs"])), want: map[string]string{"danger_signs": ErrFieldNotApplicable}, only: true},
		{name: "young infant without block", in: baseYI(10, del("young_infant")), want: map[string]string{"young_infant": ErrMissingRequired}, only: true},
		{name: "young infant without temperature", in: baseYI(10, del("temperature_c")), want: map[string]string{"temperature_c": ErrMissingRequired}, only: true},
		{name: "young infant null temperature", in: baseYI(10, set("temperature_c", nil)), want: map[string]string{"temperature_c": ErrMissingRequired}, only: true},
		{name: "unknown vaccine", in: baseChild(30.0, set("preventive", map[string]any{"vaccines_received": []any{"BCG", "POLIO9"}})), want: map[string]string{"preventive.vaccines_received[1]": ErrUnknownEnumValue}, only: true},
		{name: "case_id too long", in: baseChild(30.0, set("case_id", strings.Repeat("x", 65))), want: map[string]string{"case_id": ErrOutOfRange}, only: true},
		{name: "many errors at once", in: baseChild(30.0, coughBlock(500), set("temperature_c", 55.0), set("setting.malaria_risk", "medium"), set("cough.wheeze", "yes"), set("foo", 1)),
			want: map[string]string{"cough.respiratory_rate": ErrOutOfRange, "temperature_c": ErrOutOfRange, "setting.malaria_risk": ErrUnknownEnumValue, "cough.wheeze": ErrWrongType, "foo": ErrUnknownField}, only: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := []byte(c.body)
			if c.body == "" {
				body = mustJSON(t, c.in)
			}
			_, errs := Decode(body)
			got := errorSet(errs)
			for f, code := range c.want {
				if got[f] != code {
					t.Errorf("field %s: got %q want %q (all: %+v)", f, got[f], code, errs)
				}
			}
			if c.only && len(got) != len(c.want) {
				t.Errorf("got %d errors %+v, want %d", len(errs), errs, len(c.want))
			}
			for _, e := range errs {
				if e.Message == "" || (e.Field != "$" && !strings.Contains(e.Message, e.Field)) {
					t.Errorf("message %q should name field %s", e.Message, e.Field)
				}
			}
			out, errs2 := ClassifyJSON(nil, body)
			if out != nil || len(errs2) != len(errs) {
				t.Errorf("ClassifyJSON: out %s errs %v", out, errs2)
			}
		})
	}
}

func TestClassifyJSONArray(t *testing.T) {
	good := mustJSON(t, baseChild(30.0))
	bad := mustJSON(t, baseChild(30.0, coughBlock(500), del("schema_version")))
	out, errs := ClassifyJSON(nil, []byte(" [ "+string(good)+",\n"+string(good)+" ] \n"))
	if errs != nil {
		t.Fatal(errs)
	}
	var results []Result
	if err := json.Unmarshal(out, &results); err != nil || len(results) != 2 {
		t.Fatalf("array result: %v %s", err, out)
	}
	out, errs = ClassifyJSON(nil, []byte("["+string(good)+","+string(good)+","+string(good)+","+string(bad)+"]"))
	if out != nil {
		t.Errorf("output despite errors")
	}
	got := errorSet(errs)
	if got["[3].cough.respiratory_rate"] != ErrOutOfRange || got["[3].schema_version"] != ErrMissingRequired || len(got) != 2 {
		t.Errorf("prefixed errors: %+v", errs)
	}
	out, errs = ClassifyJSON(nil, []byte(`[{"schema_version":"1.0","setting":{"malaria_risk":"high"},"danger_signs":{}}]`))
	if got := errorSet(errs); got["[0].age"] != ErrMissingRequired {
		t.Errorf("element age: %+v", errs)
	}
	out, errs = ClassifyJSON(nil, []byte(`[]`))
	if errs != nil || string(out) != "[]" {
		t.Errorf("empty array: %s %v", out, errs)
	}
	if _, errs = ClassifyJSON(nil, []byte(`[1] [2]`)); len(errs) != 1 || errs[0].Code != ErrMalformedJSON {
		t.Errorf("trailing array: %v", errs)
	}
}

func TestClassifyFromGo(t *testing.T) {
	days, risk := 30, "high"
	_ = risk
	in := Input{SchemaVersion: "1.0", AgeDays: &days, Setting: Setting{MalariaRisk: "high"}}
	if _, err := Classify(in); mesh.ErrorCode(err) != mesh.EINVALID {
		t.Errorf("young infant without block must be invalid, got %v", err)
	}
	r := classifyMap(t, baseChild(30.0))
	if r.Protocol.ID != "who-2014" || r.EngineVersion != EngineVersion || r.Ruleset != "WHO_IMCI_2014" {
		t.Errorf("provenance: %+v %s", r.Protocol, r.EngineVersion)
	}
}

func TestLoadProtocol(t *testing.T) {
	if _, err := LoadProtocol(defaultProtocolJSON); err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(defaultProtocolJSON), `"zinc_days": 14`, `"zinc_days": 14, "zinc_dayz": 10`, 1)
	if _, err := LoadProtocol([]byte(bad)); err == nil {
		t.Errorf("unknown key accepted")
	}
	bad = strings.Replace(string(defaultProtocolJSON), `"deworming_drug": "mebendazole"`, `"deworming_drug": "ivermectin"`, 1)
	if _, err := LoadProtocol([]byte(bad)); err == nil {
		t.Errorf("bad enum accepted")
	}
	p := protocolWith(t, func(p *Protocol) { p.Rules.ZincDays = 10; p.ID = "rw-test" })
	in, _ := Decode(mustJSON(t, baseChild(30.0, diarrhoeaBlock())))
	r, _ := p.Classify(in)
	if z, _ := treatment(r, "ZINC"); z.DurationDays.V != 10 || r.Protocol.ID != "rw-test" {
		t.Errorf("protocol zinc days: %+v %s", z.DurationDays, r.Protocol.ID)
	}
}

func TestCatalogue(t *testing.T) {
	box, colour, ok := ClassificationInfo("PNEUMONIA")
	if !ok || box != BoxCough || colour != Yellow {
		t.Errorf("PNEUMONIA: %s %s %v", box, colour, ok)
	}
	if _, _, ok := ClassificationInfo("NOPE"); ok {
		t.Errorf("unknown code found")
	}
	if len(ClassificationCodes()) != len(classes) || len(TreatmentCodes()) != len(treatmentCodes) {
		t.Errorf("code lists")
	}
	for _, c := range severeList {
		if _, ok := classes[c]; !ok {
			t.Errorf("severe list code %s not in catalogue", c)
		}
	}
}

// A null optional top-level value (weight, temperature, a block) means "not given",
// as omitting it does: a form that sends every key with null must not be rejected.
func TestNullTopLevelMeansNotGiven(t *testing.T) {
	body, _ := json.Marshal(baseChild(30.0, set("weight_kg", nil), set("cough", nil), set("sex", nil)))
	in, errs := Decode(body)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if in.WeightKg != nil || in.Cough != nil || in.Sex != "" {
		t.Fatalf("null read as a value: %+v", in)
	}
}
