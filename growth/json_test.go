package growth

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestZScoresJSON(t *testing.T) {
	out, errs := ZScoresJSON([]byte(`[
		{"sex":"male","age_days":0,"weight_kg":3.3464,"length_cm":49.8842,"measured":"lying"},
		{"sex":"female","age_days":400,"weight_kg":null,"oedema":false},
		{"sex":"male","age_days":30,"weight_kg":4.5,"oedema":true,"muac_mm":120}
	]`))
	if errs != nil {
		t.Fatalf("errors: %v", errs)
	}
	want := `[{"wfa_z":0,"lhfa_z":0,"wfh_z":0.14,"muac_z":null},` +
		`{"wfa_z":null,"lhfa_z":null,"wfh_z":null,"muac_z":null},` +
		`{"wfa_z":null,"lhfa_z":null,"wfh_z":null,"muac_z":null}]`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	if out, errs := ZScoresJSON([]byte(" [] \n")); string(out) != "[]" || errs != nil {
		t.Errorf("empty array: %s %v", out, errs)
	}
}

func TestZScoresJSONErrors(t *testing.T) {
	type fe struct{ Code, Field string }
	for _, c := range []struct {
		name, body string
		want       []fe
	}{
		{"malformed", `[{"sex":`, []fe{{CodeMalformedJSON, "$"}}},
		{"trailing", `[] []`, []fe{{CodeMalformedJSON, "$"}}},
		{"not array", `{"sex":"male"}`, []fe{{CodeWrongType, "$"}}},
		{"element", `[1]`, []fe{{CodeWrongType, "[0]"}}},
		{"missing", `[{}]`, []fe{{CodeMissingRequired, "[0].sex"}, {CodeMissingRequired, "[0].age_days"}}},
		{"null required", `[{"sex":null,"age_days":null}]`, []fe{{CodeMissingRequired, "[0].sex"}, {CodeMissingRequired, "[0].age_days"}}},
		{"measured needed", `[{"sex":"male","age_days":3,"length_cm":50}]`, []fe{{CodeMissingRequired, "[0].measured"}}},
		{"types", `[{"sex":1,"age_days":"3","weight_kg":"3","length_cm":true,"measured":2,"oedema":"no","muac_mm":[]}]`, []fe{
			{CodeWrongType, "[0].sex"}, {CodeWrongType, "[0].age_days"}, {CodeWrongType, "[0].weight_kg"},
			{CodeWrongType, "[0].length_cm"}, {CodeWrongType, "[0].muac_mm"}, {CodeWrongType, "[0].measured"}, {CodeWrongType, "[0].oedema"}}},
		{"fractional age", `[{"sex":"male","age_days":3.5}]`, []fe{{CodeWrongType, "[0].age_days"}}},
		{"ranges", `[{"sex":"male","age_days":1827,"weight_kg":0,"length_cm":500,"measured":"lying","muac_mm":-5}]`, []fe{
			{CodeOutOfRange, "[0].age_days"}, {CodeOutOfRange, "[0].weight_kg"}, {CodeOutOfRange, "[0].length_cm"}, {CodeOutOfRange, "[0].muac_mm"}}},
		{"negative age", `[{"sex":"female","age_days":-1}]`, []fe{{CodeOutOfRange, "[0].age_days"}}},
		{"huge", `[{"sex":"female","age_days":1e400}]`, []fe{{CodeOutOfRange, "[0].age_days"}}},
		{"enums", `[{"sex":"M","age_days":3,"length_cm":50,"measured":"sitting"}]`, []fe{
			{CodeUnknownEnumValue, "[0].sex"}, {CodeUnknownEnumValue, "[0].measured"}}},
		{"unknown", `[{"sex":"male","age_days":3},{"sex":"male","age_days":3,"zeta":1,"height":80}]`, []fe{
			{CodeUnknownField, "[1].height"}, {CodeUnknownField, "[1].zeta"}}},
	} {
		out, errs := ZScoresJSON([]byte(c.body))
		var got []fe
		for _, e := range errs {
			got = append(got, fe{e.Code, e.Field})
			if e.Message == "" {
				t.Errorf("%s: %s has no message", c.name, e.Field)
			}
		}
		if out != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: out %s, errors %v; want %v", c.name, out, got, c.want)
		}
	}
}

func FuzzZScoresJSON(f *testing.F) {
	for _, s := range []string{
		`[{"sex":"male","age_days":0,"weight_kg":3.3464,"length_cm":49.9,"measured":"lying"}]`,
		`[{"sex":"female","age_days":1826,"weight_kg":30,"length_cm":120,"measured":"standing","oedema":true,"muac_mm":90}]`,
		`[{"sex":"male","age_days":731,"weight_kg":0.1,"length_cm":20,"measured":"lying"}]`,
		`[{"sex":`, `{}`, `[]`, `[null]`, `[{"age_days":-0}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		out, errs := ZScoresJSON(body)
		if (out == nil) == (len(errs) == 0) {
			t.Fatalf("want output xor errors, got %q and %v", out, errs)
		}
		if out != nil {
			var zs []ZScores
			if err := json.Unmarshal(out, &zs); err != nil {
				t.Fatalf("output is not JSON: %v", err)
			}
		}
	})
}
