package imci

import (
	"encoding/json"
	"testing"
)

// FuzzClassifyJSON: any body either classifies (valid JSON out) or returns errors,
// never both, never neither, and never panics.
func FuzzClassifyJSON(f *testing.F) {
	for _, in := range goldenInputs() {
		f.Add(mustJSON(f, in))
	}
	f.Add(mustJSON(f, baseChild(30.0, coughBlock(500))))
	f.Add(mustJSON(f, []any{baseChild(3.0), baseYI(0)}))
	f.Add([]byte(`{"schema_version":"1.0","age_days":59,"temperature_c":35.4,"setting":{"malaria_risk":"none"},"young_infant":{"not_feeding_well":false,"convulsions":false,"respiratory_rate":60,"respiratory_rate_repeat":59,"severe_chest_indrawing":false,"movement":"normal","umbilicus_red_or_draining_pus":false,"skin_pustules":false,"diarrhoea":{"present":true,"duration_days":14}}}`))
	f.Add([]byte(`[`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		out, errs := ClassifyJSON(nil, body)
		if (out == nil) == (len(errs) == 0) {
			t.Fatalf("out=%q errs=%v: want exactly one", out, errs)
		}
		if out != nil && !json.Valid(out) {
			t.Fatalf("invalid JSON output %q", out)
		}
		for _, e := range errs {
			if e.Code == "" || e.Field == "" || e.Message == "" {
				t.Fatalf("incomplete error %+v", e)
			}
		}
	})
}
